/**
 * MFA fixtures: accounts with a confirmed authenticator or passkey, codes from it, the two sign-in
 * steps, and what a sign-in leaves behind (its session cookie, sessions, login history rows).
 */
import type { LightMyRequestResponse } from 'fastify';
import { nowIso, nowMs } from '../../src/server/clock.js';
import {
  confirmedFactors,
  createPendingTotpFactor,
  insertPasskeyFactor,
  replaceRecoveryCodes,
} from '../../src/server/services/mfa-factors.js';
import {
  passkeyRegistrationOptions,
  relyingPartyFor,
  verifyPasskeyRegistration,
} from '../../src/server/services/passkeys.js';
import { totpCode, TOTP_PERIOD_SECONDS } from '../../src/server/security/totp.js';
import { TEST_PASSWORD, UI_HEADERS, type TestApp } from './test-app.js';
import { SoftwareAuthenticator } from './webauthn-authenticator.js';

export interface TotpFixture {
  factorId: string;
  secret: string;
  recoveryCodes: string[];
}

/**
 * Gives the account a confirmed authenticator (and MFA on), as if it had enrolled, through the
 * same storage code the app uses. Recovery codes are made for the first one only, like the app.
 */
export async function giveTotpFactor(t: TestApp, userId: string): Promise<TotpFixture> {
  const { id, secret } = await createPendingTotpFactor(t.db, t.config.secretKey, userId, 'Test authenticator');
  const hadCodes = await t.db
    .selectFrom('mfa_recovery_codes')
    .select('code_hash')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  let recoveryCodes: string[] = [];
  await t.db.transaction().execute(async (trx) => {
    await trx.updateTable('mfa_factors').set({ confirmed_at: nowIso() }).where('id', '=', id).execute();
    await trx.updateTable('users').set({ mfa_enrolled: 1 }).where('id', '=', userId).execute();
    if (!hadCodes) recoveryCodes = await replaceRecoveryCodes(trx, userId);
  });
  return { factorId: id, secret, recoveryCodes };
}

/** The code the authenticator shows now (by the app's clock), or `steps` steps away. */
export function codeNow(secret: string, steps = 0): string {
  return totpCode(secret, nowMs() + steps * TOTP_PERIOD_SECONDS * 1000);
}

let ipCounter = 0;
/** A client address of its own, so one test's per-address failure count never locks another's sign-ins. */
export const freshIp = (): string => `10.5.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

/** Sign-in step 1 through the real route. */
export async function passwordStep(
  t: TestApp,
  email: string,
  options: { password?: string; ip?: string } = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: UI_HEADERS,
    payload: { email, password: options.password ?? TEST_PASSWORD },
    remoteAddress: options.ip ?? freshIp(),
  });
}

/** The session cookie a sign-in answer sets (`name=value`, ready for sessionCaller), or null when it sets none. */
export function sessionCookieOf(response: LightMyRequestResponse): string | null {
  const cookie = response.cookies.find((c) => c.name.endsWith('latchkey_session'));
  return cookie ? `${cookie.name}=${cookie.value}` : null;
}

/** How many sessions the account has. */
export async function sessionCount(t: TestApp, userId: string): Promise<number> {
  const rows = await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute();
  return rows.length;
}

/** The account's login history rows, oldest first. */
export async function loginRows(t: TestApp, userId: string) {
  return t.db.selectFrom('login_history').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

/** Step 1 for an account with a factor: the challenge it answers with. */
export async function challengeFor(t: TestApp, email: string, ip?: string): Promise<string> {
  const response = await passwordStep(t, email, ip ? { ip } : {});
  const body = response.json<{ mfaRequired?: boolean; challenge?: string }>();
  if (response.statusCode !== 200 || !body.mfaRequired || !body.challenge)
    throw new Error(`expected an MFA challenge: ${response.statusCode} ${response.body}`);
  return body.challenge;
}

/** Sign-in step 2 through the real route. */
export async function mfaStep(
  t: TestApp,
  body: { challenge: string; code?: string; recoveryCode?: string; passkey?: unknown },
  options: { ip?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/session/mfa',
    headers: { ...UI_HEADERS, ...options.headers },
    payload: body,
    remoteAddress: options.ip ?? freshIp(),
  });
}

// ---------------------------------------------------------------------------------------------
// Passkeys

/**
 * Gives the account a passkey held by a software authenticator (and MFA on, recovery codes if it is
 * the first factor), through the app's own ceremony code: options, a real attestation, verification.
 */
export async function givePasskeyFactor(
  t: TestApp,
  user: { id: string; email: string; first_name: string; last_name: string },
  authenticator = new SoftwareAuthenticator(t.config.publicUrl.origin),
): Promise<{ factorId: string; authenticator: SoftwareAuthenticator; credentialId: string }> {
  const rp = relyingPartyFor(t.config.publicUrl);
  const options = await passkeyRegistrationOptions(t.db, rp, user, []);
  const response = authenticator.createCredential(options);
  const passkey = await verifyPasskeyRegistration(t.db, rp, user.id, response);
  let factorId = '';
  await t.db.transaction().execute(async (trx) => {
    const first = (await confirmedFactors(trx, user.id)).length === 0;
    factorId = await insertPasskeyFactor(trx, user.id, 'Test passkey', passkey);
    await trx.updateTable('users').set({ mfa_enrolled: 1 }).where('id', '=', user.id).execute();
    if (first) await replaceRecoveryCodes(trx, user.id);
  });
  return { factorId, authenticator, credentialId: response.id };
}

/** Request options for answering a sign-in challenge with a passkey, through the real route. */
export async function passkeySignInOptions(
  t: TestApp,
  challenge: string,
  options: { ip?: string } = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/session/mfa/passkey/options',
    headers: UI_HEADERS,
    payload: { challenge },
    remoteAddress: options.ip ?? freshIp(),
  });
}
