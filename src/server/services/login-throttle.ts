import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import { isPostgres } from '../db/portable.js';
import { isoFromMs, nowMs } from '../clock.js';

/**
 * Failed sign-ins are counted per account (the email typed, whether or not it exists, so the lock
 * reveals nothing) and per client address, in the database so every node sees the same counts.
 * After FREE_FAILURES failures each further attempt is slowed; at MAX_FAILURES within the window,
 * sign-in is locked for LOCK_MS. The lock always ends by itself: it is never permanent.
 */
export const WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES = 10;
export const LOCK_MS = 15 * 60 * 1000;
const FREE_FAILURES = 3;
const MAX_DELAY_MS = 5000;

export function throttleKeys(email: string, ip: string): string[] {
  return [`account:${email.trim().toLowerCase()}`, `ip:${ip}`];
}

/** The time the lock ends, when any of the keys is locked now; otherwise null. */
export async function lockedUntil(db: Db, keys: string[]): Promise<number | null> {
  const rows = await db.selectFrom('login_throttle').select('locked_until').where('key', 'in', keys).execute();
  const now = nowMs();
  const ends = rows.map((r) => (r.locked_until ? Date.parse(r.locked_until) : 0)).filter((end) => end > now);
  return ends.length ? Math.max(...ends) : null;
}

/** Counts one failure on each key; returns how long to delay the answer (the slow-down). */
export async function recordFailure(db: Db, keys: string[], delayStepMs: number): Promise<number> {
  const now = nowMs();
  let highest = 0;
  await db.transaction().execute(async (trx) => {
    for (const key of keys) {
      // Insert-if-missing first, so two nodes counting the same key at once never collide on the key.
      await trx
        .insertInto('login_throttle')
        .values({ key, failures: 0, window_started_at: isoFromMs(now), locked_until: null })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      // Lock the row (PostgreSQL) so parallel failures queue up instead of each reading the same count
      // and writing count + 1: 20 guesses at once must count 20, or parallel guessing never locks.
      // Keys are always taken account first, then address, so two attempts cannot deadlock.
      let select = trx.selectFrom('login_throttle').selectAll().where('key', '=', key);
      if (isPostgres(db as Kysely<unknown>)) select = select.forUpdate();
      const row = await select.executeTakeFirstOrThrow();
      const windowOpen = now - Date.parse(row.window_started_at) < WINDOW_MS;
      const failures = windowOpen ? row.failures + 1 : 1;
      const lockedUntil = failures >= MAX_FAILURES ? isoFromMs(now + LOCK_MS) : null;
      const values = {
        failures: lockedUntil ? 0 : failures,
        window_started_at: windowOpen ? row.window_started_at : isoFromMs(now),
        locked_until: lockedUntil,
      };
      await trx.updateTable('login_throttle').set(values).where('key', '=', key).execute();
      highest = Math.max(highest, failures);
    }
  });
  return Math.min(Math.max(0, highest - FREE_FAILURES) * delayStepMs, MAX_DELAY_MS);
}

/** A successful sign-in clears the account's count (not the address's: one good password must not wipe an attacker's count). */
export async function clearAccountFailures(db: Db, email: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', `account:${email.trim().toLowerCase()}`).execute();
}

/**
 * Forgets counts whose window and lock are both over (rows for made-up emails would otherwise
 * pile up). Called now and then, never on the request path.
 */
export async function purgeStaleThrottleRows(db: Db): Promise<void> {
  const now = nowMs();
  await db
    .deleteFrom('login_throttle')
    .where('window_started_at', '<', isoFromMs(now - WINDOW_MS))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', isoFromMs(now))]))
    .execute();
}
