import type { Db } from '../db/connection.js';
import { AppError } from '../app-error.js';
import type { NewSession } from '../auth/sessions.js';
import { verifyPassword } from '../security/password-hashing.js';
import { checkSecretWithinLimits } from './login-throttle.js';
import { createSignInChallenge } from './mfa.js';
import { confirmedFactors } from './mfa-factors.js';
import { findUserByEmail } from './users.js';
import type { UserWithGroup } from '../db/schema.js';
import { recordSignedIn, type Client, type FailureReason } from './login-history.js';
import { mfaChallenges } from '../metrics.js';

export type PasswordSignIn =
  | { kind: 'session'; user: UserWithGroup; session: NewSession }
  /** The account has a second factor: no session yet, only a challenge for mfa.ts to complete. */
  | { kind: 'mfa_challenge'; challenge: string; passkey: boolean };

/**
 * Password sign-in. A wrong email, a wrong password, a disabled account and an SSO account all get
 * the same error after the same work (one argon2 verification); only the login history tells them
 * apart, for administrators. The check runs only within the account's limits (login-throttle.ts).
 * A new session ID is issued on every sign-in (never reused). An account with a confirmed second
 * factor gets a challenge instead of a session; its failure count is cleared only when the second
 * factor is right (mfa.ts).
 */
export async function signInWithPassword(
  db: Db,
  input: { email: string; password: string },
  client: Client,
  options: { delayStepMs: number },
): Promise<PasswordSignIn> {
  const email = input.email.trim();
  const user = await findUserByEmail(db, email);
  const attempt = { email, userId: user?.id ?? null, method: 'password', client, delayStepMs: options.delayStepMs };
  const account = await checkSecretWithinLimits(db, attempt, async () => {
    const passwordMatches = await verifyPassword(user?.password_hash ?? null, input.password);
    const reason: FailureReason | null = !user
      ? 'unknown_account'
      : user.user_type === 'sso'
        ? 'sso_account'
        : !passwordMatches
          ? 'wrong_password'
          : user.status !== 'enabled'
            ? 'account_disabled'
            : null;
    if (reason !== null || !user) {
      return { ok: false, reason: reason ?? 'unknown_account', error: new AppError('invalid_credentials') };
    }
    const factors = await confirmedFactors(db, user.id);
    // With a second factor the password alone signs nobody in: its attempt is given back, the
    // account's count stays until the second factor is right.
    return { ok: true, value: { user, factors }, settle: factors.length > 0 ? 'release' : 'clear' };
  });

  const { user: signedIn, factors } = account;
  if (factors.length > 0) {
    const challenge = await createSignInChallenge(db, signedIn.id, client);
    mfaChallenges.inc();
    return { kind: 'mfa_challenge', challenge, passkey: factors.some((f) => f.kind === 'passkey') };
  }
  // All or none, and one commit instead of three.
  const { session, at } = await db
    .transaction()
    .execute((trx) => recordSignedIn(trx, { user: { id: signedIn.id, email }, method: 'password', client }));
  return { kind: 'session', user: { ...signedIn, last_login_at: at }, session };
}
