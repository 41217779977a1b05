import { setImmediate as nextTurn } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SelectQueryBuilder } from 'kysely';
import { databaseHandleOf, loadPg, type Db } from './connection.js';
import { keysetPage, type KeysetSort } from './paging.js';
import type { Database } from './schema.js';

/**
 * Reading a whole table (a CSV export of a million rows) as it was at one instant, without holding
 * up anyone else, in constant memory.
 *
 * The rows come from a connection of the export's own, inside one read-only transaction that sees
 * one snapshot: rows inserted, deleted or changed while the export runs neither appear twice nor
 * go missing, and nothing waits for the export. On PostgreSQL that is a REPEATABLE READ READ ONLY
 * transaction on a connection opened for it (not one of the app's pool); on SQLite (WAL) a second,
 * read-only connection to the same file, whose open read transaction keeps its snapshot however
 * many commits the app makes meanwhile. The rows are read in keyset batches (one index range each,
 * whatever the depth) and the event loop gets a turn between batches, so requests keep being
 * answered. The caller pulls one batch at a time: a slow client slows the reading, never fills memory.
 */

/** Rows per batch: large enough that per-batch costs vanish, small enough to stay a few hundred KB. */
export const SNAPSHOT_BATCH_SIZE = 1000;

/** A query on the snapshot's connection, and the keyset sort its batches follow (see paging.ts). */
export interface SnapshotQuery<DB, TB extends keyof DB, R> {
  query: (reader: Kysely<Database>) => SelectQueryBuilder<DB, TB, R>;
  /** The sort, or a function giving it for the snapshot's connection (if it reads more than `query`). */
  sort: KeysetSort<R> | ((reader: Kysely<Database>) => KeysetSort<R>);
  batchSize?: number;
}

/**
 * The rows of `query` in `sort`'s order, batch by batch, all from one snapshot taken when the first
 * batch is read. Stop early (break, or destroy the stream reading it) and the transaction ends and
 * the connection closes all the same.
 */
export async function* snapshotBatches<DB, TB extends keyof DB, R>(
  db: Db,
  { query, sort, batchSize = SNAPSHOT_BATCH_SIZE }: SnapshotQuery<DB, TB, R>,
): AsyncGenerator<R[]> {
  const reader = openReader(db);
  try {
    // A controlled transaction holds one connection until it ends (a pool could hand out another).
    let begin = reader.db.startTransaction();
    if (reader.postgres) begin = begin.setIsolationLevel('repeatable read').setAccessMode('read only');
    const snapshot = await begin.execute();
    const order = typeof sort === 'function' ? sort(snapshot) : sort;
    let cursor: string | undefined;
    for (;;) {
      const page = await keysetPage(query(snapshot), order, { cursor, pageSize: batchSize });
      if (page.rows.length > 0) yield page.rows;
      if (!page.next) break;
      cursor = page.next;
      // better-sqlite3 answers synchronously: let the app's requests in between two batches.
      await nextTurn();
    }
    await snapshot.commit().execute();
  } finally {
    // Closing the connection ends a transaction still open (an export stopped half-way).
    await reader.db.destroy();
  }
}

/** A connection of the snapshot's own, to the app's database. */
function openReader(db: Db): { db: Kysely<Database>; postgres: boolean } {
  const handle = databaseHandleOf(db);
  if (handle.kind === 'postgres') {
    const pool = new (loadPg().Pool)({
      connectionString: handle.connectionString,
      max: 1,
      connectionTimeoutMillis: 5_000,
      ...(handle.schema ? { options: `-c search_path=${handle.schema}` } : {}),
    });
    pool.on('error', () => undefined);
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), postgres: true };
  }
  const file = handle.sqlite.name;
  if (handle.sqlite.memory) throw new Error('A snapshot needs a database file, not an in-memory database.');
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), postgres: false };
}
