import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * Signals for the credential cache (auth/credential-cache.ts): every write that can change what a
 * session or API token is allowed to do is announced by the database itself, in the writing
 * transaction, so no code path (a service, the CLI, an operator's own SQL) can forget to.
 *
 * PostgreSQL: triggers call pg_notify('latchkey_credential_changes', <account id, or * for all>).
 * A notification is delivered only when its transaction commits, to every node's listening
 * connection (auth/credential-changes.ts), in commit order.
 *
 * SQLite (one process): triggers add one to credential_change_counter; the process reads that
 * counter (one indexed row) before it answers from the cache, and forgets everything when it moved.
 * That also catches writes by other processes on the same file (the CLI).
 *
 * What signals: any change or deletion of an account; a session or API token deleted (sign-out,
 * regenerate, revoke, disable) or re-pointed; an MFA factor added, confirmed or removed; any change
 * of a security group, its permissions, the installation settings or an identity provider. What
 * does not: the coalesced "last seen" / "last used" writes (sessions.last_seen_at,
 * api_tokens.last_used_*), which would otherwise turn reads into notifications.
 */
const CHANNEL = 'latchkey_credential_changes';

/**
 * Per table: the trigger events, and the column naming the account concerned (null: every account).
 * Released: migration 0028 rebuilds SQLite's triggers from this same list.
 */
export const SIGNALS: { table: string; events: string; account: 'id' | 'user_id' | null }[] = [
  { table: 'users', events: 'UPDATE OR DELETE', account: 'id' },
  {
    table: 'sessions',
    events: 'DELETE OR UPDATE OF id_hash, user_id, expires_at, identity_provider_id',
    account: 'user_id',
  },
  { table: 'api_tokens', events: 'DELETE OR UPDATE OF token_hash, user_id', account: 'user_id' },
  { table: 'mfa_factors', events: 'INSERT OR UPDATE OR DELETE', account: 'user_id' },
  { table: 'security_groups', events: 'INSERT OR UPDATE OR DELETE', account: null },
  { table: 'group_permissions', events: 'INSERT OR UPDATE OR DELETE', account: null },
  { table: 'installation_settings', events: 'INSERT OR UPDATE OR DELETE', account: null },
  { table: 'identity_providers', events: 'UPDATE OR DELETE', account: null },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    // One function per scope; PostgreSQL folds identical notifications of one transaction into
    // one. OLD is NULL in an INSERT trigger, NEW in a DELETE one.
    await sql`
      CREATE FUNCTION latchkey_signal_account_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(${sql.lit(CHANNEL)}, COALESCE(OLD.user_id, NEW.user_id)::text);
        RETURN NULL;
      END $$`.execute(db);
    await sql`
      CREATE FUNCTION latchkey_signal_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(${sql.lit(CHANNEL)}, OLD.id::text);
        RETURN NULL;
      END $$`.execute(db);
    await sql`
      CREATE FUNCTION latchkey_signal_change_of_all() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(${sql.lit(CHANNEL)}, '*');
        RETURN NULL;
      END $$`.execute(db);
    for (const { table, events, account } of SIGNALS) {
      const fn =
        account === null
          ? 'latchkey_signal_change_of_all'
          : account === 'id'
            ? 'latchkey_signal_user_change'
            : 'latchkey_signal_account_change';
      const level = account === null ? 'STATEMENT' : 'ROW';
      await sql
        .raw(
          `CREATE TRIGGER ${table}_credential_signal AFTER ${events} ON ${table} FOR EACH ${level} EXECUTE FUNCTION ${fn}()`,
        )
        .execute(db);
    }
    return;
  }

  await db.schema
    .createTable('credential_change_counter')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO credential_change_counter (id, value) VALUES (1, 0)`.execute(db);
  // SQLite has no "OR" between trigger events: one trigger per event.
  for (const { table, events } of SIGNALS) {
    for (const [index, event] of events.split(' OR ').entries()) {
      await sql
        .raw(
          `CREATE TRIGGER ${table}_credential_signal_${index} AFTER ${event} ON ${table} ` +
            'BEGIN UPDATE credential_change_counter SET value = value + 1 WHERE id = 1; END',
        )
        .execute(db);
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    for (const { table } of SIGNALS) await sql.raw(`DROP TRIGGER ${table}_credential_signal ON ${table}`).execute(db);
    for (const fn of ['latchkey_signal_account_change', 'latchkey_signal_user_change', 'latchkey_signal_change_of_all'])
      await sql.raw(`DROP FUNCTION ${fn}()`).execute(db);
    return;
  }
  for (const { table, events } of SIGNALS) {
    for (const index of events.split(' OR ').keys())
      await sql.raw(`DROP TRIGGER ${table}_credential_signal_${index}`).execute(db);
  }
  await db.schema.dropTable('credential_change_counter').execute();
}
