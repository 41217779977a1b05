/**
 * The names of synthetic people, from many languages (Å, ß, é, Ł…), and the emails made of them:
 * `first.last.i@domain`, with letters an address can keep.
 */

export const FIRST_NAMES = [
  'Ada',
  'Grace',
  'Alan',
  'Linus',
  'Margaret',
  'Dennis',
  'Barbara',
  'Ken',
  'Frances',
  'Edsger',
  'Åsa',
  'Björn',
  'Zoë',
  'José',
  'Łukasz',
  'Søren',
  'Jürgen',
  'Małgorzata',
  'Chloé',
  'François',
  'Ingrid',
  'Olu',
  'Chidi',
  'Mei',
  'Kenji',
  'Priya',
  'Raj',
  'Fatima',
  'Ahmed',
  'Yusuf',
  'Élodie',
  'Renée',
  'Noël',
  'Øystein',
  'Sigríður',
  'Đorđe',
  'İlker',
  'Şebnem',
  'Çağla',
  'Ana',
  'João',
  'Inês',
  'Siobhán',
  'Seán',
  'Aoife',
  'Dmitri',
  'Olga',
  'Hana',
  'Tomáš',
  'Kateřina',
  'Jiří',
  'Zsófia',
  'Linnea',
  'Ólafur',
  'Ngozi',
  'Kwame',
  'Aroha',
  'Liam',
  'Emma',
  'Noah',
  'Olivia',
  'Sophia',
  'Mateo',
  'Lucía',
  'Camila',
  'Thành',
  'Minh',
  'Hyun-woo',
  'Sakura',
  'Haruto',
  'Aarav',
  'Ananya',
  'Mary Ann',
];
export const LAST_NAMES = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Torvalds',
  'Hamilton',
  'Ritchie',
  'Liskov',
  'Thompson',
  'Allen',
  'Ångström',
  'Strauß',
  'Weiß',
  'Müller',
  'Øvergaard',
  'Łukasiewicz',
  'Dvořák',
  'Nováková',
  'García',
  'Peña',
  'Núñez',
  'Gonçalves',
  'Le Guin',
  "O'Brien",
  'Nakamura',
  'Watanabe',
  'Kim',
  'Park',
  'Nguyễn',
  'Trần',
  'Chen',
  'Wang',
  'Patel',
  'Sharma',
  'Okafor',
  'Adeyemi',
  'Mensah',
  'Johansson',
  'Lindqvist',
  'Söderberg',
  'Jørgensen',
  'Kowalski',
  'Wiśniewska',
  'Horváth',
  'Kovács',
  'Popescu',
  'Papadopoulos',
  'Yılmaz',
  'Öztürk',
  'Schröder',
  'Böhm',
  'Fernández',
  'Smith',
  'Jones',
  'Brown',
  'Taylor',
  'Wilson',
  'Martin',
  'Dubois',
  'Lefèvre',
  'Rossi',
  'Bianchi',
  'Fitzgerald',
  'Ó Súilleabháin',
  'van der Berg',
];

/** Each name's email part, folded once: a million emails are made of some 140 names. */
const emailParts = new Map<string, string>();
/** Letters an email keeps: accents dropped, ß → ss and the like, anything else removed. */
export function emailPart(name: string): string {
  let part = emailParts.get(name);
  if (part === undefined) emailParts.set(name, (part = foldForEmail(name)));
  return part;
}
function foldForEmail(name: string): string {
  return name
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/[øœ]/g, 'o')
    .replace(/[łı]/g, (c) => (c === 'ł' ? 'l' : 'i'))
    .replace(/[đð]/g, 'd')
    .replace(/þ/g, 'th')
    .normalize('NFD')
    .replace(/[^a-z0-9]/g, '');
}

/** How many first and last names the seed picks from (for a test). */
export const NAME_COUNTS = { first: FIRST_NAMES.length, last: LAST_NAMES.length } as const;
/** The email of account i, from the indexes of its names. */
export const seededEmail = (firstIndex: number, lastIndex: number, i: number, domain: string) =>
  `${emailPart(FIRST_NAMES[firstIndex]!)}.${emailPart(LAST_NAMES[lastIndex]!)}.${i}@${domain}`;

/** Rows named by the indexes of their first and last names: the accounts, or a test's stand-in. */
export interface NamedRows {
  readonly count: number;
  readonly firstIndex: (i: number) => number;
  readonly lastIndex: (i: number) => number;
}

/**
 * The account indexes in the order of their emails (`first.last.i@domain`), without comparing a
 * million emails (that sort took seconds): by their "first.last." part, one of a few thousand,
 * counted into buckets, then within a bucket by the text `${i}@`. Exported for the test that
 * compares it with a plain sort.
 */
export function emailOrder(accounts: NamedRows): Int32Array {
  const prefixes = FIRST_NAMES.flatMap((first) => LAST_NAMES.map((last) => `${emailPart(first)}.${emailPart(last)}.`));
  const sorted = [...new Set(prefixes)].sort();
  const rankOf = new Map(sorted.map((prefix, rank) => [prefix, rank]));
  const rankOfPair = Int32Array.from(prefixes, (prefix) => rankOf.get(prefix)!);
  const n = accounts.count;
  const buckets = new Int32Array(n);
  const starts = new Int32Array(sorted.length + 1);
  for (let i = 0; i < n; i++) {
    const bucket = rankOfPair[accounts.firstIndex(i) * LAST_NAMES.length + accounts.lastIndex(i)]!;
    buckets[i] = bucket;
    starts[bucket + 1]!++;
  }
  for (let b = 1; b <= sorted.length; b++) starts[b]! += starts[b - 1]!;
  const order = new Int32Array(n);
  const next = starts.slice(0, sorted.length);
  for (let i = 0; i < n; i++) order[next[buckets[i]!]!++] = i;
  for (let b = 0; b < sorted.length; b++) {
    const suffixes = Array.from(order.subarray(starts[b], starts[b + 1]), (i) => `${i}@`).sort();
    for (const [k, suffix] of suffixes.entries()) order[starts[b]! + k] = parseInt(suffix, 10);
  }
  return order;
}
