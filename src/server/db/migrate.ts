import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { SYSTEM_GROUPS } from '../../shared/permissions.js';
import { nowIso } from '../clock.js';
import type { Db } from './connection.js';
import { isPostgres } from './portable.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Brings the schema up to date, then makes the five system groups match permissions.ts exactly
 * (so a release that changes a system group's rights applies them on its first start).
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = await createMigrator(db);
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(result.error)}`, {
      cause: result.error,
    });
  }
  await syncSystemGroups(db);
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations this build has and the database has not run yet (the CLI checks them). */
export async function listPendingMigrations(db: Db): Promise<string[]> {
  const migrator = await createMigrator(db);
  return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

async function createMigrator(db: Db): Promise<Migrator> {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
    // Unless told the schema, Kysely takes a kysely_migration_lock table in ANY schema as its own and
    // then fails to find it on the search_path: another schema of the same PostgreSQL database (a
    // second app, a parallel test run) must never decide whether our migrations run.
    ...(isPostgres(db as Kysely<unknown>) ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
}

async function currentSchema(db: Db): Promise<string> {
  const result = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = result.rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL has no current schema: check the search_path of the database user.');
  return schema;
}

async function syncSystemGroups(db: Db): Promise<void> {
  const now = nowIso();
  await db.transaction().execute(async (trx) => {
    for (const group of SYSTEM_GROUPS) {
      const existing = await trx
        .selectFrom('security_groups')
        .select('id')
        .where('id', '=', group.id)
        .executeTakeFirst();
      if (existing) {
        await trx
          .updateTable('security_groups')
          .set({ name: group.name, description: group.description, is_system: 1 })
          .where('id', '=', group.id)
          .execute();
      } else {
        await trx
          .insertInto('security_groups')
          .values({
            id: group.id,
            name: group.name,
            description: group.description,
            is_system: 1,
            created_at: now,
            updated_at: now,
          })
          .execute();
      }
      await trx.deleteFrom('group_permissions').where('group_id', '=', group.id).execute();
      await trx
        .insertInto('group_permissions')
        .values(group.permissions.map((permission) => ({ group_id: group.id, permission })))
        .execute();
    }
  });
}
