import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPendingMigrations, migrateToLatest } from '../../src/server/db/migrate.js';
import { MIGRATIONS } from '../../src/server/db/migrations/index.js';
import { SYSTEM_GROUP_IDS, SYSTEM_GROUPS } from '../../src/shared/permissions.js';
import { createTestApp, makeUser, whileOthersDropSchemas, usingPostgres, type TestApp } from '../helpers/test-app.js';
import { makeTask } from '../helpers/tasks-fixtures.js';
import { listTasks } from '../../src/server/services/task-list.js';

async function groupPermissionsInDb(t: TestApp): Promise<Record<string, string[]>> {
  const rows = await t.db.selectFrom('group_permissions').selectAll().execute();
  const byGroup: Record<string, string[]> = {};
  for (const row of rows) (byGroup[row.group_id] ??= []).push(row.permission);
  for (const list of Object.values(byGroup)) list.sort();
  return byGroup;
}

describe('migrations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('seeds the five system groups with exactly the permissions of permissions.ts', async () => {
    const groups = await t.db.selectFrom('security_groups').selectAll().orderBy('id').execute();
    expect(groups.map((g) => [g.id, g.name, g.is_system])).toEqual(
      [...SYSTEM_GROUPS].sort((a, b) => a.id.localeCompare(b.id)).map((g) => [g.id, g.name, 1]),
    );
    const expected = Object.fromEntries(SYSTEM_GROUPS.map((g) => [g.id, [...g.permissions].sort()]));
    expect(await groupPermissionsInDb(t)).toEqual(expected);
  });

  it('running the migrations again changes nothing and puts tampered system-group permissions back', async () => {
    await t.db
      .deleteFrom('group_permissions')
      .where('group_id', '=', 'regular-user')
      .where('permission', '=', 'records:view')
      .execute();
    await t.db
      .insertInto('group_permissions')
      .values({ group_id: 'read-only-user', permission: 'users_groups:delete' })
      .execute();
    expect(await whileOthersDropSchemas(() => migrateToLatest(t.db))).toEqual([]);
    const expected = Object.fromEntries(SYSTEM_GROUPS.map((g) => [g.id, [...g.permissions].sort()]));
    expect(await groupPermissionsInDb(t)).toEqual(expected);
  });

  // Regression: Kysely looked for kysely_migration_lock in every schema of the database, so a second
  // schema holding one (another app, a parallel test file) made migrations fail with
  // 'relation "kysely_migration_lock" does not exist'.
  it.runIf(usingPostgres)(
    'migrates a fresh PostgreSQL schema while another schema of the same database holds Kysely tables',
    async () => {
      const second = await createTestApp();
      try {
        const third = await createTestApp();
        await third.close();
        expect(await second.db.selectFrom('security_groups').select('id').execute()).toHaveLength(SYSTEM_GROUPS.length);
      } finally {
        await second.close();
      }
    },
  );
});

/**
 * Undoes `first` and every later migration that is applied, newest first (Kysely runs migrations strictly in
 * order), and returns their names oldest first: what the next migrateToLatest must apply again.
 */
async function undoMigrationsFrom(t: TestApp, first: string): Promise<string[]> {
  const applied = new Set(
    (await sql<{ name: string }>`select name from kysely_migration`.execute(t.db)).rows.map((row) => row.name),
  );
  const undone = Object.keys(MIGRATIONS).filter((name) => name >= first && applied.has(name));
  for (const name of [...undone].reverse()) {
    await MIGRATIONS[name]!.down!(t.db as Kysely<unknown>);
    // Kysely's own record of the migrations run: forget it so the next start runs it again.
    await sql`delete from kysely_migration where name = ${name}`.execute(t.db);
  }
  return undone;
}

describe('migration 0002-user-list-sort-indexes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  const SORT_INDEXES = ['users_functional_group_sort_idx', 'users_telephone_sort_idx', 'users_title_sort_idx'];

  async function userIndexes(): Promise<string[]> {
    const query =
      t.databaseKind === 'postgres'
        ? sql<{
            name: string;
          }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = 'users'`
        : sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'users'`;
    return (await query.execute(t.db)).rows.map((row) => row.name).sort();
  }

  it('creates the Title, Telephone and Functional Group sort indexes', async () => {
    expect(await userIndexes()).toEqual(expect.arrayContaining(SORT_INDEXES));
  });

  it('undoes cleanly, and applies to a database that already holds accounts', async () => {
    await makeUser(t, SYSTEM_GROUP_IDS.regularUser, {
      title: 'Engineer',
      telephone: '+1 555 0100',
      functionalGroup: 'Ops',
    });
    const undone = await undoMigrationsFrom(t, '0002-user-list-sort-indexes');
    expect((await userIndexes()).filter((name) => SORT_INDEXES.includes(name))).toEqual([]);
    expect(await whileOthersDropSchemas(() => listPendingMigrations(t.db))).toEqual(undone);

    expect(await whileOthersDropSchemas(() => migrateToLatest(t.db))).toEqual(undone);
    expect(await userIndexes()).toEqual(expect.arrayContaining(SORT_INDEXES));
    expect(await whileOthersDropSchemas(() => listPendingMigrations(t.db))).toEqual([]);
  });
});

describe('migration 0003-log-indexes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  async function auditIndexes(): Promise<string[]> {
    const query =
      t.databaseKind === 'postgres'
        ? sql<{
            name: string;
          }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = 'audit_events'`
        : sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'audit_events'`;
    return (await query.execute(t.db)).rows.map((row) => row.name).sort();
  }

  it('creates the action index, undoes cleanly and applies again (0013 then replaces it)', async () => {
    // At the latest version 0013 has replaced it with (action, occurred_at, id).
    expect(await auditIndexes()).not.toContain('audit_events_action_occurred_at_idx');
    expect(await auditIndexes()).toContain('audit_events_action_time_idx');
    // 0013 and every migration after it (undone first).
    const fromThirteen = Object.keys(MIGRATIONS).filter((name) => name >= '0013-log-indexes-and-retention');
    expect(await undoMigrationsFrom(t, '0013-log-indexes-and-retention')).toEqual(fromThirteen);
    expect(await auditIndexes()).toContain('audit_events_action_occurred_at_idx');
    expect(await auditIndexes()).not.toContain('audit_events_action_time_idx');
    const undone = await undoMigrationsFrom(t, '0003-log-indexes');
    expect(await auditIndexes()).not.toContain('audit_events_action_occurred_at_idx');
    expect(await whileOthersDropSchemas(() => migrateToLatest(t.db))).toEqual([...undone, ...fromThirteen]);
    expect(await auditIndexes()).toEqual(
      [
        'audit_events_action_time_idx',
        'audit_events_actor_action_time_idx',
        'audit_events_actor_time_idx',
        'audit_events_identity_provider_idx',
        'audit_events_target_time_idx',
        'audit_events_time_idx',
        ...(t.databaseKind === 'postgres' ? ['audit_events_pkey'] : []),
      ].sort(),
    );
    const settings = await t.db.selectFrom('installation_settings').select('log_retention_days').executeTakeFirst();
    expect(settings).toEqual({ log_retention_days: null });
  });
});

describe('migration 0004-platform-data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('creates the built-in record types, undoes cleanly and applies again', async () => {
    const typeNames = async () =>
      (await t.db.selectFrom('record_types').select('name').orderBy('name').execute()).map((row) => row.name);
    expect(await typeNames()).toEqual(['Application', 'Computer', 'User']);
    const undone = await undoMigrationsFrom(t, '0004-platform-data');
    expect(undone[0]).toBe('0004-platform-data');
    expect(await whileOthersDropSchemas(() => migrateToLatest(t.db))).toEqual(undone);
    expect(await typeNames()).toEqual(['Application', 'Computer', 'User']);
  });
});

describe('migration 0005-mfa', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('creates the MFA tables, undoes cleanly and applies again', async () => {
    const count = async () => {
      const rows = await Promise.all(
        (['mfa_factors', 'mfa_recovery_codes', 'mfa_challenges'] as const).map((table) =>
          t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow(),
        ),
      );
      return rows.map((row) => Number(row.n));
    };
    expect(await count()).toEqual([0, 0, 0]);
    const undone = await undoMigrationsFrom(t, '0005-mfa');
    expect(undone[0]).toBe('0005-mfa');
    await expect(count()).rejects.toThrow();
    expect(await whileOthersDropSchemas(() => migrateToLatest(t.db))).toEqual(undone);
    expect(await count()).toEqual([0, 0, 0]);
  });
});

describe('migration 0015-tasks-search-and-status-title', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('applies to a database that holds tasks (their titles searchable at once), undoes cleanly and applies again', async () => {
    const titles = ['Patch the VPN gateway', 'Renew certificate of Straße 5', 'Review access for payroll'];
    for (const title of titles) await makeTask(t, { title });
    const actor = { user: { id: 'nobody' } } as Parameters<typeof listTasks>[1];
    const found = async (search: string) =>
      (await listTasks(t.db, actor, { search, sort: 'title', order: 'asc', pageSize: 10 })).rows.map((r) => r.title);
    const undone = await undoMigrationsFrom(t, '0015-tasks-search-and-status-title');
    expect(undone[0]).toBe('0015-tasks-search-and-status-title');
    // Written while 0012's search table was in place: 0015 must index it too.
    await makeTask(t, { title: 'Patch the badge reader' });
    expect(await whileOthersDropSchemas(() => migrateToLatest(t.db))).toEqual(undone);
    expect(await found('PATCH')).toEqual(['Patch the badge reader', 'Patch the VPN gateway']);
    expect(await found('straße')).toEqual(['Renew certificate of Straße 5']);
    await makeTask(t, { title: 'Patch after the migration' });
    expect(await found('patch')).toHaveLength(3);
  });
});

describe('migration 0016-row-counts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  const counters = async () =>
    Object.fromEntries(
      (await t.db.selectFrom('row_counts').select(['table_name', 'row_count']).execute()).map((c) => [
        c.table_name,
        Number(c.row_count),
      ]),
    );
  const counted = async () => {
    const n = async (table: 'users' | 'records' | 'tasks') =>
      Number(
        (
          await t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { users: await n('users'), records: await n('records'), tasks: await n('tasks') };
  };

  it('counts the rows already there, undoes cleanly and counts again when applied again', async () => {
    await makeTask(t, { title: 'Before the counters' });
    expect(await counters()).toEqual(await counted());
    const undone = await undoMigrationsFrom(t, '0016-row-counts');
    expect(undone).toEqual(Object.keys(MIGRATIONS).filter((name) => name >= '0016-row-counts'));
    // Written with no counter in place: applying the migration again must count it.
    await makeTask(t, { title: 'While the counters were gone' });
    expect(await whileOthersDropSchemas(() => migrateToLatest(t.db))).toEqual(undone);
    expect(await counters()).toEqual(await counted());
    await makeTask(t, { title: 'After the counters came back' });
    expect(await counters()).toEqual(await counted());
  });
});

describe('migration 0017-session-details', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('names the sessions already there and says how they signed in, undoes cleanly and applies again', async () => {
    const undone = await undoMigrationsFrom(t, '0017-session-details');
    expect(undone).toEqual(Object.keys(MIGRATIONS).filter((name) => name >= '0017-session-details'));
    const password = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const withFactor = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const now = new Date().toISOString();
    await sql`insert into mfa_factors (id, user_id, kind, name, secret_encrypted, created_at, confirmed_at)
      values ('factor-0017', ${withFactor.id}, 'totp', 'Phone', 'x', ${now}, ${now})`.execute(t.db);
    // Sessions written before the migration, without its columns.
    for (const [hash, userId] of [
      ['hash-0017-a', password.id],
      ['hash-0017-b', password.id],
      ['hash-0017-c', withFactor.id],
    ])
      await sql`insert into sessions (id_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
        values (${hash}, ${userId}, ${now}, ${now}, ${now}, '192.0.2.1', 'old')`.execute(t.db);
    expect(await whileOthersDropSchemas(() => migrateToLatest(t.db))).toEqual(undone);
    const rows = await t.db
      .selectFrom('sessions')
      .select(['id_hash', 'public_id', 'sign_in_method'])
      .where('id_hash', 'like', 'hash-0017-%')
      .orderBy('id_hash')
      .execute();
    expect(rows.map((row) => row.sign_in_method)).toEqual(['password', 'password', 'mfa']);
    expect(new Set(rows.map((row) => row.public_id)).size).toBe(3);
    for (const row of rows) expect(row.public_id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('migration 0025-password-reset-links', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('turns self-service password reset on for an existing installation, undoes cleanly and applies again', async () => {
    const undone = await undoMigrationsFrom(t, '0025-password-reset-links');
    expect(undone).toEqual(Object.keys(MIGRATIONS).filter((name) => name >= '0025-password-reset-links'));
    expect(await whileOthersDropSchemas(() => migrateToLatest(t.db))).toEqual(undone);
    const settings = await t.db.selectFrom('installation_settings').selectAll().executeTakeFirstOrThrow();
    expect(settings.self_service_password_reset).toBe(1);
    expect(await t.db.selectFrom('password_reset_links').selectAll().execute()).toEqual([]);
  });
});

describe('migration 0027-audit-identity-provider', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('names the provider of SCIM entries written before, undoes cleanly and applies again', async () => {
    const undone = await undoMigrationsFrom(t, '0027-audit-identity-provider');
    expect(undone).toEqual(Object.keys(MIGRATIONS).filter((name) => name >= '0027-audit-identity-provider'));
    const now = new Date().toISOString();
    // Entries written before the migration, without its column: the provider only in the details.
    for (const [action, details] of [
      ['scim.user_created', { provider: 'Okta', providerId: 'provider-0027', via: 'scim' }],
      ['scim.group_deleted', { provider: 'Okta', providerId: 'provider-0027', via: 'scim' }],
      ['user.created', { providerId: 'not-scim' }],
    ] as const)
      await sql`insert into audit_events (occurred_at, action, details, ip)
        values (${now}, ${action}, ${JSON.stringify(details)}, null)`.execute(t.db);
    expect(await whileOthersDropSchemas(() => migrateToLatest(t.db))).toEqual(undone);
    const rows = await t.db
      .selectFrom('audit_events')
      .select(['action', 'identity_provider_id'])
      .where('occurred_at', '=', now)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { action: 'scim.user_created', identity_provider_id: 'provider-0027' },
      { action: 'scim.group_deleted', identity_provider_id: 'provider-0027' },
      { action: 'user.created', identity_provider_id: null },
    ]);
  });
});
