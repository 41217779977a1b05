/**
 * What every command of the `latchkey` program shares: the streams and environment it runs on
 * (CliIo), the error that ends a command with one line and an exit code (CliError), and opening
 * the configured database for the length of one command.
 */
import type { Readable, Writable } from 'node:stream';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Db } from '../db/connection.js';
import { listPendingMigrations } from '../db/migrate.js';
import type { RequestContext } from '../request-context.js';

/** Who the audit log says made a change from the command line: no account, from "cli". */
export const CLI_CONTEXT: RequestContext = { actor: null, ip: 'cli' };

/** A problem to report in one line, with the exit code to leave with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What the program reads and writes: the process's own streams and environment, or a test's. */
export interface CliIo {
  /** A terminal (isTTY and setRawMode) is asked for passwords without echo; anything else is read with --password-stdin. */
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  /** The environment the configuration is read from (loadConfig), as process.env. */
  env: Record<string, string | undefined>;
}

/** One run of the program: its streams, and a line printer on its stdout. */
export interface Cli {
  io: CliIo;
  say: (line: string) => void;
}

/** Where the data lives, without credentials (a DATABASE_URL may carry a password). */
export function describeDatabase(config: Config): string {
  if (config.database.kind === 'sqlite') return `SQLite ${config.database.file}`;
  const url = new URL(config.database.url);
  return `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

/** Opens the configured database for one command, and closes it when the command ends, however it ends. */
export async function withDatabase<T>(cli: Cli, work: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(cli.io.env);
  const db = openDatabase(config.database);
  try {
    return await work(db, config);
  } finally {
    await db.destroy();
  }
}

/** Refuses to work on a schema older than this build; migrating stays an explicit step. */
export async function assertSchemaIsCurrent(db: Db): Promise<void> {
  const pending = await listPendingMigrations(db);
  if (pending.length > 0) {
    throw new CliError(
      `The database schema is not up to date (${pending.length} migration(s) pending). Run "latchkey migrate" first.`,
    );
  }
}
