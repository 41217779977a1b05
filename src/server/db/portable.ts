/** The few places where SQLite and PostgreSQL need different SQL, kept together. */
import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An auto-incrementing integer primary key column type. */
export function autoIncrementId(db: Kysely<unknown>): 'serial' | 'integer' {
  // SQLite: an INTEGER PRIMARY KEY is the rowid and increments by itself.
  return isPostgres(db) ? 'serial' : 'integer';
}

/** True for a unique-constraint violation (a primary key included), as either database reports it. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // PostgreSQL reports a duplicate primary key as 23505 too; SQLite has a code of its own for it.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A column for file contents (attachments): BLOB on SQLite, BYTEA on PostgreSQL. */
export function binaryColumn(db: Kysely<unknown>): 'bytea' | 'blob' {
  return isPostgres(db) ? 'bytea' : 'blob';
}

/**
 * A text column written so that no index serves a condition on it. For a filter most rows pass,
 * the planner then reads the list's sort index in order and checks each row, stopping after a
 * page, instead of fetching every match by the filter's index and sorting them all.
 * SQLite: unary + (its documented way to keep a term from an index); PostgreSQL: an expression no
 * index is on.
 */
export function unindexed(db: Kysely<unknown>, column: string): RawBuilder<string> {
  return isPostgres(db) ? sql<string>`(${sql.ref(column)} || '')` : sql<string>`+${sql.ref(column)}`;
}

/**
 * Runs `work` in a PostgreSQL transaction whose planner prices a random page read as on SSDs or in
 * memory (random_page_cost 1.1, not the default 4, which assumes spinning disks), for that
 * transaction only. For counting a users search's substring matches (up to 5,001): with 4, the
 * planner read the users table from its start, expecting the matches spread evenly and an early
 * stop ("son" at a million accounts: 108,000 rows read, 41-48 ms), rather than the trigram index (9
 * ms); a search that matches nearly everyone (a company's domain) still reads the table and stops
 * at once. Not for the whole connection: there it also moved the tasks' title search onto a worse
 * plan (its matches sit together in the title index, which the planner assumes they do not).
 */
export async function withRandomReadsPricedForSsd<DB, T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set local random_page_cost = 1.1`.execute(trx);
    return work(trx);
  });
}
