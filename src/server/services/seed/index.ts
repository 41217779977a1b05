/**
 * `latchkey seed`: realistic synthetic data in bulk, for trying Latchkey at the size of a company
 * directory and for the bench. Accounts in every security group (custom ones too), statuses, user
 * types (native and SSO), MFA states, last sign-ins over a year; records and tasks owned by them;
 * login history and audit events over the last year.
 *
 * Every synthetic account has an email in SEED_DOMAIN (or a subdomain of it, for a second run), so
 * seeded data is always recognisable, and seeding refuses to run beside real accounts.
 *
 * Rows go through the ordinary tables, so every trigger the schema has fires as for the app's own
 * writes (credential-change signals, search indexes): the result is what the app would have made.
 * Speed comes from how they are written, not from going around the schema: many rows per
 * statement (prepared multi-row INSERTs on SQLite, INSERT … SELECT FROM unnest(arrays) on
 * PostgreSQL), large transactions, and durability relaxed for this connection only (the seed can
 * simply be run again after a crash).
 *
 * Every native account shares ONE argon2id hash of SEED_PASSWORD: hashing a million passwords
 * would take hours, and these accounts are synthetic.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../../db/connection.js';
import { isPostgres } from '../../db/portable.js';
import type { Database } from '../../db/schema.js';
import { encryptSecret } from '../../security/encryption.js';
import { hashPassword } from '../../security/password-hashing.js';
import { generateTotpSecret } from '../../security/totp.js';
import { ADMINISTRATOR_GROUP_ID, GRANTABLE_PERMISSIONS, SYSTEM_GROUP_IDS } from '../../../shared/permissions.js';
import { factorAad } from '../mfa-factors.js';
import { postgresWriter } from './postgres-writer.js';
import { sqliteWriter } from './sqlite-writer.js';
import type { Writer } from './writer.js';

/** The email domain reserved for synthetic accounts (.test is reserved by RFC 2606: it never delivers mail). */
export const SEED_DOMAIN = 'seed.latchkey.test';
/** The password of every seeded native account (documented in the README). */
export const SEED_PASSWORD = 'latchkey-seed-password';

export interface SeedCounts {
  accounts: number;
  records: number;
  tasks: number;
  /** Log entries in all: 60 % login history, 40 % audit events. */
  events: number;
}

export interface SeedOptions extends SeedCounts {
  /** Seed even beside accounts that are not synthetic. */
  force: boolean;
  /** The instance key (config.secretKey): seeded authenticator apps are sealed with it, as the app's. */
  secretKey: Buffer;
  /** Progress lines ("accounts: 1,000,000 in 41.2 s"). */
  say?: (line: string) => void;
}

export interface SeedReport {
  counts: SeedCounts;
  /** Seconds each part took. */
  seconds: Partial<Record<'accounts' | 'records' | 'tasks' | 'events', number>>;
  /** The domain this run's accounts have (SEED_DOMAIN, or a fresh subdomain of it when seeded data exists). */
  domain: string;
  /** An enabled native Administrator without MFA: signs in with SEED_PASSWORD. */
  signInEmail: string | null;
}

export class SeedRefused extends Error {
  override name = 'SeedRefused';
}

/** True for an email of a synthetic account. */
export function isSyntheticEmail(email: string): boolean {
  const normalized = email.toLowerCase();
  return normalized.endsWith(`@${SEED_DOMAIN}`) || normalized.endsWith(`.${SEED_DOMAIN}`);
}

// ---------------------------------------------------------------------------------------------
// Deterministic variety: every attribute of row i is a hash of (i, attribute), so any part of the
// seed can recompute another row's attributes (an event's account's email) without storing them.

function hash32(i: number, salt: number): number {
  let x = (Math.imul(i, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
/** A number in [0, 1) for row i and attribute salt. */
const unit = (i: number, salt: number) => hash32(i, salt) / 4294967296;
const pick = <T>(list: readonly T[], i: number, salt: number): T => list[Math.floor(unit(i, salt) * list.length)]!;
/** Picks by weight: [[value, weight], …]. */
function weighted<T>(choices: readonly (readonly [T, number])[], i: number, salt: number): T {
  let r = unit(i, salt) * choices.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of choices) if ((r -= weight) < 0) return value;
  return choices[choices.length - 1]![0];
}

const FIRST_NAMES = [
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
const LAST_NAMES = [
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
const TITLES = [
  '',
  'Engineer',
  'Senior Engineer',
  'Field Engineer',
  'Data Steward',
  'Auditor',
  'Analyst',
  'Project Manager',
  'Service Desk Agent',
  'Security Architect',
  'Application Owner',
  'Director',
  'Head of IT',
  'Contractor',
  'Intern',
  'DBA',
  'Network Administrator',
  'Scheduler',
  'Chief of Staff',
  'Procurement Officer',
  'Team Lead',
  'Product Owner',
  'Site Reliability Engineer',
  'Consultant',
];
const FUNCTIONAL_GROUPS = [
  '',
  'IT Operations',
  'Workplace',
  'Finance Apps',
  'Deskside',
  'Data Quality',
  'Internal Audit',
  'Leadership',
  'Automation',
  'Security',
  'HR Systems',
  'Networks',
  'Procurement',
  'Service Desk',
  'Research & Development',
  'Facilities',
  'Legal',
  'Sales Engineering',
  'Customer Success',
];
const DATE_FORMATS = ['yyyy-mm-dd', 'yyyy-mm-dd', 'mm/dd/yyyy', 'dd/mm/yyyy', 'dd mon yyyy'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'curl/8.7.1',
  'python-requests/2.32.3',
];

/** The custom security groups a seed creates (found again by name on a later run). */
const CUSTOM_GROUPS = [
  {
    name: 'Seeded: Service Desk',
    permissions: [
      'records:view',
      'records:update',
      'tasks:view',
      'tasks:update',
      'tasks:start',
      'tasks:complete',
      'users_groups:view',
    ],
  },
  {
    name: 'Seeded: External Auditors',
    permissions: ['records:view', 'reports:view', 'reports:export', 'event_logs:view', 'event_logs:export'],
  },
  {
    name: 'Seeded: Field Engineers',
    permissions: [
      'records:view',
      'records:create',
      'records:update',
      'tasks:view',
      'tasks:start',
      'tasks:complete',
      'tasks:fail',
    ],
  },
  { name: 'Seeded: Contractors', permissions: ['records:view', 'tasks:view'] },
] as const;
const IDENTITY_PROVIDER_NAME = 'Seeded Okta';

const emailParts = new Map<string, string>();
/** Letters an email keeps: accents dropped, ß → ss and the like, anything else removed. */
function emailPart(name: string): string {
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

// Attribute salts: one per attribute, so attributes vary independently.
const S = {
  first: 1,
  last: 2,
  group: 3,
  status: 4,
  type: 5,
  mfa: 6,
  lastLogin: 7,
  created: 8,
  title: 9,
  phone: 10,
  functional: 11,
  timeout: 12,
  dateFormat: 13,
  timeFormat: 14,
  theme: 15,
  custom: 16,
  phoneDigits: 17,
} as const;

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

interface Groups {
  /** Security group IDs with their weight. */
  weights: (readonly [string, number])[];
  names: Map<string, string>;
}

/** The accounts of this run, as functions of their index (only the IDs are stored). */
class Accounts {
  /** Filled by seedAccounts. */
  ids: string[] = [];
  /** Indexes of Administrators (the actors of audit events). */
  readonly administrators: number[] = [];
  constructor(
    readonly count: number,
    readonly domain: string,
    readonly groups: Groups,
    readonly now: number,
  ) {}
  firstIndex = (i: number) => Math.floor(unit(i, S.first) * FIRST_NAMES.length);
  lastIndex = (i: number) => Math.floor(unit(i, S.last) * LAST_NAMES.length);
  first = (i: number) => FIRST_NAMES[this.firstIndex(i)]!;
  last = (i: number) => LAST_NAMES[this.lastIndex(i)]!;
  email = (i: number) => seededEmail(this.firstIndex(i), this.lastIndex(i), i, this.domain);
  /** Account 0 is the way in: an enabled native Administrator without MFA. */
  group = (i: number) => (i === 0 ? ADMINISTRATOR_GROUP_ID : weighted(this.groups.weights, i, S.group));
  status = (i: number) => (i === 0 || unit(i, S.status) >= 0.08 ? 'enabled' : 'disabled');
  isSso = (i: number) => i !== 0 && unit(i, S.type) < 0.15;
  /** off (72 %), pending: required but not set up (8 %), on: a confirmed authenticator app (20 %). */
  mfa = (i: number): 'off' | 'pending' | 'on' => (i === 0 ? 'off' : weighted(MFA_WEIGHTS, i, S.mfa));
  createdAt = (i: number) => this.now - 30 * DAY_MS - Math.floor(unit(i, S.created) * 2 * YEAR_MS);
  /** Within the last year, more of them recent; 12 % never signed in. */
  lastLoginAt = (i: number): number | null => {
    const r = unit(i, S.lastLogin);
    if (r < 0.12) return null;
    return this.now - Math.floor(((r - 0.12) / 0.88) ** 2 * YEAR_MS);
  };
}
/** How many first and last names the seed picks from (exported, as the next, for a test). */
export const NAME_COUNTS = { first: FIRST_NAMES.length, last: LAST_NAMES.length } as const;
/** The email of account i, from the indexes of its names. */
export const seededEmail = (firstIndex: number, lastIndex: number, i: number, domain: string) =>
  `${emailPart(FIRST_NAMES[firstIndex]!)}.${emailPart(LAST_NAMES[lastIndex]!)}.${i}@${domain}`;

/**
 * The account indexes in the order of their emails (`first.last.i@domain`), without comparing a
 * million emails (that sort took seconds): by their "first.last." part, one of a few thousand,
 * counted into buckets, then within a bucket by the text `${i}@`. Exported for the test that
 * compares it with a plain sort.
 */
export function emailOrder(accounts: Pick<Accounts, 'count' | 'firstIndex' | 'lastIndex'>): Int32Array {
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

const MFA_WEIGHTS = [
  ['off', 72],
  ['pending', 8],
  ['on', 20],
] as const;

// ---------------------------------------------------------------------------------------------
// The seed

async function nonSyntheticAccounts(db: Kysely<Database>): Promise<{ email: string; security_group_id: string }[]> {
  return db
    .selectFrom('users')
    .select(['email', 'security_group_id'])
    .where((eb) =>
      eb.and([
        eb('email_normalized', 'not like', `%@${SEED_DOMAIN}`),
        eb('email_normalized', 'not like', `%.${SEED_DOMAIN}`),
      ]),
    )
    .limit(3)
    .execute();
}

/**
 * Seeding is refused beside real accounts: a fresh installation has none, or only the first
 * Administrator made by setup (seeding a demo right after setup works). Anything more is refused
 * unless forced.
 */
export async function checkSeedable(db: Kysely<Database>): Promise<void> {
  const real = await nonSyntheticAccounts(db);
  const onlyFirstAdministrator = real.length === 1 && real[0]!.security_group_id === ADMINISTRATOR_GROUP_ID;
  if (real.length === 0 || onlyFirstAdministrator) return;
  const shown = real.slice(0, 2).map((r) => r.email);
  throw new SeedRefused(
    `This database holds accounts that are not synthetic (${shown.join(', ')}${real.length > 2 ? ', …' : ''}). ` +
      'Seeding adds thousands of accounts with a published password; it is meant for demos and benchmarks. ' +
      'Run it on an empty installation (or one with only its first Administrator), or add --force.',
  );
}

async function ensureGroups(db: Db, now: string): Promise<Groups> {
  const custom: string[] = [];
  for (const group of CUSTOM_GROUPS) {
    const existing = await db
      .selectFrom('security_groups')
      .select('id')
      .where('name', '=', group.name)
      .executeTakeFirst();
    if (existing) {
      custom.push(existing.id);
      continue;
    }
    const id = randomUUID();
    const permissions = group.permissions.filter((p) => (GRANTABLE_PERMISSIONS as readonly string[]).includes(p));
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('security_groups')
        .values({
          id,
          name: group.name,
          description: 'Made by latchkey seed.',
          is_system: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .insertInto('group_permissions')
        .values(permissions.map((permission) => ({ group_id: id, permission })))
        .execute();
      await trx
        .insertInto('audit_events')
        .values({
          occurred_at: now,
          actor_user_id: null,
          actor_email: null,
          actor_group_name: null,
          target_user_id: null,
          target_email: null,
          action: 'security_group.created',
          details: JSON.stringify({ groupId: id, name: group.name, permissions }),
          ip: 'cli',
        })
        .execute();
    });
    custom.push(id);
  }
  const weights: (readonly [string, number])[] = [
    [SYSTEM_GROUP_IDS.administrator, 0.5],
    [SYSTEM_GROUP_IDS.regularUser, 38],
    [SYSTEM_GROUP_IDS.regularUserNoDelete, 20],
    [SYSTEM_GROUP_IDS.readOnlyUser, 22],
    [SYSTEM_GROUP_IDS.orchestrationUser, 4.5],
    ...custom.map((id) => [id, 15 / custom.length] as const),
  ];
  const rows = await db.selectFrom('security_groups').select(['id', 'name']).execute();
  return { weights, names: new Map(rows.map((r) => [r.id, r.name])) };
}

/** The seed's identity provider: OpenID Connect, disabled (it points at no real issuer). */
async function ensureIdentityProvider(db: Db, now: string): Promise<{ id: string; name: string }> {
  const existing = await db
    .selectFrom('identity_providers')
    .select(['id', 'name'])
    .where('name_normalized', '=', IDENTITY_PROVIDER_NAME.toLowerCase())
    .executeTakeFirst();
  if (existing) return existing;
  const id = randomUUID();
  const settings = {
    issuer: `https://sso.${SEED_DOMAIN}`,
    clientId: 'latchkey-seed',
    scopes: 'openid email profile',
    groupsClaim: 'groups',
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('identity_providers')
      .values({
        id,
        name: IDENTITY_PROVIDER_NAME,
        name_normalized: IDENTITY_PROVIDER_NAME.toLowerCase(),
        protocol: 'oidc',
        enabled: 0,
        default_group_id: SYSTEM_GROUP_IDS.readOnlyUser,
        allow_email_linking: 0,
        settings: JSON.stringify(settings),
        client_secret_encrypted: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await trx
      .insertInto('audit_events')
      .values({
        occurred_at: now,
        actor_user_id: null,
        actor_email: null,
        actor_group_name: null,
        target_user_id: null,
        target_email: null,
        action: 'identity_provider.created',
        details: JSON.stringify({ providerId: id, name: IDENTITY_PROVIDER_NAME, protocol: 'oidc', enabled: false }),
        ip: 'cli',
      })
      .execute();
  });
  return { id, name: IDENTITY_PROVIDER_NAME };
}

/**
 * An ISO 8601 time in UTC, as Date#toISOString writes it, built from a cached date part: the seed
 * writes tens of millions of them, and new Date(…).toISOString() was a tenth of its JS time.
 * Exported for its test.
 */
const isoDays = new Map<number, string>();
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
export function iso(ms: number): string {
  const inDay = ms - Math.floor(ms / DAY_MS) * DAY_MS;
  const day = ms - inDay;
  let dayText = isoDays.get(day);
  if (dayText === undefined) isoDays.set(day, (dayText = new Date(day).toISOString().slice(0, 11)));
  const millis = inDay % 1000;
  const seconds = Math.floor(inDay / 1000);
  return (
    `${dayText}${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.` +
    `${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
  );
}

/**
 * n random version 4 UUIDs in ascending order. Rows written in key order add to the right edge
 * of a unique index; random keys split pages all over it (measured on SQLite: a million rows with
 * a random text primary key took three times as long as without one). The first 48 bits of the
 * i-th one are a random number in the i-th of n equal slices of their range, so they ascend
 * without sorting (sorting a million strings took seconds); the other 74 random bits of a
 * version 4 UUID stay random. Exported for its test.
 */
export function ascendingUuids(n: number): string[] {
  const slice = Math.floor(2 ** 48 / Math.max(n, 1));
  const uuids = new Array<string>(n);
  const CHUNK = 65_536;
  for (let start = 0; start < n; start += CHUNK) {
    const k = Math.min(CHUNK, n - start);
    const random = randomBytes(k * 16);
    const hex = random.toString('hex');
    for (let j = 0; j < k; j++) {
      const i = start + j;
      const head = (i * slice + (random.readUIntBE(j * 16, 6) % slice)).toString(16).padStart(12, '0');
      const rest = hex.slice(j * 32 + 12, j * 32 + 32);
      uuids[i] =
        `${head.slice(0, 8)}-${head.slice(8)}-4${rest.slice(0, 3)}-` +
        `${'89ab'[random[j * 16 + 6]! & 3]}${rest.slice(4, 7)}-${rest.slice(8)}`;
    }
  }
  return uuids;
}

const USER_COLUMNS = [
  ['id', 'text'],
  ['email', 'text'],
  ['email_normalized', 'text'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['first_name_normalized', 'text'],
  ['last_name_normalized', 'text'],
  ['title', 'text'],
  ['telephone', 'text'],
  ['security_group_id', 'text'],
  ['functional_group', 'text'],
  ['status', 'text'],
  ['user_type', 'text'],
  ['sso_provider', 'text'],
  ['password_hash', 'text'],
  ['must_change_password', 'integer'],
  ['mfa_enrolled', 'integer'],
  // Kept by triggers on mfa_factors in the app; the seed writes it with the account (see SQLITE_PRECOMPUTED in sqlite-writer.ts).
  ['mfa_factor_confirmed', 'integer'],
  ['mfa_required_by_other', 'integer'],
  ['session_timeout_minutes', 'integer'],
  ['date_format', 'text'],
  ['time_format', 'text'],
  ['theme', 'text'],
  ['last_login_at', 'text'],
  ['created_at', 'text'],
  ['updated_at', 'text'],
] as const;

async function seedAccounts(
  writer: Writer,
  accounts: Accounts,
  passwordHash: string,
  provider: { id: string; name: string },
  secretKey: Buffer,
): Promise<void> {
  const users = await writer.table('users', USER_COLUMNS);
  const mfaFactors: [string, string, number][] = [];
  const ssoIdentities: [string, number][] = [];
  // Written in email order with ascending IDs, so both unique indexes that stay during the load
  // (primary key and email) grow at their right edge (see ascendingUuids).
  const order = emailOrder(accounts);
  const ids = ascendingUuids(accounts.count);
  accounts.ids = new Array<string>(accounts.count);
  order.forEach((i, position) => (accounts.ids[i] = ids[position]!));
  for (const i of order) {
    const id = accounts.ids[i]!;
    const first = accounts.first(i);
    const last = accounts.last(i);
    const email = accounts.email(i);
    const group = accounts.group(i);
    if (group === ADMINISTRATOR_GROUP_ID) accounts.administrators.push(i);
    const sso = accounts.isSso(i);
    const mfa = accounts.mfa(i);
    const created = accounts.createdAt(i);
    const lastLogin = accounts.lastLoginAt(i);
    const updated = Math.max(created, lastLogin ?? created);
    const phone =
      unit(i, S.phone) < 0.3
        ? ''
        : `+${pick(['1', '44', '47', '49', '33', '81', '61'], i, S.phone)} ${String(hash32(i, S.phoneDigits) % 1_000_000_000).padStart(9, '0')}`;
    await users.add([
      id,
      email,
      email,
      first,
      last,
      first.toLowerCase(),
      last.toLowerCase(),
      pick(TITLES, i, S.title),
      phone,
      group,
      pick(FUNCTIONAL_GROUPS, i, S.functional),
      accounts.status(i),
      sso ? 'sso' : 'native',
      sso ? provider.name : null,
      sso ? null : passwordHash,
      0,
      mfa === 'off' ? 0 : 1,
      mfa === 'on' ? 1 : 0,
      mfa === 'pending' ? 1 : 0,
      pick([15, 30, 60, 60, 60], i, S.timeout),
      pick(DATE_FORMATS, i, S.dateFormat),
      unit(i, S.timeFormat) < 0.3 ? '12-hour' : '24-hour',
      pick(['light', 'light', 'dark', 'system'], i, S.theme),
      lastLogin === null ? null : iso(lastLogin),
      iso(created),
      iso(updated),
    ]);
    if (mfa === 'on') mfaFactors.push([id, email, created]);
    if (sso && lastLogin !== null) ssoIdentities.push([id, i]);
  }
  await users.finish();

  // Each account with MFA on has a confirmed factor: a quarter an authenticator app (its secret
  // random, sealed with the instance key as the app seals one), the rest a passkey (a random
  // credential: sealing costs ~40 µs a row, too slow for every one of a million accounts). Nobody
  // can pass either, so none of these accounts can be signed in to.
  const factors = await writer.table('mfa_factors', [
    ['id', 'text'],
    ['user_id', 'text'],
    ['kind', 'text'],
    ['name', 'text'],
    ['secret_encrypted', 'text'],
    ['confirmed_at', 'text'],
    ['created_at', 'text'],
    ['credential_id', 'text'],
    ['public_key', 'text'],
    ['sign_count', 'integer'],
    ['transports', 'text'],
    ['device_type', 'text'],
    ['backed_up', 'integer'],
  ]);
  const factorIds = ascendingUuids(mfaFactors.length);
  for (const [n, [userId, , created]] of mfaFactors.entries()) {
    const id = factorIds[n]!;
    const at = iso(created + DAY_MS);
    if (n % 4 === 0) {
      const secret = encryptSecret(secretKey, generateTotpSecret(), factorAad(id, userId));
      await factors.add([id, userId, 'totp', 'Authenticator app', secret, at, at, null, null, null, null, null, null]);
    } else {
      const random = randomBytes(48).toString('base64url');
      await factors.add([
        id,
        userId,
        'passkey',
        pick(['iPhone', 'YubiKey 5', 'Windows Hello', 'Pixel 8'], n, 501),
        null,
        at,
        at,
        random.slice(0, 22),
        `pQECAyYgASFYI${random.slice(22)}`,
        0,
        '["internal","hybrid"]',
        'multiDevice',
        1,
      ]);
    }
  }
  await factors.finish();

  // SSO accounts that have signed in are known to their provider by a subject.
  const identities = await writer.table('sso_identities', [
    ['provider_id', 'text'],
    ['subject', 'text'],
    ['user_id', 'text'],
    ['email', 'text'],
    ['created_at', 'text'],
    ['last_sign_in_at', 'text'],
  ]);
  for (const [userId, i] of ssoIdentities) {
    const at = iso(accounts.lastLoginAt(i)!);
    await identities.add([provider.id, `seed-${userId}`, userId, accounts.email(i), iso(accounts.createdAt(i)), at]);
  }
  await identities.finish();
}

const RECORD_TYPES = [
  ['computer', 50],
  ['application', 20],
  ['user', 30],
] as const;
const COMPUTER_PREFIXES = ['WS', 'LT', 'SRV', 'VM', 'KIOSK'];
const OPERATING_SYSTEMS = ['Windows 11', 'Windows 10', 'macOS 14', 'Ubuntu 24.04', 'RHEL 9'];
const LOCATIONS = ['Oslo HQ', 'München', 'São Paulo', 'Kraków', 'Tokyo', 'Remote', 'Zürich', 'Dublin'];
const APP_WORDS = ['Payroll', 'Ledger', 'Helpdesk', 'Inventory', 'Travel', 'Badge', 'Wiki', 'CRM', 'Billing', 'Sign'];
const APP_KINDS = ['Portal', 'Service', 'Gateway', 'Suite', 'Console', 'API'];

async function seedRecords(
  writer: Writer,
  accounts: Accounts,
  count: number,
  tag: string,
  now: number,
  typeSort: ReadonlyMap<string, string>,
): Promise<string[]> {
  const records = await writer.table('records', [
    ['id', 'text'],
    ['type_id', 'text'],
    ['name', 'text'],
    ['name_normalized', 'text'],
    ['owner', 'text'],
    ['properties', 'text'],
    ['created_by_user_id', 'text'],
    ['created_at', 'text'],
    ['updated_at', 'text'],
    // What the type sorts by: the type's name_normalized, as the triggers set it.
    ['type_sort', 'text'],
  ]);
  const typeOf = (r: number) => weighted(RECORD_TYPES, r, 101);
  const ownerOf = (r: number) => Math.floor(unit(r, 102) * accounts.count);
  /** Unique within its type: it carries r (and the run's tag, after the first run). */
  const recordName = (r: number) => {
    const type = typeOf(r);
    const name =
      type === 'computer'
        ? `${pick(COMPUTER_PREFIXES, r, 104)}-${String(r).padStart(7, '0')}`
        : type === 'application'
          ? `${pick(APP_WORDS, r, 104)} ${pick(APP_KINDS, r, 105)} ${r}`
          : `${accounts.first(ownerOf(r))} ${accounts.last(ownerOf(r))} (${r})`;
    return tag ? `${name} ${tag}` : name;
  };
  // Written in (type, name) order with ascending IDs, as the accounts are.

  const keys = Array.from({ length: count }, (_, r) => `${typeOf(r)}\u0000${recordName(r).toLowerCase()}`);
  const order = Array.from({ length: count }, (_, r) => r).sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
  const sortedIds = ascendingUuids(count);
  const ids = new Array<string>(count);
  order.forEach((r, position) => (ids[r] = sortedIds[position]!));
  for (const r of order) {
    const id = ids[r]!;
    const type = typeOf(r);
    const owner = ownerOf(r);
    const creator = Math.floor(unit(r, 103) * accounts.count);
    const name = recordName(r);
    let properties: Record<string, string>;
    if (type === 'computer') {
      properties = {
        OS: pick(OPERATING_SYSTEMS, r, 105),
        Location: pick(LOCATIONS, r, 106),
        Serial: `SN${hash32(r, 107).toString(36).toUpperCase()}`,
      };
    } else if (type === 'application') {
      properties = {
        Vendor: pick(['In-house', 'Contoso', 'Globex', 'Initech'], r, 106),
        Criticality: pick(['Low', 'Medium', 'High'], r, 107),
      };
    } else {
      properties = { Department: pick(FUNCTIONAL_GROUPS.slice(1), r, 106) };
    }
    const created = now - Math.floor(unit(r, 108) * 2 * YEAR_MS);
    const updated = created + Math.floor(unit(r, 109) * (now - created));
    await records.add([
      id,
      type,
      name,
      name.toLowerCase(),
      unit(r, 110) < 0.1 ? '' : `${accounts.first(owner)} ${accounts.last(owner)}`,
      JSON.stringify(properties),
      accounts.ids[creator]!,
      iso(created),
      iso(updated),
      typeSort.get(type)!,
    ]);
  }
  await records.finish();
  return ids;
}

const TASK_VERBS = [
  'Replace',
  'Review access for',
  'Patch',
  'Renew certificate of',
  'Decommission',
  'Audit',
  'Upgrade',
  'Back up',
  'Reimage',
  'Onboard',
];
const TASK_OBJECTS = [
  'laptop',
  'payroll service',
  'VPN gateway',
  'badge reader',
  'file server',
  'CRM tenant',
  'printer fleet',
  'kiosk',
  'wiki',
  'build agents',
];
const TASK_STATUS_WEIGHTS = [
  ['not_started', 30],
  ['in_progress', 20],
  ['complete', 35],
  ['cancelled', 8],
  ['failed', 7],
] as const;

async function seedTasks(
  writer: Writer,
  accounts: Accounts,
  recordIds: string[],
  count: number,
  now: number,
): Promise<void> {
  const tasks = await writer.table('tasks', [
    ['id', 'text'],
    ['title', 'text'],
    ['title_normalized', 'text'],
    ['record_id', 'text'],
    ['status', 'text'],
    ['assignee_user_id', 'text'],
    ['due_date', 'text'],
    ['created_by_user_id', 'text'],
    ['created_at', 'text'],
    ['updated_at', 'text'],
    ['started_at', 'text'],
    ['finished_at', 'text'],
    // What the assignee sorts by, as the triggers set it: "first last email", lower-cased.
    ['assignee_sort', 'text'],
  ]);
  const ids = ascendingUuids(count);
  for (let t = 0; t < count; t++) {
    const title = `${pick(TASK_VERBS, t, 201)} ${pick(TASK_OBJECTS, t, 202)} #${t}`;
    const status = weighted(TASK_STATUS_WEIGHTS, t, 203);
    const created = now - Math.floor(unit(t, 204) * YEAR_MS);
    const started =
      status === 'not_started' || (status === 'cancelled' && unit(t, 205) < 0.5)
        ? null
        : created + Math.floor(unit(t, 206) * (now - created) * 0.5);
    const finished =
      status === 'complete' || status === 'failed' || status === 'cancelled'
        ? (started ?? created) + Math.floor(unit(t, 207) * (now - (started ?? created)))
        : null;
    const updated = finished ?? started ?? created;
    const due = unit(t, 208) < 0.4 ? null : iso(created + Math.floor(unit(t, 209) * 120 * DAY_MS)).slice(0, 10);
    const assignee = unit(t, 210) < 0.15 ? null : Math.floor(unit(t, 211) * accounts.count);
    const record =
      recordIds.length === 0 || unit(t, 212) < 0.2 ? null : recordIds[Math.floor(unit(t, 213) * recordIds.length)]!;
    await tasks.add([
      ids[t]!,
      title,
      title.toLowerCase(),
      record,
      status,
      assignee === null ? null : accounts.ids[assignee]!,
      due,
      accounts.ids[Math.floor(unit(t, 214) * accounts.count)]!,
      iso(created),
      iso(updated),
      started === null ? null : iso(started),
      finished === null ? null : iso(finished),
      assignee === null
        ? ''
        : `${accounts.first(assignee).toLowerCase()} ${accounts.last(assignee).toLowerCase()} ${accounts.email(assignee)}`,
    ]);
  }
  await tasks.finish();
}

/** A documentation address (RFC 5737 / 3849): realistic, never anyone's. */
function ipAddress(k: number, salt: number): string {
  const h = hash32(k, salt);
  switch (h % 5) {
    case 0:
      return `2001:db8::${(h >>> 8).toString(16)}`;
    case 1:
      return `198.51.100.${((h >>> 8) % 254) + 1}`;
    case 2:
      return `203.0.113.${((h >>> 8) % 254) + 1}`;
    default:
      return `192.0.2.${((h >>> 8) % 254) + 1}`;
  }
}

/** Chronological times over the last year for k = 0 … n-1 (IDs then grow with time, as in the app). */
const eventTime = (k: number, n: number, now: number, salt: number) =>
  iso(now - YEAR_MS + Math.floor(((k + unit(k, salt)) / n) * YEAR_MS));

async function seedLoginHistory(writer: Writer, accounts: Accounts, count: number, now: number): Promise<void> {
  const history = await writer.table('login_history', [
    ['occurred_at', 'text'],
    ['user_id', 'text'],
    ['email', 'text'],
    ['success', 'integer'],
    ['reason', 'text'],
    ['method', 'text'],
    ['ip', 'text'],
    ['user_agent', 'text'],
  ]);
  const FAILURES = [
    ['wrong_password', 60],
    ['unknown_account', 15],
    ['locked', 10],
    ['account_disabled', 5],
    ['wrong_mfa_code', 10],
  ] as const;
  for (let k = 0; k < count; k++) {
    const i = Math.floor(unit(k, 301) * accounts.count);
    const success = unit(k, 302) < 0.88;
    const reason = success ? null : weighted(FAILURES, k, 303);
    const sso = accounts.isSso(i);
    const unknown = reason === 'unknown_account';
    const method = sso
      ? 'oidc'
      : accounts.mfa(i) === 'on' || reason === 'wrong_mfa_code'
        ? 'password+totp'
        : 'password';
    await history.add([
      eventTime(k, count, now, 304),
      unknown ? null : accounts.ids[i]!,
      unknown
        ? `${emailPart(accounts.first(k))}.${emailPart(accounts.last(k + 1))}@${accounts.domain}`
        : accounts.email(i),
      success ? 1 : 0,
      reason,
      unknown ? 'password' : method,
      ipAddress(k, 305),
      pick(USER_AGENTS, k, 306),
    ]);
  }
  await history.finish();
}

const AUDIT_ACTIONS = [
  ['user.updated', 30],
  ['user.security_updated', 12],
  ['session.signed_out', 20],
  ['user.password_reset', 6],
  ['api_token.generated', 4],
  ['api_token.revoked', 1],
  ['user.created', 8],
  ['mfa.factor_enrolled', 5],
  ['record.deleted', 5],
  ['task.deleted', 3],
  ['sso.signed_in', 5],
  ['account.locked', 1],
] as const;

async function seedAuditEvents(writer: Writer, accounts: Accounts, count: number, now: number): Promise<void> {
  const events = await writer.table('audit_events', [
    ['occurred_at', 'text'],
    ['actor_user_id', 'text'],
    ['actor_email', 'text'],
    ['actor_group_name', 'text'],
    ['target_user_id', 'text'],
    ['target_email', 'text'],
    ['action', 'text'],
    ['details', 'text'],
    ['ip', 'text'],
  ]);
  const administrators = accounts.administrators.length > 0 ? accounts.administrators : [0];
  for (let k = 0; k < count; k++) {
    const action = weighted(AUDIT_ACTIONS, k, 401);
    const target = Math.floor(unit(k, 402) * accounts.count);
    // Who acted: the account itself (its own sign-out, its own authenticator), the system, or an Administrator.
    const self = action === 'session.signed_out' || action === 'mfa.factor_enrolled';
    const system = action === 'sso.signed_in' || action === 'account.locked';
    const actor = self ? target : system ? null : administrators[Math.floor(unit(k, 403) * administrators.length)]!;
    let details: Record<string, unknown> = {};
    if (action === 'user.updated') details = { title: { from: pick(TITLES, k, 404), to: pick(TITLES, k, 405) } };
    else if (action === 'user.security_updated')
      details =
        unit(k, 406) < 0.5 ? { status: { from: 'enabled', to: 'disabled' } } : { mfa_enrolled: { from: 0, to: 1 } };
    else if (action === 'record.deleted')
      details = { name: `${pick(COMPUTER_PREFIXES, k, 407)}-${String(k).padStart(7, '0')}` };
    else if (action === 'task.deleted')
      details = { title: `${pick(TASK_VERBS, k, 408)} ${pick(TASK_OBJECTS, k, 409)}` };
    else if (action === 'mfa.factor_enrolled') details = { kind: 'totp' };
    const targeted = action !== 'record.deleted' && action !== 'task.deleted';
    await events.add([
      eventTime(k, count, now, 410),
      actor === null ? null : accounts.ids[actor]!,
      actor === null ? null : accounts.email(actor),
      actor === null ? null : (accounts.groups.names.get(accounts.group(actor)) ?? null),
      targeted ? accounts.ids[target]! : null,
      targeted ? accounts.email(target) : null,
      action,
      JSON.stringify(details),
      actor === null ? null : ipAddress(k, 411),
    ]);
  }
  await events.finish();
}

/** Whether synthetic accounts exist already (a later run then takes a fresh subdomain). */
async function hasSyntheticAccounts(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where((eb) =>
      eb.or([eb('email_normalized', 'like', `%@${SEED_DOMAIN}`), eb('email_normalized', 'like', `%.${SEED_DOMAIN}`)]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Fills the database with synthetic data (see the top of this file). The schema must be current.
 * Records, tasks and events belong to this run's accounts, so they need at least one.
 */
export async function seed(db: Db, options: SeedOptions): Promise<SeedReport> {
  const say = options.say ?? (() => undefined);
  const counts: SeedCounts = {
    accounts: options.accounts,
    records: options.records,
    tasks: options.tasks,
    events: options.events,
  };
  if (counts.accounts === 0 && counts.records + counts.tasks + counts.events > 0)
    throw new SeedRefused('Records, tasks and events belong to the accounts seeded with them: add --accounts.');
  if (!options.force) await checkSeedable(db);

  const tag = (await hasSyntheticAccounts(db)) ? `r${randomBytes(3).toString('hex')}` : '';
  const domain = tag ? `${tag}.${SEED_DOMAIN}` : SEED_DOMAIN;
  const nowMs = Date.now();
  const now = iso(nowMs);
  const groups = await ensureGroups(db, now);
  const provider = await ensureIdentityProvider(db, now);
  // argon2id is deliberately slow: one hash, shared by every native account.
  const passwordHash = await hashPassword(SEED_PASSWORD);
  const accounts = new Accounts(counts.accounts, domain, groups, nowMs);

  const report: SeedReport = {
    counts,
    seconds: {},
    domain,
    signInEmail: counts.accounts > 0 ? accounts.email(0) : null,
  };
  const writer = isPostgres(db as Kysely<unknown>) ? await postgresWriter(db) : sqliteWriter(db);
  const timed = async (part: keyof SeedReport['seconds'], n: number, work: () => Promise<unknown>) => {
    if (n === 0) return;
    const started = performance.now();
    const cpu = process.cpuUsage();
    await work();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    report.seconds[part] = seconds;
    // CPU time too: on a busy machine the wall-clock time says more about the neighbours.
    say(
      `${part}: ${n.toLocaleString('en-US')} in ${seconds.toFixed(1)} s ` +
        `(this process's CPU: ${((used.user + used.system) / 1e6).toFixed(1)} s)`,
    );
  };
  let failed = true;
  try {
    await timed('accounts', counts.accounts, () =>
      seedAccounts(writer, accounts, passwordHash, provider, options.secretKey),
    );
    let recordIds: string[] = [];
    await timed('records', counts.records, async () => {
      const types = await db.selectFrom('record_types').select(['id', 'name_normalized']).execute();
      const typeSort = new Map(types.map((type) => [type.id, type.name_normalized]));
      recordIds = await seedRecords(writer, accounts, counts.records, tag, nowMs, typeSort);
    });
    await timed('tasks', counts.tasks, () => seedTasks(writer, accounts, recordIds, counts.tasks, nowMs));
    const logins = Math.round(counts.events * 0.6);
    await timed('events', counts.events, async () => {
      await seedLoginHistory(writer, accounts, logins, nowMs);
      await seedAuditEvents(writer, accounts, counts.events - logins, nowMs);
    });
    failed = false;
  } finally {
    await writer.close(failed);
  }
  return report;
}
