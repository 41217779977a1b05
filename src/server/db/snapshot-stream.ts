import { setImmediate as nextTurn } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SelectQueryBuilder } from 'kysely';
import { databaseHandleOf, loadPg, type Db } from './connection.js';
import { keysetPage, type KeyRange, type KeysetSort } from './paging.js';
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

/**
 * Rows per batch: large enough that per-batch costs vanish, small enough that a batch dies young.
 * A batch lives across a few turns of the event loop (read, turned into CSV, written); with 1,000
 * rows (a few MB of objects) the young generation (4 MB: npm start's --max-semi-space-size) filled
 * while a batch was alive, so batches were promoted to the old generation and collected only by
 * full collections: the server grew by ~100 MB between them (a million accounts: peak RSS 246-265
 * MB). Measured on that export: 1,000 rows 246 MB, 500: 216, 250: 164 in 14.5-15.2 s (1,000: 16.0 s),
 * 100: 174 MB in 17.9 s.
 */
export const SNAPSHOT_BATCH_SIZE = 250;

export interface BatchOptions {
  batchSize?: number;
  /** Only rows whose sort key lies in this range (see KeysetRequest.keyRange). */
  keyRange?: KeyRange;
}

/** A query on the snapshot's connection, and the keyset sort its batches follow (see paging.ts). */
export interface SnapshotQuery<DB, TB extends keyof DB, R> extends BatchOptions {
  query: (reader: Kysely<Database>) => SelectQueryBuilder<DB, TB, R>;
  /** The sort, or a function giving it for the snapshot's connection (if it reads more than `query`). */
  sort: KeysetSort<R> | ((reader: Kysely<Database>) => KeysetSort<R>);
}

/**
 * The rows of `query` in `sort`'s order, batch by batch, all from one snapshot taken when the first
 * batch is read. Stop early (break, or destroy the stream reading it) and the transaction ends and
 * the connection closes all the same.
 */
export function snapshotBatches<DB, TB extends keyof DB, R>(
  db: Db,
  { query, sort, ...options }: SnapshotQuery<DB, TB, R>,
): AsyncGenerator<R[]> {
  return inSnapshot(db, (reader) =>
    keysetBatches(query(reader), typeof sort === 'function' ? sort(reader) : sort, options),
  );
}

/**
 * What `read` yields, with every query it makes on `reader` seeing one snapshot, taken when the
 * first value is asked for: for an export that reads more than one query (a count that decides
 * how to read, the columns before the rows), all of them agree with each other.
 */
export async function* inSnapshot<T>(db: Db, read: (reader: Kysely<Database>) => AsyncIterable<T>): AsyncGenerator<T> {
  const reader = openReader(db);
  try {
    // A controlled transaction holds one connection until it ends (a pool could hand out another).
    let begin = reader.db.startTransaction();
    if (reader.postgres) begin = begin.setIsolationLevel('repeatable read').setAccessMode('read only');
    const snapshot = await begin.execute();
    yield* read(snapshot);
    await snapshot.commit().execute();
  } finally {
    // Closing the connection ends a transaction still open (an export stopped half-way).
    await reader.db.destroy();
  }
}

/**
 * THE loop every export reads its rows with: keyset batches of `query` in `sort`'s order, each
 * starting just past the last row of the one before (one index range each, whatever the depth),
 * and a turn of the event loop between two batches. Pulled one batch at a time, so the reader's
 * pace (a slow client's) sets the reading's, and memory holds a batch or so.
 */
export async function* keysetBatches<DB, TB extends keyof DB, R>(
  query: SelectQueryBuilder<DB, TB, R>,
  sort: KeysetSort<R>,
  { batchSize = SNAPSHOT_BATCH_SIZE, keyRange }: BatchOptions = {},
): AsyncGenerator<R[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await keysetPage(query, sort, { cursor, pageSize: batchSize, ...(keyRange ? { keyRange } : {}) });
    if (page.rows.length > 0) yield page.rows;
    if (!page.next) return;
    cursor = page.next;
    // better-sqlite3 answers synchronously: let the app's requests in between two batches.
    await nextTurn();
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
