import type { Kysely } from 'kysely';

/** The default Maximum Session Timeout: an hour, the same as a new account's own default. */
const DEFAULT_MAX_SESSION_TIMEOUT_MINUTES = 60;

/**
 * Installation-wide settings an Administrator changes: one row, so the
 * session check can read it in the same query as the session, and a change reaches every node on
 * its very next request (nothing is cached per process).
 *
 * - max_session_timeout_minutes: the longest inactivity timeout any account may choose; the
 *   session check uses min(account's timeout, this). Accounts that already have a longer timeout
 *   keep their stored value (nothing is rewritten here) but are capped from now on.
 *
 * The Administrator's new permission (administration:manage_settings) needs no rows here: the
 * system groups' permissions are re-synced from permissions.ts after every migration (migrate.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('installation_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('max_session_timeout_minutes', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('installation_settings' as never)
    .values({
      id: 'installation',
      max_session_timeout_minutes: DEFAULT_MAX_SESSION_TIMEOUT_MINUTES,
      updated_at: new Date().toISOString(),
    })
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('installation_settings').execute();
}
