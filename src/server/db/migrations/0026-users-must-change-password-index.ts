import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * The users list's "Must change password" filter at a million accounts, as the other filters are
 * served (migration 0011): an index (must_change_password, email, id), so the filter with the
 * default sort is one range of it in keyset order, and a count of the few accounts marked stops
 * after its limit without touching the table. Email by code point, as the list sorts it (on
 * PostgreSQL the "C" collation).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const email = isPostgres(db) ? sql`email_normalized collate "C"` : sql`email_normalized`;
  await sql`create index users_must_change_password_email_idx on users (must_change_password, ${email}, id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index users_must_change_password_email_idx`.execute(db);
}
