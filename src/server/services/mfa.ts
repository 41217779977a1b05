/**
 * Multi-factor authentication flows: the second step of sign-in, enrolling an
 * authenticator app or a passkey (WebAuthn details in passkeys.ts), the account's own list of
 * factors, and an Administrator's reset.
 *
 * Rules kept here:
 * - After a correct password an account with a confirmed factor gets only a challenge: an opaque
 *   random ID (the database keeps its hash), single-use, valid for CHALLENGE_LIFETIME_MS, dead
 *   after MAX_CHALLENGE_FAILURES wrong codes. The session is created only when the code is right.
 * - A wrong code, a replayed code, a used recovery code and a passkey answer that fails
 *   verification all get the same answer, and count toward the same limit and lock as wrong
 *   passwords: every answer is checked only within the account's limits (checkSecretWithinLimits
 *   in login-throttle.ts). The account's failure count is cleared only after the second factor, so
 *   knowing the password does not reset it.
 * - Secrets leave the server once, at enrollment; recovery codes once, when made.
 */
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, UserTable, UserWithGroup } from '../db/schema.js';
import { isoFromMs, nowIso, nowMs } from '../clock.js';
import { AppError } from '../app-error.js';
import type { Actor } from '../auth/actor.js';
import { endAllSessions, type NewSession } from '../auth/sessions.js';
import { generateSecret, hashSecret } from '../security/secrets.js';
import { totpUri } from '../security/totp.js';
import type {
  MfaFactor,
  MfaStatus,
  PasskeyCreationOptions,
  PasskeyRequestOptions,
  TotpEnrollment,
} from '../../shared/schemas/mfa.js';
import { isUniqueViolation } from '../db/portable.js';
import { recordAudit } from './audit.js';
import { checkSecretWithinLimits } from './login-throttle.js';
import {
  consumePasskeyUse,
  isPasskey,
  matchPasskey,
  passkeyAuthenticationOptions,
  passkeyRegistrationOptions,
  verifyPasskeyRegistration,
  type PasskeyMatch,
  type RelyingParty,
} from './passkeys.js';
import {
  confirmedFactors,
  insertPasskeyFactor,
  consumeRecoveryCode,
  consumeTotpStep,
  createPendingTotpFactor,
  matchRecoveryCode,
  matchTotp,
  pendingTotpFactor,
  removeAllMfa,
  replaceRecoveryCodes,
  unusedRecoveryCodeCount,
  type TotpMatch,
} from './mfa-factors.js';
import { recordSignedIn, type Client } from './login-history.js';
import { findUserById } from './users.js';
import { once } from '../once.js';
import type { ActorContext } from '../request-context.js';

export const CHALLENGE_LIFETIME_MS = 10 * 60 * 1000;
export const MAX_CHALLENGE_FAILURES = 5;

/** The request's context (who acts, from where) and what this service needs beyond it. */
export interface MfaContext extends ActorContext {
  userAgent: string;
  secretKey: Buffer;
  relyingParty: RelyingParty;
}

// ---------------------------------------------------------------------------------------------
// Sign-in, second step

/** Called after a correct password: the opaque challenge the browser sends back with the code. */
export async function createSignInChallenge(db: Db, userId: string, client: Client): Promise<string> {
  const challenge = generateSecret(32);
  const now = nowMs();
  // Purged here rather than by a timer: expired challenges of this account are worthless.
  await db.deleteFrom('mfa_challenges').where('expires_at', '<=', isoFromMs(now)).execute();
  await db
    .insertInto('mfa_challenges')
    .values({
      id_hash: hashSecret(challenge),
      user_id: userId,
      purpose: 'sign_in',
      created_at: isoFromMs(now),
      expires_at: isoFromMs(now + CHALLENGE_LIFETIME_MS),
      failed_attempts: 0,
      ip: client.ip,
      user_agent: client.userAgent.slice(0, 500),
    })
    .execute();
  return challenge;
}

type SecondFactor =
  | { kind: 'totp'; match: TotpMatch }
  | { kind: 'recovery_code'; codeHash: string }
  | { kind: 'passkey'; match: PasskeyMatch };

/**
 * The sign-in challenge named by the browser and its account, when it can still be answered;
 * otherwise it is deleted (if it exists) and the answer is mfa_challenge_invalid.
 */
async function liveSignInChallenge(db: Db, challengeText: string): Promise<{ idHash: string; user: UserWithGroup }> {
  const idHash = hashSecret(challengeText);
  const challenge = await db.selectFrom('mfa_challenges').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  const user = challenge ? await findUserById(db, challenge.user_id) : undefined;
  if (
    !challenge ||
    !user ||
    challenge.purpose !== 'sign_in' ||
    Date.parse(challenge.expires_at) <= nowMs() ||
    challenge.failed_attempts >= MAX_CHALLENGE_FAILURES ||
    user.status !== 'enabled'
  ) {
    if (challenge) await db.deleteFrom('mfa_challenges').where('id_hash', '=', idHash).execute();
    throw new AppError('mfa_challenge_invalid');
  }
  return { idHash, user };
}

/** WebAuthn request options for answering a live sign-in challenge with one of the account's passkeys. */
export async function passkeySignInOptions(
  db: Db,
  input: { challenge: string },
  rp: RelyingParty,
): Promise<PasskeyRequestOptions> {
  const { idHash, user } = await liveSignInChallenge(db, input.challenge);
  const passkeys = (await confirmedFactors(db, user.id)).filter(isPasskey);
  if (passkeys.length === 0) throw new AppError('passkey_not_available');
  return passkeyAuthenticationOptions(db, rp, user.id, idHash, passkeys);
}

/** Thrown inside the success transaction when a racing request used the code first: rolls it all back. */
class CodeAlreadyUsed extends Error {}

/**
 * Completes a sign-in with a TOTP code, a recovery code or a passkey's answer. Only a right one, on
 * a live challenge, makes a session; everything else leaves the account without one.
 */
export async function completeSignInChallenge(
  db: Db,
  input: {
    challenge: string;
    code?: string | undefined;
    recoveryCode?: string | undefined;
    passkey?: AuthenticationResponseJSON | undefined;
  },
  client: Client,
  options: { secretKey: Buffer; delayStepMs: number; relyingParty: RelyingParty },
): Promise<{ user: UserWithGroup; session: NewSession }> {
  const { idHash, user } = await liveSignInChallenge(db, input.challenge);

  const method =
    input.recoveryCode !== undefined
      ? 'password+recovery_code'
      : input.passkey !== undefined
        ? 'password+passkey'
        : 'password+totp';
  const attempt = { email: user.email, userId: user.id, method, client, delayStepMs: options.delayStepMs };
  return checkSecretWithinLimits(db, attempt, async () => {
    let factor: SecondFactor | null = null;
    if (input.recoveryCode !== undefined) {
      const codeHash = await matchRecoveryCode(db, user.id, input.recoveryCode);
      if (codeHash) factor = { kind: 'recovery_code', codeHash };
    } else if (input.passkey !== undefined) {
      const factors = await confirmedFactors(db, user.id);
      const match = await matchPasskey(db, options.relyingParty, user.id, idHash, factors, input.passkey);
      if (match) factor = { kind: 'passkey', match };
    } else if (input.code !== undefined) {
      const match = matchTotp(options.secretKey, await confirmedFactors(db, user.id), input.code);
      if (match) factor = { kind: 'totp', match };
    }

    if (factor) {
      try {
        const signedIn = await db.transaction().execute(async (trx) => {
          // Single use: of two requests racing with one challenge, only one deletes it.
          const consumed = await trx
            .deleteFrom('mfa_challenges')
            .where('id_hash', '=', idHash)
            .where('failed_attempts', '<', MAX_CHALLENGE_FAILURES)
            .executeTakeFirst();
          if (Number(consumed.numDeletedRows) !== 1) throw new AppError('mfa_challenge_invalid');
          const used =
            factor.kind === 'totp'
              ? await consumeTotpStep(trx, factor.match)
              : factor.kind === 'passkey'
                ? await consumePasskeyUse(trx, factor.match)
                : await consumeRecoveryCode(trx, user.id, factor.codeHash);
          if (!used) throw new CodeAlreadyUsed();
          const created = await recordSignedIn(trx, {
            user,
            method,
            client,
            session: { method: factor.kind === 'passkey' ? 'passkey' : 'mfa' },
          });
          if (factor.kind === 'recovery_code') {
            await recordAudit(trx, {
              actor: { user, groupName: user.group_name },
              target: { id: user.id, email: user.email },
              action: 'mfa.recovery_code_used',
              details: { recoveryCodesLeft: await unusedRecoveryCodeCount(trx, user.id) },
              ip: client.ip,
            });
          }
          return created;
        });
        // Signed in: the account's failure count starts again.
        return {
          ok: true,
          value: { user: { ...user, last_login_at: signedIn.at }, session: signedIn.session },
          settle: 'clear',
        };
      } catch (error) {
        if (!(error instanceof CodeAlreadyUsed)) throw error;
      }
    }

    // A wrong, replayed or used code: one answer for all of them (the login history row is written
    // by checkSecretWithinLimits).
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('mfa_challenges')
        .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
        .where('id_hash', '=', idHash)
        .execute();
      await trx
        .deleteFrom('mfa_challenges')
        .where('id_hash', '=', idHash)
        .where('failed_attempts', '>=', MAX_CHALLENGE_FAILURES)
        .execute();
      await recordAudit(trx, {
        actor: { user, groupName: user.group_name },
        target: { id: user.id, email: user.email },
        action: 'mfa.code_failed',
        details: { method },
        ip: client.ip,
      });
    });
    const reason =
      input.recoveryCode !== undefined
        ? 'wrong_recovery_code'
        : input.passkey !== undefined
          ? 'passkey_failed'
          : 'wrong_mfa_code';
    return { ok: false, reason, error: new AppError('mfa_code_invalid') };
  });
}

// ---------------------------------------------------------------------------------------------
// The account's own factors

function presentFactor(factor: {
  id: string;
  kind: 'totp' | 'passkey';
  name: string;
  created_at: string;
  last_used_at: string | null;
}): MfaFactor {
  return {
    id: factor.id,
    kind: factor.kind,
    name: factor.name,
    createdAt: factor.created_at,
    lastUsedAt: factor.last_used_at,
  };
}

export async function getOwnMfaStatus(db: Db, actor: Actor): Promise<MfaStatus> {
  const [factors, recoveryCodesLeft] = await Promise.all([
    confirmedFactors(db, actor.user.id),
    unusedRecoveryCodeCount(db, actor.user.id),
  ]);
  return {
    required: actor.user.mfa_enrolled === 1,
    enrollmentPending: actor.mfaEnrollmentPending,
    factors: factors.map(presentFactor),
    recoveryCodesLeft,
  };
}

/** The password check shared with the Password & Security tab (same lock, same login history). */
export type CurrentPasswordCheck = (target: UserTable, currentPassword: string | undefined) => Promise<void>;

/**
 * Starts setting up an authenticator app: a new secret, shown this once as text, URI and QR code.
 * Needs the current password, except in the enrollment-only session sign-in gave an account that
 * must set up MFA (the password was checked moments ago, and that session can do nothing else).
 */
/** SSO accounts get their multi-factor authentication from their identity provider, not here. */
function assertMfaIsOurs(user: { user_type: string }): void {
  if (user.user_type === 'sso') {
    throw new AppError(
      'sso_account',
      'Your identity provider handles multi-factor authentication for your account; there is nothing to set up here.',
    );
  }
}

/** Loaded on the first enrollment, not at start-up: importing it took ~45 ms (measured). */
const loadQrCode = once(() => import('qrcode'));

export async function startTotpEnrollment(
  db: Db,
  ctx: MfaContext,
  input: { currentPassword?: string | undefined },
  checkPassword: CurrentPasswordCheck,
): Promise<TotpEnrollment> {
  const user = ctx.actor.user;
  assertMfaIsOurs(user);
  if (!ctx.actor.mfaEnrollmentPending) await checkPassword(user, input.currentPassword);
  // Numbered among the apps only: passkeys carry names of their own.
  const existing = (await confirmedFactors(db, user.id)).filter((factor) => factor.kind === 'totp');
  const name = existing.length === 0 ? 'Authenticator app' : `Authenticator app ${existing.length + 1}`;
  const { secret } = await createPendingTotpFactor(db, ctx.secretKey, user.id, name);
  const uri = totpUri(secret, user.email);
  const { default: QRCode } = await loadQrCode();
  const qrCodeDataUrl = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
  return { secret, otpauthUri: uri, qrCodeDataUrl };
}

/**
 * Confirms the pending authenticator with a code from it. The first factor of an account turns
 * MFA on and comes with ten recovery codes, returned this once.
 */
export async function confirmTotpEnrollment(
  db: Db,
  ctx: MfaContext,
  input: { code: string },
): Promise<{ factor: MfaFactor; recoveryCodes: string[] | null }> {
  const user = ctx.actor.user;
  const pending = await pendingTotpFactor(db, user.id);
  if (!pending) throw new AppError('mfa_enrollment_not_started');
  const match = matchTotp(ctx.secretKey, [pending], input.code);
  if (!match)
    throw new AppError('mfa_code_invalid', undefined, {
      code: 'The code is incorrect. Type the code the app shows now.',
    });

  return db.transaction().execute(async (trx) => {
    const first = (await confirmedFactors(trx, user.id)).length === 0;
    if (!(await consumeTotpStep(trx, match, { confirm: true }))) throw new AppError('mfa_enrollment_not_started');
    return factorEnrolled(trx, ctx, pending.id, first);
  });
}

/**
 * A factor has just become confirmed (an authenticator app's code, a passkey's registration), in
 * the caller's transaction: MFA is on from now; the account's first factor comes with ten recovery
 * codes, returned this once; audited.
 */
async function factorEnrolled(
  trx: Kysely<Database>,
  ctx: MfaContext,
  factorId: string,
  first: boolean,
): Promise<{ factor: MfaFactor; recoveryCodes: string[] | null }> {
  const user = ctx.actor.user;
  await trx.updateTable('users').set({ mfa_enrolled: 1, updated_at: nowIso() }).where('id', '=', user.id).execute();
  const recoveryCodes = first ? await replaceRecoveryCodes(trx, user.id) : null;
  const confirmed = await trx
    .selectFrom('mfa_factors')
    .selectAll()
    .where('id', '=', factorId)
    .executeTakeFirstOrThrow();
  await recordAudit(trx, {
    actor: ctx.actor,
    target: { id: user.id, email: user.email },
    action: 'mfa.factor_enrolled',
    details: { factorId, kind: confirmed.kind, name: confirmed.name, recoveryCodesIssued: recoveryCodes !== null },
    ip: ctx.ip,
  });
  return { factor: presentFactor(confirmed), recoveryCodes };
}

/**
 * Starts adding a passkey: WebAuthn creation options for the browser (startRegistration). The same
 * password rule as starting an authenticator app.
 */
export async function startPasskeyRegistration(
  db: Db,
  ctx: MfaContext,
  input: { currentPassword?: string | undefined },
  checkPassword: CurrentPasswordCheck,
): Promise<PasskeyCreationOptions> {
  const user = ctx.actor.user;
  assertMfaIsOurs(user);
  if (!ctx.actor.mfaEnrollmentPending) await checkPassword(user, input.currentPassword);
  return passkeyRegistrationOptions(db, ctx.relyingParty, user, await confirmedFactors(db, user.id));
}

/** Verifies the browser's answer to those options and stores the passkey, confirmed, under `name`. */
export async function registerPasskey(
  db: Db,
  ctx: MfaContext,
  input: { name: string; response: RegistrationResponseJSON },
): Promise<{ factor: MfaFactor; recoveryCodes: string[] | null }> {
  const user = ctx.actor.user;
  const passkey = await verifyPasskeyRegistration(db, ctx.relyingParty, user.id, input.response);
  try {
    return await db.transaction().execute(async (trx) => {
      const first = (await confirmedFactors(trx, user.id)).length === 0;
      const factorId = await insertPasskeyFactor(trx, user.id, input.name, passkey);
      return factorEnrolled(trx, ctx, factorId, first);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('passkey_already_registered');
    throw error;
  }
}

/** Removes one of your own factors (current password needed); never the last while MFA is on. */
export async function removeOwnFactor(
  db: Db,
  ctx: MfaContext,
  factorId: string,
  input: { currentPassword: string },
  checkPassword: CurrentPasswordCheck,
): Promise<void> {
  const user = ctx.actor.user;
  await checkPassword(user, input.currentPassword);
  await db.transaction().execute(async (trx) => {
    const factors = await confirmedFactors(trx, user.id);
    const factor = factors.find((f) => f.id === factorId);
    if (!factor) throw new AppError('not_found', 'You have no authenticator with this ID.');
    // MFA stays on once on (an Administrator may have required it): only their reset turns it off.
    if (factors.length === 1) throw new AppError('mfa_last_factor');
    await trx.deleteFrom('mfa_factors').where('id', '=', factor.id).execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      target: { id: user.id, email: user.email },
      action: 'mfa.factor_removed',
      details: { factorId: factor.id, kind: factor.kind, name: factor.name },
      ip: ctx.ip,
    });
  });
}

/** New recovery codes (the old ones stop working); current password needed. */
export async function regenerateRecoveryCodes(
  db: Db,
  ctx: MfaContext,
  input: { currentPassword: string },
  checkPassword: CurrentPasswordCheck,
): Promise<string[]> {
  const user = ctx.actor.user;
  await checkPassword(user, input.currentPassword);
  return db.transaction().execute(async (trx) => {
    if ((await confirmedFactors(trx, user.id)).length === 0) throw new AppError('mfa_not_enrolled');
    const codes = await replaceRecoveryCodes(trx, user.id);
    await recordAudit(trx, {
      actor: ctx.actor,
      target: { id: user.id, email: user.email },
      action: 'mfa.recovery_codes_regenerated',
      ip: ctx.ip,
    });
    return codes;
  });
}

// ---------------------------------------------------------------------------------------------
// Administrator's reset (clearing "Enroll in Multi-Factor Authentication")

/**
 * Removes the account's factors, recovery codes and open challenges and ends its sessions (but the
 * acting person's own, when they reset themselves), inside the caller's transaction.
 */
export async function resetMfa(
  trx: Kysely<Database>,
  actor: Actor,
  ip: string,
  target: { id: string; email: string },
): Promise<void> {
  const { factorsRemoved } = await removeAllMfa(trx, target.id);
  const own = actor.user.id === target.id;
  const sessionsEnded = await endAllSessions(trx, target.id, own ? actor.sessionIdHash : null);
  await recordAudit(trx, { actor, target, action: 'mfa.reset', details: { factorsRemoved, sessionsEnded }, ip });
}
