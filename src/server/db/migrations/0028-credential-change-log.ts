import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../portable.js';
import { SIGNALS } from './0010-credential-change-signals.js';

/**
 * SQLite's credential-change signal names the account concerned, as PostgreSQL's notifications
 * always have (migration 0010). Before, SQLite's triggers only counted changes, so the process
 * forgot every cached credential whenever anything changed — every successful sign-in (it writes
 * users.last_login_at) emptied the cache of every other signed-in person.
 *
 * Now each trigger also appends (counter value, account ID or NULL for every account) to
 * credential_change_log, and keeps only the newest LOG_KEPT rows. The process still reads the
 * counter alone on each request (auth/credential-changes.ts); only when it moved does it read the
 * rows since, and forgets just those accounts — or everything when a row says so or rows it needs
 * were already pruned (it was away for more than LOG_KEPT changes, e.g. a CLI bulk import).
 *
 * The account is the row's account before the change (NEW's for an INSERT), as PostgreSQL's
 * triggers do: cached credentials are filed under the account they were read for.
 */
const LOG_KEPT = 1_000;

type Signal = (typeof SIGNALS)[number];

function accountOf(signal: Signal, event: string): string {
  if (signal.account === null) return 'NULL';
  return `${event === 'INSERT' ? 'NEW' : 'OLD'}.${signal.account}`;
}

function sqliteTriggers(body: (signal: Signal, event: string) => string): { name: string; sql: string }[] {
  return SIGNALS.flatMap((signal) =>
    signal.events.split(' OR ').map((event, index) => {
      const name = `${signal.table}_credential_signal_${index}`;
      return { name, sql: `CREATE TRIGGER ${name} AFTER ${event} ON ${signal.table} BEGIN ${body(signal, event)} END` };
    }),
  );
}

const COUNT = 'UPDATE credential_change_counter SET value = value + 1 WHERE id = 1;';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) return; // PostgreSQL's notifications name the account already.
  await sql`CREATE TABLE credential_change_log (seq INTEGER PRIMARY KEY, account_id TEXT)`.execute(db);
  const triggers = sqliteTriggers(
    (signal, event) =>
      `${COUNT} ` +
      `INSERT INTO credential_change_log (seq, account_id) SELECT value, ${accountOf(signal, event)} FROM credential_change_counter WHERE id = 1; ` +
      `DELETE FROM credential_change_log WHERE seq <= (SELECT value FROM credential_change_counter WHERE id = 1) - ${LOG_KEPT};`,
  );
  for (const trigger of triggers) {
    await sql.raw(`DROP TRIGGER ${trigger.name}`).execute(db);
    await sql.raw(trigger.sql).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) return;
  for (const trigger of sqliteTriggers(() => COUNT)) {
    await sql.raw(`DROP TRIGGER ${trigger.name}`).execute(db);
    await sql.raw(trigger.sql).execute(db);
  }
  await sql`DROP TABLE credential_change_log`.execute(db);
}
