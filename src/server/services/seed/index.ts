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
 *
 * seed() below is the order of work; the rest of this folder:
 *   variety.ts, formats.ts   deterministic attributes; ISO times and ascending UUIDs, made fast
 *   names.ts, vocabulary.ts  the names and words rows are made of
 *   synthetic.ts             what marks data synthetic; the refusal to seed beside real accounts
 *   groups.ts                the security groups and identity provider seeded accounts belong to
 *   accounts.ts, records.ts, tasks.ts, events.ts: one generator per kind of row
 *   writer.ts, sqlite-writer.ts, postgres-writer.ts: how rows are loaded into each database
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../../db/connection.js';
import { isPostgres } from '../../db/portable.js';
import { hashPassword } from '../../security/password-hashing.js';
import { Accounts, seedAccounts } from './accounts.js';
import { seedAuditEvents, seedLoginHistory } from './events.js';
import { iso } from './formats.js';
import { ensureGroups, ensureIdentityProvider } from './groups.js';
import { postgresWriter } from './postgres-writer.js';
import { seedRecords } from './records.js';
import { sqliteWriter } from './sqlite-writer.js';
import { checkSeedable, hasSyntheticAccounts, SEED_DOMAIN, SEED_PASSWORD, SeedRefused } from './synthetic.js';
import { seedTasks } from './tasks.js';

export { checkSeedable, isSyntheticEmail, SEED_DOMAIN, SEED_PASSWORD, SeedRefused } from './synthetic.js';

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
