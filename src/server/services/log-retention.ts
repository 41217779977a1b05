/**
 * Log retention: when an Administrator chose how many days of login history and system events to
 * keep (installation settings), older entries are deleted in the background.
 *
 * Deleting a million old rows in one statement would hold a write lock for seconds (SQLite has one
 * writer) and bloat one transaction, so they go in small batches, each its own short statement,
 * with a pause between them for requests to write. Every batch names the oldest rows by the time
 * index, so finding them costs the same in the first batch and the thousandth. Deletes are
 * idempotent: nodes running this at the same time at worst both try the same rows, and a row is
 * removed (and counted) once.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { isoFromMs, nowMs } from '../clock.js';
import { occurredAt } from './logs.js';
import { readInstallationSettings } from './installation-settings.js';
import { recordAudit } from './audit.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionOptions {
  /** Rows per DELETE statement. */
  batchSize?: number;
  /** Least rest between two batches, so requests waiting to write go first (at least as long as the batch took). */
  pauseMs?: number;
  /** Asked between batches: true ends the run early (the server is closing). */
  shouldStop?: () => boolean;
  /** Told each batch's size (tests check that batches stay bounded). */
  onBatch?: (table: LogTable, removed: number) => void;
}

export interface RetentionRun {
  /** Entries that occurred before this time were deleted. */
  olderThan: string;
  retentionDays: number;
  auditEventsRemoved: number;
  loginAttemptsRemoved: number;
}

type LogTable = 'audit_events' | 'login_history';

/**
 * 500 rows: on SQLite, whose statements hold the Node.js thread while they run, a batch of 1,000
 * took 100-200 ms at ten million entries (each row leaves six indexes), long enough to delay the
 * requests queued behind it; 500 halves that.
 */
export const RETENTION_BATCH_SIZE = 500;
const RETENTION_PAUSE_MS = 50;

/**
 * One retention run: deletes both logs' entries older than the setting allows, in batches, then
 * records one `logs.retention_applied` entry saying how many went (none when nothing did, so an
 * hourly run leaves no trace in a quiet log). That entry, like the one recording the setting's
 * change, is newer than the cut-off (at least a week ago), so no run deletes it. Null when the
 * logs are kept forever.
 */
export async function enforceLogRetention(
  db: Kysely<Database>,
  options: RetentionOptions = {},
): Promise<RetentionRun | null> {
  const { log_retention_days: retentionDays } = await readInstallationSettings(db);
  if (retentionDays === null) return null;
  const olderThan = isoFromMs(nowMs() - retentionDays * DAY_MS);
  const loginAttemptsRemoved = await deleteOlderThan(db, 'login_history', olderThan, options);
  const auditEventsRemoved = await deleteOlderThan(db, 'audit_events', olderThan, options);
  if (loginAttemptsRemoved + auditEventsRemoved > 0) {
    await recordAudit(db, {
      actor: null,
      action: 'logs.retention_applied',
      details: { retentionDays, olderThan, auditEventsRemoved, loginAttemptsRemoved },
      ip: null,
    });
  }
  return { olderThan, retentionDays, auditEventsRemoved, loginAttemptsRemoved };
}

async function deleteOlderThan(
  db: Kysely<Database>,
  table: LogTable,
  olderThan: string,
  { batchSize = RETENTION_BATCH_SIZE, pauseMs = RETENTION_PAUSE_MS, shouldStop, onBatch }: RetentionOptions,
): Promise<number> {
  let removed = 0;
  for (;;) {
    // The oldest rows first, read from the (occurred_at, id) index; DELETE … LIMIT is not portable.
    const oldest = db
      .selectFrom(table)
      .select('id')
      .where(occurredAt(db), '<', olderThan)
      .orderBy(occurredAt(db))
      .orderBy('id')
      .limit(batchSize);
    const started = performance.now();
    const result = await db.deleteFrom(table).where('id', 'in', oldest).executeTakeFirst();
    const took = performance.now() - started;
    const count = Number(result.numDeletedRows);
    removed += count;
    onBatch?.(table, count);
    // A short batch means none were left (or another node is deleting them: it finishes the job).
    if (count < batchSize || shouldStop?.()) return removed;
    // Rest at least as long as the batch took: retention never has more than half the database's time.
    await new Promise((resolve) => setTimeout(resolve, Math.max(pauseMs, took)));
  }
}

export interface RetentionSchedule {
  /** Stops the timer and waits for a run under way to end (it stops after its current batch). */
  stop(): Promise<void>;
}

/**
 * Runs retention shortly after start, then every `intervalMs`, until stopped. A run never overlaps
 * the next on one node; a failed run is reported and the schedule goes on.
 */
export function scheduleLogRetention(
  db: Kysely<Database>,
  {
    firstDelayMs = 60_000,
    intervalMs = 60 * 60 * 1000,
    onRun,
    onError,
    ...options
  }: RetentionOptions & {
    firstDelayMs?: number;
    intervalMs?: number;
    onRun?: (run: RetentionRun | null) => void;
    onError?: (error: unknown) => void;
  } = {},
): RetentionSchedule {
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (delayMs: number) => {
    timer = setTimeout(run, delayMs);
    timer.unref();
  };
  function run() {
    running = enforceLogRetention(db, { ...options, shouldStop: () => stopped })
      .then((result) => onRun?.(result), onError)
      .finally(() => {
        running = null;
        if (!stopped) schedule(intervalMs);
      });
  }
  schedule(firstDelayMs);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
