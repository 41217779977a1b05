import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import type pg from 'pg';
import type { Config } from '../config.js';
import type { Database } from './schema.js';
import { withAfterCommit } from './after-commit.js';

export type Db = Kysely<Database>;

/** What sits under a Db: the credential-change feed needs its own way in (auth/credential-changes.ts). */
export type DatabaseHandle =
  | { kind: 'sqlite'; sqlite: SQLite.Database }
  | { kind: 'postgres'; connectionString: string; schema: string | null; pool: pg.Pool };

const handles = new WeakMap<Db, DatabaseHandle>();

/**
 * node-postgres, loaded only when the database is PostgreSQL: importing it cost every start ~70 ms
 * (measured), SQLite ones too. Through require, which is synchronous, so openDatabase stays so.
 */
export const loadPg = (): typeof pg => createRequire(import.meta.url)('pg') as typeof pg;

export function databaseHandleOf(db: Db): DatabaseHandle {
  const handle = handles.get(db);
  if (!handle) throw new Error('This Kysely instance was not opened by openDatabase().');
  return handle;
}

/** Prepared statements kept per SQL text; more distinct texts than this are re-prepared. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 behind Kysely, with its prepared statements kept: Kysely prepares every query it
 * runs, and preparing (parsing and planning the SQL) cost more than running the query itself on
 * the busiest routes. Kysely builds the same text for the same query shape (values are bound), so
 * few texts cover every request. A statement still iterating (a streamed export) is never handed
 * out twice: a fresh one is prepared instead.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      const kept = statements.get(text);
      if (kept && !kept.busy) {
        // Most recently used last, so the first entry is the one to drop.
        statements.delete(text);
        statements.set(text, kept);
        return kept;
      }
      const statement = sqlite.prepare(text);
      if (!kept) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

export interface DatabaseOptions {
  /** PostgreSQL schema to use instead of `public` (the tests give each run its own). */
  postgresSchema?: string;
}

/** Opens the configured database. SQLite runs in WAL mode with foreign keys enforced. */
export function openDatabase(database: Config['database'], options: DatabaseOptions = {}): Db {
  if (database.kind === 'postgres') {
    const pool = new (loadPg().Pool)({
      connectionString: database.url,
      max: 10,
      // An unreachable database fails the request (503) instead of leaving it waiting forever.
      connectionTimeoutMillis: 5_000,
      ...(options.postgresSchema ? { options: `-c search_path=${options.postgresSchema}` } : {}),
    });
    // An idle connection that PostgreSQL (a restart, a failover, a proxy's idle timeout) closes
    // is dropped by the pool, which opens a new one for the next query. Without a listener, that
    // 'error' event would end the whole process.
    pool.on('error', (error) => {
      process.stderr.write(`PostgreSQL closed an idle connection (${error.message}); the next query reconnects.\n`);
    });
    // A connection lost while checked out (a query in flight, a transaction open) makes its client
    // emit 'error' too, and pg-pool listens only while the client is idle: unheard, that event
    // ended the whole process (a network cut mid-query, seen in the multi-node tests). The query
    // itself fails with the error (answered 503 by the app), and pg-pool drops the client when it
    // comes back, since it is no longer queryable.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    const db = new Kysely<Database>({ dialect: withAfterCommit(new PostgresDialect({ pool })) });
    handles.set(db, { kind: 'postgres', connectionString: database.url, schema: options.postgresSchema ?? null, pool });
    return db;
  }
  // Created owner-only: it holds password hashes. SQLite gives its -wal and -shm files the same mode.
  if (!existsSync(database.file)) writeFileSync(database.file, '', { mode: 0o600 });
  const sqlite = new SQLite(database.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commits.
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({
    dialect: withAfterCommit(new SqliteDialect({ database: withStatementCache(sqlite) })),
  });
  handles.set(db, { kind: 'sqlite', sqlite });
  return db;
}

/** Node's socket errors for a database server that cannot be reached (or went away mid-query). */
const UNREACHABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** PostgreSQL's own: too many connections, shutting down or starting up. */
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03']);
/** What node-postgres says when the connection ends under a query, or cannot be opened in time. */
const UNREACHABLE_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * True when an error means the database cannot be reached just now (not that a query was wrong):
 * the request then fails closed with 503 `database_unavailable`, never answered from memory.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNREACHABLE_SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    // SQLSTATE class 08: connection exception.
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (UNREACHABLE_MESSAGES.test(error.message)) return true;
  // Connecting to a name with several addresses fails with one error per address.
  return error instanceof AggregateError && error.errors.some(isDatabaseUnreachable);
}
