/**
 * `latchkey seed` on a real database (SQLite, or a PostgreSQL schema of its own when
 * LATCHKEY_TEST_DATABASE_URL is set), at a small size: what it writes is spread as documented,
 * recognisable as synthetic, consistent (references, indexes, triggers' effects), signs in with the
 * documented password and serves the app's lists; and it refuses a database with real accounts.
 */
import { PassThrough, Writable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/server/cli.js';
import { databaseHandleOf } from '../../src/server/db/connection.js';
import { isPostgres } from '../../src/server/db/portable.js';
import type { Database } from '../../src/server/db/schema.js';
import { arrayLiteral } from '../../src/server/services/seed/postgres-writer.js';
import { ascendingUuids, iso } from '../../src/server/services/seed/formats.js';
import { isSyntheticEmail, SEED_DOMAIN, SEED_PASSWORD } from '../../src/server/services/seed/index.js';
import { emailOrder, NAME_COUNTS, seededEmail } from '../../src/server/services/seed/names.js';
import { ADMINISTRATOR_GROUP_ID, SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { createTestApp, makeUser, signIn, type TestApp } from '../helpers/test-app.js';

class Output extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void) {
    this.text += String(chunk);
    done();
  }
}

let t: TestApp;

/** Runs `latchkey seed …` in-process on the test app's own database. */
async function seedCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Output();
  const stderr = new Output();
  const stdin = new PassThrough();
  stdin.end();
  const pgUrl = process.env.LATCHKEY_TEST_DATABASE_URL;
  const env: Record<string, string> = {
    LATCHKEY_DATA_DIR: t.config.dataDir,
    LATCHKEY_SECRET_KEY: t.config.secretKey.toString('hex'),
    LOG_LEVEL: 'silent',
    ...(pgUrl
      ? {
          DATABASE_URL: `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${t.postgresSchema}`)}`,
        }
      : {}),
  };
  const code = await runCli(['seed', ...args], { stdin, stdout, stderr, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function count(table: keyof Database, where?: (db: Kysely<Database>) => Promise<number>): Promise<number> {
  if (where) return where(t.db);
  const row = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function indexNames(): Promise<string[]> {
  const rows = isPostgres(t.db as Kysely<unknown>)
    ? await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema()`.execute(
        t.db,
      )
    : await sql<{ name: string }>`select name from sqlite_master where type = 'index'`.execute(t.db);
  return rows.rows.map((r) => r.name).sort();
}

/** Every trigger, with whether it is on (PostgreSQL can turn one off). */
async function triggers(): Promise<string[]> {
  const rows = isPostgres(t.db as Kysely<unknown>)
    ? await sql<{
        name: string;
      }>`select c.relname || '.' || g.tgname || ' ' || g.tgenabled::text as name from pg_trigger g
        join pg_class c on c.oid = g.tgrelid where not g.tgisinternal and c.relnamespace = current_schema()::regnamespace`.execute(
        t.db,
      )
    : await sql<{ name: string }>`select name from sqlite_master where type = 'trigger'`.execute(t.db);
  return rows.rows.map((r) => r.name).sort();
}

const ACCOUNTS = 600;

/** The counters of migration 0016 hold what count(*) says, for every counted table. */
async function expectRowCountsExact(): Promise<void> {
  const counters = await t.db.selectFrom('row_counts').select(['table_name', 'row_count']).execute();
  expect(counters.map((c) => c.table_name).sort()).toEqual(['records', 'tasks', 'users']);
  for (const counter of counters) {
    expect(Number(counter.row_count), counter.table_name).toBe(await count(counter.table_name));
    expect(Number(counter.row_count), counter.table_name).toBeGreaterThan(0);
  }
}

describe('latchkey seed', () => {
  let indexesBefore: string[];
  let triggersBefore: string[];
  let firstRun: { stdout: string };

  beforeAll(async () => {
    t = await createTestApp();
    indexesBefore = await indexNames();
    triggersBefore = await triggers();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('seeds a database holding only its first Administrator (a fresh installation after setup)', async () => {
    await makeUser(t, ADMINISTRATOR_GROUP_ID);
    const auditBefore = await count('audit_events');
    const result = await seedCli([
      '--accounts',
      String(ACCOUNTS),
      '--records',
      '300',
      '--tasks',
      '200',
      '--events',
      '1000',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Sign in as `);
    expect(result.stdout).toContain(SEED_PASSWORD);
    firstRun = result;

    expect(await count('users')).toBe(ACCOUNTS + 1);
    expect(await count('records')).toBe(300);
    expect(await count('tasks')).toBe(200);
    expect(await count('login_history')).toBe(600);
    // 400 seeded events, and one entry for each custom group and the identity provider it made.
    expect(await count('audit_events')).toBe(auditBefore + 400 + 5);
  });

  it('marks every seeded account as synthetic, with unique emails', async () => {
    const users = await t.db.selectFrom('users').select(['email', 'email_normalized']).execute();
    const seeded = users.filter((u) => isSyntheticEmail(u.email));
    expect(seeded).toHaveLength(ACCOUNTS);
    expect(seeded.every((u) => u.email_normalized.endsWith(`@${SEED_DOMAIN}`))).toBe(true);
    expect(new Set(seeded.map((u) => u.email_normalized)).size).toBe(ACCOUNTS);
  });

  it('spreads accounts over every group, status, user type and MFA state', async () => {
    const seeded = await t.db
      .selectFrom('users as u')
      .innerJoin('security_groups as g', 'g.id', 'u.security_group_id')
      .select([
        'u.id',
        'u.security_group_id',
        'g.is_system',
        'u.status',
        'u.user_type',
        'u.sso_provider',
        'u.password_hash',
        'u.mfa_enrolled',
        'u.last_login_at',
        'u.first_name',
        'u.last_name',
        'u.title',
        'u.telephone',
        'u.functional_group',
      ])
      .where('u.email_normalized', 'like', `%@${SEED_DOMAIN}`)
      .execute();
    const groups = await t.db.selectFrom('security_groups').select(['id', 'is_system']).execute();
    const used = new Set(seeded.map((u) => u.security_group_id));
    for (const group of groups) expect(used.has(group.id), `group ${group.id}`).toBe(true);
    expect(groups.filter((g) => g.is_system === 0).length).toBeGreaterThanOrEqual(4);
    for (const id of Object.values(SYSTEM_GROUP_IDS)) expect(used.has(id)).toBe(true);

    const share = (test: (u: (typeof seeded)[number]) => boolean) => seeded.filter(test).length / seeded.length;
    expect(share((u) => u.status === 'enabled')).toBeGreaterThan(0.8);
    expect(share((u) => u.status === 'disabled')).toBeGreaterThan(0.02);
    expect(share((u) => u.user_type === 'sso')).toBeGreaterThan(0.05);
    // SSO accounts have their provider and no password; native ones the one shared hash.
    const sso = seeded.filter((u) => u.user_type === 'sso');
    expect(sso.every((u) => u.sso_provider === 'Seeded Okta' && u.password_hash === null)).toBe(true);
    const hashes = new Set(seeded.filter((u) => u.user_type === 'native').map((u) => u.password_hash));
    expect(hashes.size).toBe(1);
    expect([...hashes][0]).toMatch(/^\$argon2id\$/);
    expect(share((u) => u.last_login_at === null)).toBeGreaterThan(0.03);
    expect(share((u) => u.title !== '' && u.telephone !== '' && u.functional_group !== '')).toBeGreaterThan(0.3);
    // Names from many languages.
    expect(seeded.some((u) => /[^ -~]/.test(u.first_name + u.last_name))).toBe(true);

    const provider = await t.db.selectFrom('identity_providers').selectAll().executeTakeFirstOrThrow();
    expect(provider).toMatchObject({ name: 'Seeded Okta', enabled: 0 });
    expect(await count('sso_identities')).toBeGreaterThan(0);

    // MFA: off, pending (required, nothing set up) and on (a confirmed factor).
    const withFactor = new Set(
      (await t.db.selectFrom('mfa_factors').select('user_id').where('confirmed_at', 'is not', null).execute()).map(
        (f) => f.user_id,
      ),
    );
    expect(share((u) => u.mfa_enrolled === 0 && !withFactor.has(u.id))).toBeGreaterThan(0.5);
    expect(share((u) => u.mfa_enrolled === 1 && !withFactor.has(u.id))).toBeGreaterThan(0.02);
    expect(share((u) => withFactor.has(u.id))).toBeGreaterThan(0.1);
    const kinds = await t.db.selectFrom('mfa_factors').select('kind').distinct().execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(['passkey', 'totp']);
  });

  it('writes records, tasks and log entries that refer to seeded rows, spread over a year', async () => {
    if (!isPostgres(t.db as Kysely<unknown>)) {
      // The seed turns foreign-key checks off for its own connection while it writes.
      const problems = await sql`pragma foreign_key_check`.execute(t.db);
      expect(problems.rows).toEqual([]);
    }
    const span = await t.db
      .selectFrom('login_history')
      .select((eb) => [eb.fn.min('occurred_at').as('first'), eb.fn.max('occurred_at').as('last')])
      .executeTakeFirstOrThrow();
    const days = (Date.parse(String(span.last)) - Date.parse(String(span.first))) / 86_400_000;
    expect(days).toBeGreaterThan(300);
    expect(days).toBeLessThanOrEqual(366);
    const results = await t.db.selectFrom('login_history').select('success').distinct().execute();
    expect(results.map((r) => Number(r.success)).sort()).toEqual([0, 1]);
    const actions = await t.db.selectFrom('audit_events').select('action').distinct().execute();
    expect(actions.length).toBeGreaterThan(5);
    const statuses = await t.db.selectFrom('tasks').select('status').distinct().execute();
    expect(statuses).toHaveLength(5);
    const types = await t.db.selectFrom('records').select('type_id').distinct().execute();
    expect(types).toHaveLength(3);
  });

  it('leaves every index and trigger of the schema in place, and the triggers on', async () => {
    expect(await indexNames()).toEqual(indexesBefore);
    expect(await triggers()).toEqual(triggersBefore);
  });

  it('writes the sort copies of records and tasks as their triggers would', async () => {
    // The seed writes records.type_sort and tasks.assignee_sort itself (on PostgreSQL with the
    // triggers off while it loads): every row must hold what the triggers' formula gives.
    const wrongRecords = await sql<{ n: number | string }>`select count(*) as n from records r
      where r.type_sort <> (select t.name_normalized from record_types t where t.id = r.type_id)`.execute(t.db);
    expect(Number(wrongRecords.rows[0]!.n)).toBe(0);
    const wrongTasks = await sql<{ n: number | string }>`select count(*) as n from tasks t
      where t.assignee_sort <> coalesce((select u.first_name_normalized || ' ' || u.last_name_normalized || ' ' ||
        u.email_normalized from users u where u.id = t.assignee_user_id), '')`.execute(t.db);
    expect(Number(wrongTasks.rows[0]!.n)).toBe(0);
    const assigned = await sql<{
      n: number | string;
    }>`select count(*) as n from tasks where assignee_sort <> ''`.execute(t.db);
    expect(Number(assigned.rows[0]!.n)).toBeGreaterThan(100);
  });

  it('keeps the row counters of accounts, records and tasks exact (the unfiltered lists show them)', async () => {
    await expectRowCountsExact();
  });

  it("writes each account's MFA flag as the factors' triggers would, and the MFA filter agrees", async () => {
    // The seed writes users.mfa_factor_confirmed with the account, the factors' triggers off.
    const wrongFlags = await sql<{ n: number | string }>`select count(*) as n from users u
      where u.mfa_factor_confirmed <> case when exists (select 1 from mfa_factors f
        where f.user_id = u.id and f.confirmed_at is not null) then 1 else 0 end`.execute(t.db);
    expect(Number(wrongFlags.rows[0]!.n)).toBe(0);
    const statuses = await sql<{ mfa_status: string; n: number | string }>`select mfa_status, count(*) as n
      from users group by mfa_status order by mfa_status`.execute(t.db);
    expect(statuses.rows.map((r) => r.mfa_status)).toEqual(['off', 'on', 'pending']);
    const wrongStatus = await sql<{ n: number | string }>`select count(*) as n from users where mfa_status <>
      case when mfa_factor_confirmed = 1 then 'on' when mfa_enrolled = 1 then 'pending' else 'off' end`.execute(t.db);
    expect(Number(wrongStatus.rows[0]!.n)).toBe(0);
  });

  it('writes PostgreSQL array literals that read back as the values', async () => {
    if (!isPostgres(t.db as Kysely<unknown>)) return;
    const texts = [
      'plain',
      'a"b',
      'c\\d',
      '\\"',
      null,
      'Åsa Strauß',
      '',
      'NULL',
      ' x ',
      '{}',
      'a,b',
      "O'Brien",
      '{"a":1}',
    ];
    const read = await sql<{ v: (string | null)[] }>`select ${arrayLiteral(texts)}::text[] as v`.execute(t.db);
    expect(read.rows[0]!.v).toEqual(texts);
    const numbers = [0, 1, null, 60, -5];
    const readNumbers = await sql<{ v: (number | null)[] }>`select ${arrayLiteral(numbers)}::int[] as v`.execute(t.db);
    expect(readNumbers.rows[0]!.v).toEqual(numbers);
    // And every seeded audit entry's details are the JSON the seed wrote (quotes and all).
    const details = await t.db.selectFrom('audit_events').select('details').execute();
    expect(details.every((d) => typeof JSON.parse(String(d.details)) === 'object')).toBe(true);
  });

  it('fills the search indexes (SQLite) exactly as their triggers would', () => {
    if (isPostgres(t.db as Kysely<unknown>)) return;
    const handle = databaseHandleOf(t.db);
    if (handle.kind !== 'sqlite') throw new Error('not SQLite');
    const db = handle.sqlite;
    // Each index is compared with what the triggers make of the same rows: every row is deleted
    // and written again, in its original order, by the triggers, and all of it rolled back.
    const sameAsTriggers = (table: 'users' | 'tasks', keyColumn: string, rows: number) => {
      db.exec(
        `create virtual table if not exists temp.${table}_search_terms using fts5vocab(main, ${table}_search, instance)`,
      );
      const snapshot = () => ({
        keys: db.prepare(`select n, ${keyColumn} from ${table}_search_keys order by n`).all(),
        terms: db.prepare(`select term, doc, col, offset from temp.${table}_search_terms order by 1, 2, 3, 4`).all(),
      });
      const columns = (db.prepare(`pragma table_info(${table})`).all() as { name: string }[])
        .map((c) => `"${c.name}"`)
        .join(', ');
      db.exec('begin');
      try {
        db.exec('pragma defer_foreign_keys = on');
        db.exec(`insert into ${table}_search (${table}_search) values ('optimize')`);
        const seeded = snapshot();
        expect(seeded.keys.length).toBe(rows);
        expect(seeded.terms.length).toBeGreaterThan(rows * 5);
        db.exec(`create temp table ${table}_copy as select rowid as row_number, ${columns} from ${table}`);
        db.exec(`delete from ${table}`);
        expect(db.prepare(`select count(*) from ${table}_search_keys`).pluck().get()).toBe(0);
        db.exec(
          `insert into ${table} (rowid, ${columns}) select row_number, ${columns} from temp.${table}_copy order by 1`,
        );
        db.exec(`insert into ${table}_search (${table}_search) values ('optimize')`);
        expect(snapshot()).toEqual(seeded);
      } finally {
        db.exec('rollback');
      }
      expect(db.prepare(`select count(*) from ${table}`).pluck().get()).toBe(rows);
    };
    sameAsTriggers('users', 'user_id', ACCOUNTS + 1);
    sameAsTriggers('tasks', 'task_id', db.prepare('select count(*) from tasks').pluck().get() as number);
  });

  it('seeded native accounts sign in with the documented password, and the lists work on the data', async () => {
    const email = /Sign in as (\S+)/.exec(firstRun.stdout)![1]!;
    const admin = await signIn(t, email, SEED_PASSWORD);
    for (const url of [
      '/api/v1/users?pageSize=25',
      '/api/v1/users?sort=lastName&order=desc',
      '/api/v1/users?search=hop',
      '/api/v1/users?mfa=pending',
      '/api/v1/records?sort=owner',
      '/api/v1/tasks?sort=dueDate',
      '/api/v1/logs/audit?action=user.updated',
      '/api/v1/logs/logins?result=failure',
      '/api/v1/users/export.csv',
    ]) {
      const response = await admin.request({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
    }
    const page = await admin.request({ method: 'GET', url: '/api/v1/users?pageSize=500' });
    expect(page.json<{ users: unknown[] }>().users.length).toBe(500);
  });

  it('refuses a database holding accounts that are not synthetic, and changes nothing', async () => {
    await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const users = await count('users');
    const result = await seedCli(['--accounts', '10']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not synthetic.*--force/s);
    expect(await count('users')).toBe(users);
  });

  it('seeds anyway with --force, in a fresh subdomain so emails stay unique', async () => {
    const users = await count('users');
    const result = await seedCli(['--accounts', '20', '--records', '5', '--tasks', '5', '--events', '10', '--force']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await count('users')).toBe(users + 20);
    const domain = /accounts are at @(\S+?)\.\s/.exec(result.stdout)![1]!;
    expect(domain).toMatch(new RegExp(`^r[0-9a-f]{6}\\.${SEED_DOMAIN.replace(/\./g, '\\.')}$`));
    // The custom groups and the identity provider were found again, not made twice.
    expect(await count('identity_providers')).toBe(1);
    // Counted on top of the rows already there.
    await expectRowCountsExact();
  });

  it('asks for accounts to own records, tasks and events', async () => {
    const result = await seedCli(['--accounts', '0', '--events', '5', '--force']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/add --accounts/);
  });
});

describe("the seed's shortcuts give what the plain way gives", () => {
  it('orders accounts by email as a sort of the emails does', () => {
    const fake = {
      count: 30_000,
      // Any spread of name indexes: the order must hold for every one (duplicated folds included).
      firstIndex: (i: number) => (i * 7919) % NAME_COUNTS.first,
      lastIndex: (i: number) => (i * 104_729) % NAME_COUNTS.last,
    };
    const order = Array.from(emailOrder(fake));
    const emails = order.map((i) => seededEmail(fake.firstIndex(i), fake.lastIndex(i), i, SEED_DOMAIN));
    expect(new Set(order).size).toBe(fake.count);
    expect(emails).toEqual([...emails].sort());
  });

  it('makes ascending, distinct version 4 UUIDs', () => {
    const ids = ascendingUuids(50_000);
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(
      true,
    );
    expect(ids.every((id, k) => k === 0 || ids[k - 1]! < id)).toBe(true);
  });

  it('writes times as toISOString does', () => {
    const start = Date.parse('2024-02-28T00:00:00Z');
    for (let k = 0; k < 5_000; k++) {
      const ms = start + Math.floor(Math.random() * 3 * 365 * 86_400_000);
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
    for (const ms of [start, start - 1, start + 999, Date.parse('2024-12-31T23:59:59.999Z')])
      expect(iso(ms)).toBe(new Date(ms).toISOString());
  });
});
