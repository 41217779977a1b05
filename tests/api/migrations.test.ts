import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/server/db/migrate.js';
import { SYSTEM_GROUPS } from '../../src/shared/permissions.js';
import { createTestApp, usingPostgres, type TestApp } from '../helpers/test-app.js';

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
    expect(await migrateToLatest(t.db)).toEqual([]);
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
