/**
 * Limits on guessing secrets (passwords, TOTP and recovery codes, passkey answers), kept in the
 * database so every node sees the same counts (login_throttle: one row per key).
 *
 * Per account (`account:<normalized email>`, whether or not the account exists, so a lock reveals
 * nothing): at most MAX_FAILURES secret checks per WINDOW_MS, however many requests arrive at once.
 * Each check first RESERVES its attempt with one conditional UPDATE (`failures < MAX_FAILURES` and
 * not locked), before argon2 or the TOTP check runs; a request that gets no reservation is refused
 * with 429 login_locked without checking anything. A right secret gives its reservation back (or
 * clears the account's count, once the person is fully signed in); a wrong one keeps it as the
 * recorded failure, and the failure that finds the count at the limit starts a LOCK_MS lock. A
 * running lock is never shortened or cleared by a failure; it ends by itself, an Administrator
 * ends it early (unlockSignIn), or its owner does by choosing a new password with an emailed link
 * (endSignInLockAfterReset). So `failures` counts failures plus the checks still in progress.
 *
 * Per client address (`ip:<address>`), failures across all accounts (password spraying), with much
 * higher thresholds: after ADDRESS_SLOW_AFTER failures in the window each failed answer is slowed,
 * after ADDRESS_MAX_FAILURES failed answers are refused (429 address_limited). The address never
 * stops a secret from being checked, so a right password of an account that is not itself locked
 * still signs in from an office behind one NAT, whatever its neighbours typed.
 *
 * Why the database and not per-process counters: several nodes may serve the same account. On
 * PostgreSQL concurrent UPDATEs of one row queue on its row lock and each re-checks the WHERE on
 * the row the previous one committed, so the 11th of 60 simultaneous reservations finds the count
 * at 10 and gets nothing; SQLite runs writes one at a time.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { isoFromMs, nowMs } from '../clock.js';
import { AppError } from '../app-error.js';
import type { Actor } from '../auth/actor.js';
import { recordAudit } from './audit.js';
import { recordLoginAttempt, type Client, type FailureReason } from './login-history.js';
import { loadGroupPermissions } from './security-groups.js';
import { findUserById, normalizeEmail } from './users.js';
import { accountDecisions } from '../policies/accounts.js';
import { assertAllowed } from '../policies/decision.js';
import { lockouts } from '../metrics.js';

export const WINDOW_MS = 15 * 60 * 1000;
/** Secret checks per account per window; the failure that reaches it locks the account. */
export const MAX_FAILURES = 10;
export const LOCK_MS = 15 * 60 * 1000;
/** Failures from one address (all accounts) per window before its failed answers are slowed. */
export const ADDRESS_SLOW_AFTER = 20;
/** Failures from one address per window after which its failed answers are refused (429). */
export const ADDRESS_MAX_FAILURES = 100;
/** Failures of one account before its answers are slowed. */
const FREE_FAILURES = 3;
const MAX_DELAY_MS = 5000;

const accountKey = (email: string) => `account:${normalizeEmail(email)}`;
const addressKey = (ip: string) => `ip:${ip}`;

/** One secret check: whose secret, for the login history, and how much to slow failures. */
export interface SecretAttempt {
  /** The email typed at sign-in, or the account's own: the account's throttle key. */
  email: string;
  /** The account, when it exists (login history, audit target). */
  userId: string | null;
  /** login_history.method: `password`, `password+totp`, `password_change`… */
  method: string;
  client: Client;
  /** LATCHKEY_LOGIN_DELAY_STEP_MS. */
  delayStepMs: number;
}

/**
 * What a check found. A right secret says how to settle its reservation: `clear` when the person is
 * now signed in (the account's count starts again), `release` when it only proved the secret (a
 * password before the second factor, a current password): the attempt is given back, the count of
 * earlier failures stays. A wrong one names the reason for the login history and the error to answer.
 */
export type SecretVerdict<T> =
  { ok: true; value: T; settle: 'clear' | 'release' } | { ok: false; reason: FailureReason; error: AppError };

/**
 * The one way a secret is checked: reserve an attempt for the account (or answer 429 login_locked,
 * recorded as 'locked', without checking), run `verify`, then settle. Every path that checks a
 * password, a TOTP or recovery code or a passkey answer goes through here.
 *
 * If `verify` throws, the reservation stays counted (fail closed): an error must never hand out
 * free guesses.
 */
export async function checkSecretWithinLimits<T>(
  db: Db,
  attempt: SecretAttempt,
  verify: () => Promise<SecretVerdict<T>>,
): Promise<T> {
  const key = accountKey(attempt.email);
  const reservation = await reserveAttempt(db, key);
  if (!reservation.granted) {
    await recordLoginAttempt(db, { ...loginHistoryOf(attempt), success: false, reason: 'locked' });
    throw tooManyAttempts('login_locked', reservation.retryAtMs);
  }

  const verdict = await verify();
  if (verdict.ok) {
    if (verdict.settle === 'clear') await db.deleteFrom('login_throttle').where('key', '=', key).execute();
    else await releaseAttempt(db, key, reservation.windowStartedAt);
    return verdict.value;
  }

  await lockIfAtLimit(db, key, attempt);
  const address = await countAddressFailure(db, attempt.client.ip);
  const addressRefused = address.failures > ADDRESS_MAX_FAILURES;
  await recordLoginAttempt(db, {
    ...loginHistoryOf(attempt),
    success: false,
    reason: addressRefused ? 'address_limited' : verdict.reason,
  });
  const delayMs = Math.min(
    Math.max(
      (reservation.attempts - FREE_FAILURES) * attempt.delayStepMs,
      (address.failures - ADDRESS_SLOW_AFTER) * attempt.delayStepMs,
      0,
    ),
    MAX_DELAY_MS,
  );
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  throw addressRefused ? tooManyAttempts('address_limited', address.windowEndsMs) : verdict.error;
}

function loginHistoryOf(attempt: SecretAttempt) {
  return { email: attempt.email, userId: attempt.userId, method: attempt.method, client: attempt.client };
}

/** A 429 that says when to try again (Retry-After, whole seconds). */
function tooManyAttempts(code: 'login_locked' | 'address_limited', untilMs: number): AppError {
  const error = new AppError(code);
  error.retryAfterSeconds = Math.max(1, Math.ceil((untilMs - nowMs()) / 1000));
  return error;
}

/** Creates the key's row if it has none, so the conditional UPDATE that follows always has one to test. */
async function ensureRow(db: Kysely<Database>, key: string, now: number): Promise<void> {
  await db
    .insertInto('login_throttle')
    .values({ key, failures: 0, window_started_at: isoFromMs(now), locked_until: null })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/**
 * One of the account's attempts, taken: `attempts` counts it too, `windowStartedAt` names the window
 * it belongs to (to give it back). Or refused, with the time when trying again can help.
 */
type Reservation = { granted: true; attempts: number; windowStartedAt: string } | { granted: false; retryAtMs: number };

/**
 * Takes one of the account's attempts, atomically; refused while the account is locked or all its
 * attempts of the window are taken (by failures or by checks in progress).
 */
async function reserveAttempt(db: Db, key: string): Promise<Reservation> {
  // A success or a release may delete the row between ensureRow and the UPDATE (a clean slate):
  // that is no reason to refuse, so take the attempt on a new row. Twice is enough: a row deleted
  // again at once means someone else keeps succeeding, and refusing this one is then harmless.
  for (let attempt = 1; ; attempt++) {
    const outcome = await tryReserveAttempt(db, key);
    if (outcome !== 'row_vanished') return outcome;
    if (attempt >= 2) return { granted: false, retryAtMs: nowMs() + 1000 };
  }
}

/**
 * The SET of one more count in the key's window: a window that started WINDOW_MS ago or earlier is
 * over, so the count starts again at 1 in a window starting now; otherwise it goes up by one.
 */
function countOneMoreInWindow(now: number) {
  const windowOver = isoFromMs(now - WINDOW_MS);
  return (eb: ExpressionBuilder<Database, 'login_throttle'>) => ({
    failures: eb
      .case()
      .when('window_started_at', '<=', windowOver)
      .then(1)
      .else(eb('failures', '+', 1))
      .end(),
    window_started_at: eb
      .case()
      .when('window_started_at', '<=', windowOver)
      .then(isoFromMs(now))
      .else(eb.ref('window_started_at'))
      .end(),
  });
}

async function tryReserveAttempt(db: Db, key: string): Promise<Reservation | 'row_vanished'> {
  const now = nowMs();
  const nowText = isoFromMs(now);
  // An attempt in a window that is over starts a new one (countOneMoreInWindow), whatever the count.
  const windowOver = isoFromMs(now - WINDOW_MS);
  await ensureRow(db, key, now);
  const reserved = await db
    .updateTable('login_throttle')
    .set(countOneMoreInWindow(now))
    .where('key', '=', key)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', nowText)]))
    .where((eb) => eb.or([eb('window_started_at', '<=', windowOver), eb('failures', '<', MAX_FAILURES)]))
    .returning(['failures', 'window_started_at'])
    .executeTakeFirst();
  if (reserved) return { granted: true, attempts: reserved.failures, windowStartedAt: reserved.window_started_at };

  const row = await db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row) return 'row_vanished';
  const lockEnds = row.locked_until ? Date.parse(row.locked_until) : 0;
  const windowEnds = Date.parse(row.window_started_at) + WINDOW_MS;
  return { granted: false, retryAtMs: Math.max(lockEnds, windowEnds, now + 1000) };
}

/**
 * Gives a reservation back (a right secret), unless its window is over and the count began again.
 * A row left with no failures and no lock says nothing: it goes, so a right current password leaves
 * the data exactly as it was (a refused change after it must change nothing).
 */
async function releaseAttempt(db: Db, key: string, windowStartedAt: string): Promise<void> {
  await db
    .updateTable('login_throttle')
    .set((eb) => ({ failures: eb('failures', '-', 1) }))
    .where('key', '=', key)
    .where('window_started_at', '=', windowStartedAt)
    .where('failures', '>', 0)
    .execute();
  await db
    .deleteFrom('login_throttle')
    .where('key', '=', key)
    .where('failures', '=', 0)
    .where('locked_until', 'is', null)
    .execute();
}

/**
 * A failure keeps its reservation. When the account's attempts are all taken, the lock starts,
 * unless one is already running (never shortened, never cleared here: of several failures at once
 * only one starts it). The start is audited as `account.locked`.
 */
async function lockIfAtLimit(db: Db, key: string, attempt: SecretAttempt): Promise<void> {
  const now = nowMs();
  const lockedUntil = isoFromMs(now + LOCK_MS);
  await db.transaction().execute(async (trx) => {
    const started = await trx
      .updateTable('login_throttle')
      .set({ locked_until: lockedUntil })
      .where('key', '=', key)
      .where('failures', '>=', MAX_FAILURES)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', isoFromMs(now))]))
      .returning('failures')
      .executeTakeFirst();
    if (!started) return;
    lockouts.inc();
    const email = normalizeEmail(attempt.email);
    await recordAudit(trx, {
      actor: null,
      target: attempt.userId ? { id: attempt.userId, email } : null,
      action: 'account.locked',
      details: { email, lockedUntil, failures: started.failures, windowMinutes: WINDOW_MS / 60_000 },
      ip: attempt.client.ip,
    });
  });
}

/**
 * Counts one failure from the address (across accounts), atomically; the failure that passes
 * ADDRESS_MAX_FAILURES is audited as `address.limited` (once per window: the count passes it once).
 */
async function countAddressFailure(db: Db, ip: string): Promise<{ failures: number; windowEndsMs: number }> {
  const key = addressKey(ip);
  const now = nowMs();
  await ensureRow(db, key, now);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('login_throttle')
      .set(countOneMoreInWindow(now))
      .where('key', '=', key)
      .returning(['failures', 'window_started_at'])
      .executeTakeFirstOrThrow();
    const windowEndsMs = Date.parse(row.window_started_at) + WINDOW_MS;
    if (row.failures === ADDRESS_MAX_FAILURES + 1) {
      await recordAudit(trx, {
        actor: null,
        target: null,
        action: 'address.limited',
        details: { address: ip, failures: row.failures, limitedUntil: isoFromMs(windowEndsMs) },
        ip,
      });
    }
    return { failures: row.failures, windowEndsMs };
  });
}

/**
 * Counts one request under `key` in its WINDOW_MS window (a window that is over starts again at
 * 1), atomically and in the database, so every node shares the count. For limits on requests that
 * check no secret, such as asking for a password reset link (password-reset-links.ts); the key's
 * prefix keeps each limit apart from the sign-in ones. Rows go with purgeStaleThrottleRows.
 */
export async function countRequestInWindow(db: Db, key: string): Promise<{ count: number; windowEndsMs: number }> {
  const now = nowMs();
  await ensureRow(db, key, now);
  const row = await db
    .updateTable('login_throttle')
    .set(countOneMoreInWindow(now))
    .where('key', '=', key)
    .returning(['failures', 'window_started_at'])
    .executeTakeFirstOrThrow();
  return { count: row.failures, windowEndsMs: Date.parse(row.window_started_at) + WINDOW_MS };
}

/** When the account's sign-in lock ends (ISO text), if it is locked now; otherwise null. */
export async function signInLockedUntil(db: Kysely<Database>, email: string): Promise<string | null> {
  const row = await db
    .selectFrom('login_throttle')
    .select('locked_until')
    .where('key', '=', accountKey(email))
    .executeTakeFirst();
  return row?.locked_until && Date.parse(row.locked_until) > nowMs() ? row.locked_until : null;
}

/**
 * Ends an account's sign-in lock early (and forgets its failures). Allowed to whoever may change
 * the account's status (the same rule as enabling or disabling it); audited as `account.unlocked`.
 */
export async function unlockSignIn(db: Db, ctx: { actor: Actor; ip: string }, userId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const target = await findUserById(trx, userId);
    if (!target) throw new AppError('not_found', 'No account with this ID.');
    const groupPermissions = await loadGroupPermissions(trx, [target.security_group_id]);
    assertAllowed(accountDecisions(ctx.actor, target, groupPermissions).unlockSignIn);
    const key = accountKey(target.email);
    const row = await trx.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row?.locked_until || Date.parse(row.locked_until) <= nowMs()) {
      throw new AppError('not_found', 'Sign-in is not locked for this account.');
    }
    await trx.deleteFrom('login_throttle').where('key', '=', key).execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      target: { id: target.id, email: target.email },
      action: 'account.unlocked',
      details: { lockedUntil: row.locked_until, failures: row.failures },
      ip: ctx.ip,
    });
  });
}

/**
 * Ends an account's sign-in lock (and forgets its failures) after its owner chose a new password
 * with an emailed link: the guesses were at a password that no longer exists, and whoever holds
 * the link holds the account's email. Run inside the reset's transaction; audited as
 * `account.unlocked` when there was a lock to end.
 */
export async function endSignInLockAfterReset(
  trx: Kysely<Database>,
  user: { id: string; email: string },
  ip: string,
): Promise<void> {
  const key = accountKey(user.email);
  const row = await trx.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row) return;
  await trx.deleteFrom('login_throttle').where('key', '=', key).execute();
  if (!row.locked_until || Date.parse(row.locked_until) <= nowMs()) return;
  await recordAudit(trx, {
    actor: null,
    target: { id: user.id, email: user.email },
    action: 'account.unlocked',
    details: { lockedUntil: row.locked_until, failures: row.failures, by: 'email_link' },
    ip,
  });
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
