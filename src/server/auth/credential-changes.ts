import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { loadPg, type DatabaseHandle } from '../db/connection.js';
import type { CredentialCache } from './credential-cache.js';

/**
 * How this process learns that a credential's answer changed, so the credential cache is never
 * wrong. The database announces every such change itself (triggers, migration
 * 0010-credential-change-signals); this is the receiving end.
 */
export interface CredentialChangeFeed {
  /**
   * May the cache answer right now? Applies first whatever the feed has learnt. False means: read
   * the database on this request, keep nothing (fail closed).
   */
  cacheUsable(): boolean;
  /**
   * Resolves once this process has heard every change committed before the call. A request that
   * changed something waits for it before it answers; where other processes may change
   * credentials (`sharedWithOtherNodes`), a request waits for it before it answers from the cache.
   */
  catchUp(): Promise<void>;
  /**
   * Other processes (nodes) may change credentials and announce it asynchronously: a notification
   * committed just before a request may still be on its way to this process, so the cache may
   * answer a request only after catchUp() (one round trip, shared by concurrent requests).
   */
  readonly sharedWithOtherNodes: boolean;
  /** For readiness checks: 'in-process' (SQLite), or whether the PostgreSQL listener hears now. */
  status(): 'in-process' | 'listening' | 'not listening';
  close(): Promise<void>;
}

export function openCredentialChangeFeed(handle: DatabaseHandle, cache: CredentialCache): CredentialChangeFeed {
  return handle.kind === 'sqlite' ? new SqliteChangeFeed(handle.sqlite, cache) : new PostgresChangeFeed(handle, cache);
}

/**
 * SQLite: one process owns the database, but others (the CLI) may write to the file too. Triggers
 * count every change in credential_change_counter and log the account it concerns in
 * credential_change_log (migrations 0010, 0028); when the counter moved, the log says whose
 * credentials to forget.
 *
 * The counter is read only when a transaction may have been committed since the last look, which
 * the WAL index's header says (see #walIndexMoved): on most requests the check is one read of 48
 * bytes of a file the kernel holds in memory (~1 µs) instead of a query (~3-5 µs: a read
 * transaction takes and releases a lock on that same file).
 *
 * The counter and the log are read through a connection of the feed's own, which sees committed
 * changes only. The app's connection would also show a transaction another request has open on it
 * (SQLite serves them all on one connection): a counter seen there, then rolled back, then reached
 * again by a different committed change, would look unchanged, and that change would be missed.
 */
class SqliteChangeFeed implements CredentialChangeFeed {
  // Every writer's change is counted in the file before it commits: cacheUsable() reads it.
  readonly sharedWithOtherNodes = false;
  /** The feed's own connection (null for an in-memory database, which no other connection sees). */
  #reader: SQLite.Database | null = null;
  #statements: FeedStatements | null = null;
  #counterSeen: number | null = null;
  #closed = false;
  /** The open -shm file and its header as last read; null: not in WAL mode, read the counter every time. */
  #walIndex: { fd: number; seen: Buffer; now: Buffer } | null | undefined;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly cache: CredentialCache,
  ) {}

  cacheUsable(): boolean {
    if (this.#closed) return false;
    // The header first, then the counter: a commit between the two moves the header again.
    if (!this.#walIndexMoved()) return true;
    try {
      const statements = (this.#statements ??= this.#prepare());
      const counter = statements.counter.get() ?? null;
      if (counter !== this.#counterSeen) {
        this.#forgetChanged(this.#counterSeen, counter);
        this.#counterSeen = counter;
      }
      return true;
    } catch {
      // Unreadable now (a busy file, a closing process): this request reads the database, and
      // nothing cached survives what may have been missed.
      this.cache.forgetEverything();
      this.#counterSeen = null;
      return false;
    }
  }

  /** On first use: the feed is created before migrations may have run (tests, start-up). */
  #prepare(): FeedStatements {
    if (!this.sqlite.memory) {
      this.#reader = new Database(this.sqlite.name, { fileMustExist: true });
      this.#reader.pragma('query_only = ON');
      this.#reader.pragma('busy_timeout = 5000');
    }
    const reader = this.#reader ?? this.sqlite;
    return {
      counter: reader.prepare<[], number>('SELECT value FROM credential_change_counter WHERE id = 1').pluck(),
      changes: reader.prepare('SELECT account_id FROM credential_change_log WHERE seq > ? AND seq <= ? ORDER BY seq'),
    };
  }

  /**
   * Whether any connection (this one, the CLI's) may have committed a transaction since the last
   * call. In WAL mode SQLite keeps a shared index of the log in the -shm file; its first 48 bytes,
   * the index header, hold a counter that every committed transaction increments, the log's size
   * and its salts (new whenever the log restarts) — a documented, stable file format
   * (https://www.sqlite.org/walformat.html, "The WAL-Index Header"). Unchanged bytes therefore mean
   * that nothing was committed; any difference, a torn read included, means "read the counter". A
   * transaction not yet committed does not show here, so a credential stays usable until the change
   * that revokes it commits, as any other reader of the database sees it.
   */
  #walIndexMoved(): boolean {
    if (this.#walIndex === undefined) this.#walIndex = this.#openWalIndex();
    if (this.#walIndex === null) return true;
    const { fd, seen, now } = this.#walIndex;
    try {
      if (readSync(fd, now, 0, WAL_INDEX_HEADER_BYTES, 0) < WAL_INDEX_HEADER_BYTES) return true;
    } catch {
      return true;
    }
    if (now.equals(seen)) return false;
    now.copy(seen);
    return true;
  }

  #openWalIndex(): { fd: number; seen: Buffer; now: Buffer } | null {
    if (this.sqlite.memory || this.sqlite.pragma('journal_mode', { simple: true }) !== 'wal') return null;
    try {
      const fd = openSync(`${this.sqlite.name}-shm`, 'r');
      return { fd, seen: Buffer.alloc(WAL_INDEX_HEADER_BYTES), now: Buffer.alloc(WAL_INDEX_HEADER_BYTES) };
    } catch {
      return null;
    }
  }

  /** Forgets the accounts changed after `seen` up to `counter`; everything when the log cannot say. */
  #forgetChanged(seen: number | null, counter: number | null): void {
    // A counter that went back (a restored file) or that this process never saw: nothing is known.
    if (seen === null || counter === null || counter < seen) return this.cache.forgetEverything();
    const changes = this.#statements!.changes.all(seen, counter);
    // Fewer rows than changes: the log was pruned past what this process saw.
    if (changes.length !== counter - seen || changes.some((change) => change.account_id === null))
      return this.cache.forgetEverything();
    for (const change of changes) this.cache.forgetAccount(change.account_id!);
  }

  async catchUp(): Promise<void> {
    // Every change is counted before its transaction ends; the next cacheUsable() sees it.
  }

  status() {
    return 'in-process' as const;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#walIndex) closeSync(this.#walIndex.fd);
    this.#walIndex = null;
    this.#reader?.close();
  }
}

interface FeedStatements {
  counter: SQLite.Statement<[], number>;
  changes: SQLite.Statement<[number, number], { account_id: string | null }>;
}

/** The size of the WAL index header (one of its two copies) at the start of the -shm file. */
const WAL_INDEX_HEADER_BYTES = 48;

/** The channel migration 0010 notifies on (a released name: never change it). */
const CHANGE_CHANNEL = 'latchkey_credential_changes';
/** How often this node proves to itself that it still hears the database. */
export const HEARTBEAT_INTERVAL_MS = 300;
/** Without proof for this long, the cache is not used (the issue allows at most 1.5 s). */
export const HEARING_LEASE_MS = 1_000;
/** Without any answer for this long, the listening connection is replaced. */
const RECONNECT_SILENT_AFTER_MS = 5_000;
/** A state-changing request waits at most this long for catchUp() before it answers anyway. */
const CATCH_UP_TIMEOUT_MS = 2_000;

interface Ping {
  sentAt: number;
  resolve(): void;
}

/**
 * PostgreSQL, many nodes: a dedicated connection LISTENs for the triggers' notifications. Every
 * 300 ms it also sends itself a ping through the database, on a channel of its own; PostgreSQL
 * delivers notifications to a listener in commit order, so the ping's echo proves that every
 * change committed before the ping was sent has been heard. The cache answers only within a
 * lease (1 s) of the newest such proof; a cut, stalled or lost connection therefore means "read
 * the database on every request" within 1 s, and the cache is emptied, since changes may have
 * been missed. The connection is re-opened in the background; the cache returns with the first
 * echo.
 */
class PostgresChangeFeed implements CredentialChangeFeed {
  readonly sharedWithOtherNodes = true;
  /**
   * The catch-up whose ping has not been sent yet: a caller arriving now may share it, since its
   * echo will prove everything committed before the ping leaves. Null once the ping is on its way.
   */
  #waitingCatchUp: Promise<void> | null = null;
  readonly #pingChannel = `latchkey_node_${randomBytes(6).toString('hex')}`;
  readonly #pings = new Map<number, Ping>();
  #client: pg.Client | null = null;
  #connecting = false;
  #closed = false;
  #nextPing = 1;
  /** performance.now() at which the newest echoed ping was sent: everything before it is heard. */
  #heardUpTo = -Infinity;
  #lastEchoAt = -Infinity;
  #usable = false;
  /** The pings sent on the current connection, in order. */
  #sending: Promise<unknown> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly handle: Extract<DatabaseHandle, { kind: 'postgres' }>,
    private readonly cache: CredentialCache,
  ) {
    this.#timer = setInterval(() => this.#tick(), HEARTBEAT_INTERVAL_MS);
    this.#timer.unref();
    void this.#connect();
  }

  cacheUsable(): boolean {
    const usable = this.#client !== null && performance.now() - this.#heardUpTo <= HEARING_LEASE_MS;
    // Both ways the cache starts empty: going deaf, changes may be missed; the entries kept before
    // were dropped then, and none are kept while deaf.
    if (usable !== this.#usable) this.cache.forgetEverything();
    this.#usable = usable;
    return usable;
  }

  status() {
    return this.cacheUsable() ? ('listening' as const) : ('not listening' as const);
  }

  catchUp(): Promise<void> {
    // No listening connection: the cache is off already, nothing to wait for.
    if (!this.#client) return Promise.resolve();
    // Concurrent requests share one ping, as long as it has not left: one round trip for them all.
    if (this.#waitingCatchUp) return this.#waitingCatchUp;
    const caughtUp = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // Not heard in time: this node can no longer vouch for its cache.
        this.#goDeaf();
        resolve();
      }, CATCH_UP_TIMEOUT_MS);
      timer.unref();
      this.#ping(
        () => {
          clearTimeout(timer);
          resolve();
        },
        () => {
          if (this.#waitingCatchUp === caughtUp) this.#waitingCatchUp = null;
        },
      );
    });
    this.#waitingCatchUp = caughtUp;
    return caughtUp;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const ping of this.#pings.values()) ping.resolve();
    this.#pings.clear();
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }

  #tick(): void {
    if (this.#closed) return;
    if (!this.#client) {
      void this.#connect();
      return;
    }
    if (performance.now() - this.#lastEchoAt > RECONNECT_SILENT_AFTER_MS && this.#pings.size > 0) {
      // Silent for seconds (a stalled socket, a paused server): start over on a new connection.
      this.#dropConnection();
      return;
    }
    this.#ping(() => undefined);
    this.cacheUsable();
  }

  /** `onLeaving` runs as the ping's query is sent: whoever asks after that needs a later ping. */
  #ping(onEcho: () => void, onLeaving: () => void = () => undefined): void {
    const client = this.#client;
    if (!client) {
      onLeaving();
      return;
    }
    const id = this.#nextPing++;
    // sentAt may be earlier than the query really leaves (it waits its turn): that only ever
    // claims less than the echo proves.
    this.#pings.set(id, { sentAt: performance.now(), resolve: onEcho });
    // One query at a time on this connection (node-postgres deprecates overlapping ones).
    this.#sending = this.#sending
      .then(() => {
        onLeaving();
        return client.query('SELECT pg_notify($1, $2)', [this.#pingChannel, String(id)]);
      })
      .catch(() => {
        onLeaving();
        this.#dropConnection(client);
      });
  }

  #onNotification(message: pg.Notification): void {
    if (message.channel === this.#pingChannel) {
      const id = Number(message.payload);
      // Echoes arrive in order: this one and every earlier ping are answered.
      for (const [pending, ping] of this.#pings) {
        if (pending > id) break;
        this.#pings.delete(pending);
        if (pending === id) {
          this.#heardUpTo = Math.max(this.#heardUpTo, ping.sentAt);
          this.#lastEchoAt = performance.now();
        }
        ping.resolve();
      }
      return;
    }
    if (message.channel !== CHANGE_CHANNEL) return;
    if (!message.payload || message.payload === '*') this.cache.forgetEverything();
    else this.cache.forgetAccount(message.payload);
  }

  async #connect(): Promise<void> {
    if (this.#connecting || this.#client || this.#closed) return;
    this.#connecting = true;
    const client = new (loadPg().Client)({
      connectionString: this.handle.connectionString,
      // The process ID tells an operator (and the multi-node tests) whose listener it is.
      application_name: `latchkey-credential-listener:${process.pid}`,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    client.on('notification', (message) => this.#onNotification(message));
    client.on('error', () => this.#dropConnection(client));
    client.on('end', () => this.#dropConnection(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      await client.query(`LISTEN ${this.#pingChannel}`);
      if (this.#closed) {
        await client.end();
        return;
      }
      this.#client = client;
      this.#sending = Promise.resolve();
      this.#lastEchoAt = performance.now();
      this.#ping(() => undefined);
    } catch {
      await client.end().catch(() => undefined);
    } finally {
      this.#connecting = false;
    }
  }

  /** The listening connection failed or went silent: nothing cached is trusted until a new one hears. */
  #dropConnection(client: pg.Client | null = this.#client): void {
    if (client === null || client !== this.#client) {
      void client?.end().catch(() => undefined);
      return;
    }
    this.#client = null;
    this.#goDeaf();
    void client.end().catch(() => undefined);
  }

  #goDeaf(): void {
    this.#heardUpTo = -Infinity;
    // Whoever waits for an echo from the old connection is let go (a catch-up timed out or the
    // connection is gone: the cache is off, so the request is safe without it).
    for (const ping of this.#pings.values()) ping.resolve();
    this.#pings.clear();
    this.#waitingCatchUp = null;
    this.cache.forgetEverything();
    this.#usable = false;
  }
}
