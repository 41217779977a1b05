import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../clock.js';
import { signIns } from '../metrics.js';
import { notifyOwnerOfSignIn } from '../mail/notifications.js';
import { createSession, type NewSession } from '../auth/sessions.js';

/**
 * The login history: one row per sign-in attempt, by password, second factor or single sign-on,
 * successful or not, with why it failed (for administrators; never shown to the person signing in).
 */

export interface Client {
  ip: string;
  userAgent: string;
}

export type FailureReason =
  | 'unknown_account'
  | 'wrong_password'
  | 'account_disabled'
  | 'sso_account'
  /** Refused without checking: the account is locked, or its attempts are all taken (login-throttle.ts). */
  | 'locked'
  /** A failed attempt from an address over its failure limit, refused with 429 (login-throttle.ts). */
  | 'address_limited'
  | 'wrong_mfa_code'
  | 'wrong_recovery_code'
  | 'passkey_failed'
  /** Single sign-on refusals (sso/sign-in.ts): `sso_<what>: <the library's words>`. */
  | `sso_${string}`;

export async function recordLoginAttempt(
  db: Kysely<Database>,
  attempt: {
    email: string;
    userId: string | null;
    success: boolean;
    reason: FailureReason | null;
    method: string;
    client: Client;
  },
): Promise<void> {
  signIns.inc({ method: attempt.method, result: attempt.success ? 'success' : resultOf(attempt.reason) });
  // Before this sign-in is recorded: it is compared with the earlier ones.
  if (attempt.success && attempt.userId) await notifyOwnerOfSignIn(db, attempt.userId, attempt.client);
  await db
    .insertInto('login_history')
    .values({
      occurred_at: nowIso(),
      user_id: attempt.userId,
      email: attempt.email.slice(0, 254),
      success: attempt.success ? 1 : 0,
      reason: attempt.reason,
      method: attempt.method,
      ip: attempt.client.ip,
      user_agent: attempt.client.userAgent.slice(0, 500),
    })
    .execute();
}

/**
 * What every successful sign-in writes (password, second factor, single sign-on), inside the
 * caller's transaction so that all of it or none stands: the new session, the account's last
 * sign-in time and the login history entry. Returns the session and that time.
 */
export async function recordSignedIn(
  trx: Kysely<Database>,
  signedIn: {
    user: { id: string; email: string };
    /** The login history's method ('password', 'mfa', 'passkey', the provider's protocol). */
    method: string;
    client: Client;
    session?: Parameters<typeof createSession>[3];
    /** The sign-in's time, when the caller wrote it elsewhere too (default: now). */
    at?: string;
  },
): Promise<{ session: NewSession; at: string }> {
  const { user, method, client, at = nowIso() } = signedIn;
  const session = await createSession(trx, user.id, client, signedIn.session);
  await trx.updateTable('users').set({ last_login_at: at }).where('id', '=', user.id).execute();
  await recordLoginAttempt(trx, { email: user.email, userId: user.id, success: true, reason: null, method, client });
  return { session, at };
}

/**
 * A failure's reason as a metric label: a few fixed words (an SSO refusal carries the library's
 * message, which would make a series per message).
 */
function resultOf(reason: FailureReason | null): string {
  if (reason === null) return 'failure';
  if (reason === 'locked') return 'locked';
  if (reason === 'address_limited') return 'rate_limited';
  if (reason.startsWith('sso_')) return 'sso_refused';
  return reason;
}
