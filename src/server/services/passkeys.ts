/**
 * Passkeys (WebAuthn) as a kind of MFA factor: the relying party, the two
 * ceremonies' options and verification, and their challenges. The flows around them (password
 * check, turning MFA on, the sign-in challenge, sessions) are in mfa.ts, shared with TOTP.
 *
 * Rules kept here:
 * - Every ceremony challenge is stored server-side, tied to the account (and, for a sign-in, to its
 *   sign-in challenge), lives WEBAUTHN_CHALLENGE_LIFETIME_MS and is deleted by the first response
 *   that names it, right or wrong: a response can never be replayed, and a failed one uses it up.
 * - Verification is @simplewebauthn/server's, with origin and rpID from the public URL; the
 *   signature counter must grow (when the authenticator keeps one) and is updated atomically.
 */
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransportFuture,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { Database, MfaFactorTable, UserTable, WebauthnChallengeTable } from '../db/schema.js';
import { isoFromMs, nowIso, nowMs } from '../clock.js';
import { AppError } from '../app-error.js';
import type { PasskeyCreationOptions, PasskeyRequestOptions } from '../../shared/schemas/mfa.js';
import { once } from '../once.js';

/** Loaded on the first ceremony, not at start-up: importing it took ~260 ms and ~65 MB (measured). */
const loadWebauthn = once(() => import('@simplewebauthn/server'));

export const WEBAUTHN_CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;
/** How long the browser waits for the person to use their authenticator. */
const CEREMONY_TIMEOUT_MS = 2 * 60 * 1000;

export interface RelyingParty {
  /** The host name of the public URL: passkeys are bound to it. */
  id: string;
  /** The public URL's origin: the only origin a response may come from. */
  origin: string;
  name: string;
}

export function relyingPartyFor(publicUrl: URL): RelyingParty {
  return { id: publicUrl.hostname, origin: publicUrl.origin, name: 'Latchkey' };
}

function transportsOf(factor: MfaFactorTable): AuthenticatorTransportFuture[] | undefined {
  if (!factor.transports) return undefined;
  const parsed: unknown = JSON.parse(factor.transports);
  return Array.isArray(parsed) ? (parsed as AuthenticatorTransportFuture[]) : undefined;
}

function descriptorOf(factor: MfaFactorTable): { id: string; transports?: AuthenticatorTransportFuture[] } {
  const transports = transportsOf(factor);
  return { id: factor.credential_id!, ...(transports ? { transports } : {}) };
}

export function isPasskey(factor: MfaFactorTable): boolean {
  return factor.kind === 'passkey' && factor.credential_id !== null && factor.public_key !== null;
}

/** Stores a ceremony challenge, replacing the account's earlier unfinished one of the same kind. */
async function storeChallenge(
  trx: Kysely<Database>,
  row: Omit<WebauthnChallengeTable, 'created_at' | 'expires_at'>,
): Promise<void> {
  const now = nowMs();
  await trx.deleteFrom('webauthn_challenges').where('expires_at', '<=', isoFromMs(now)).execute();
  let replaced = trx
    .deleteFrom('webauthn_challenges')
    .where('user_id', '=', row.user_id)
    .where('purpose', '=', row.purpose);
  if (row.sign_in_challenge_hash !== null)
    replaced = replaced.where('sign_in_challenge_hash', '=', row.sign_in_challenge_hash);
  await replaced.execute();
  await trx
    .insertInto('webauthn_challenges')
    .values({
      ...row,
      created_at: isoFromMs(now),
      expires_at: isoFromMs(now + WEBAUTHN_CHALLENGE_LIFETIME_MS),
    })
    .execute();
}

/** The challenge a response's clientDataJSON claims to answer, or null when it is not readable. */
function claimedChallenge(clientDataJSON: string): string | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = (parsed as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 200 ? challenge : null;
  } catch {
    return null;
  }
}

/**
 * Deletes the live challenge the response names, if it is this account's and of this kind.
 * Returns it when this call used it up (of two racing responses, only one gets it).
 */
async function consumeChallenge(
  db: Kysely<Database>,
  clientDataJSON: string,
  where: { userId: string; purpose: WebauthnChallengeTable['purpose']; signInChallengeHash: string | null },
): Promise<string | null> {
  const challenge = claimedChallenge(clientDataJSON);
  if (challenge === null) return null;
  let query = db
    .deleteFrom('webauthn_challenges')
    .where('challenge', '=', challenge)
    .where('user_id', '=', where.userId)
    .where('purpose', '=', where.purpose)
    .where('expires_at', '>', nowIso());
  if (where.signInChallengeHash !== null) query = query.where('sign_in_challenge_hash', '=', where.signInChallengeHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows) === 1 ? challenge : null;
}

// ---------------------------------------------------------------------------------------------
// Registration

/** Creation options for a new passkey of this account (its existing ones are excluded). */
export async function passkeyRegistrationOptions(
  db: Kysely<Database>,
  rp: RelyingParty,
  user: Pick<UserTable, 'id' | 'email' | 'first_name' | 'last_name'>,
  existing: MfaFactorTable[],
): Promise<PasskeyCreationOptions> {
  const { generateRegistrationOptions } = await loadWebauthn();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    // The account's ID, not its email: the authenticator may keep the handle longer than the email lasts.
    userID: new TextEncoder().encode(user.id),
    userDisplayName: `${user.first_name} ${user.last_name}`.trim() || user.email,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.filter(isPasskey).map(descriptorOf),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await db.transaction().execute((trx) =>
    storeChallenge(trx, {
      challenge: options.challenge,
      user_id: user.id,
      purpose: 'registration',
      sign_in_challenge_hash: null,
    }),
  );
  return options;
}

export interface VerifiedPasskey {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: AuthenticatorTransportFuture[];
  aaguid: string;
  deviceType: string;
  backedUp: boolean;
}

/** Checks a registration response against this account's live challenge; anything wrong is passkey_invalid. */
export async function verifyPasskeyRegistration(
  db: Kysely<Database>,
  rp: RelyingParty,
  userId: string,
  response: RegistrationResponseJSON,
): Promise<VerifiedPasskey> {
  const challenge = await consumeChallenge(db, response.response.clientDataJSON, {
    userId,
    purpose: 'registration',
    signInChallengeHash: null,
  });
  if (challenge === null) throw new AppError('passkey_invalid');
  const { verifyRegistrationResponse } = await loadWebauthn();
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch {
    // The library explains in English what was wrong; the person can only start again.
    throw new AppError('passkey_invalid');
  }
  if (!verification.verified) throw new AppError('passkey_invalid');
  const info = verification.registrationInfo;
  return {
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    counter: info.credential.counter,
    transports: info.credential.transports ?? response.response.transports ?? [],
    aaguid: info.aaguid,
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
  };
}

// ---------------------------------------------------------------------------------------------
// Authentication (the second step of sign-in)

/** Request options limited to the account's passkeys, for one live sign-in challenge. */
export async function passkeyAuthenticationOptions(
  db: Kysely<Database>,
  rp: RelyingParty,
  userId: string,
  signInChallengeHash: string,
  passkeys: MfaFactorTable[],
): Promise<PasskeyRequestOptions> {
  const { generateAuthenticationOptions } = await loadWebauthn();
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: passkeys.map(descriptorOf),
    userVerification: 'preferred',
    timeout: CEREMONY_TIMEOUT_MS,
  });
  await db.transaction().execute((trx) =>
    storeChallenge(trx, {
      challenge: options.challenge,
      user_id: userId,
      purpose: 'authentication',
      sign_in_challenge_hash: signInChallengeHash,
    }),
  );
  return options;
}

export interface PasskeyMatch {
  factorId: string;
  previousCounter: number;
  newCounter: number;
}

/**
 * The account's passkey that signed this response to the sign-in challenge's live WebAuthn
 * challenge, or null (unknown or another account's credential, wrong origin or rpID, a used or
 * expired challenge, a bad signature, a counter that did not grow).
 */
export async function matchPasskey(
  db: Kysely<Database>,
  rp: RelyingParty,
  userId: string,
  signInChallengeHash: string,
  factors: MfaFactorTable[],
  response: AuthenticationResponseJSON,
): Promise<PasskeyMatch | null> {
  const challenge = await consumeChallenge(db, response.response.clientDataJSON, {
    userId,
    purpose: 'authentication',
    signInChallengeHash,
  });
  if (challenge === null) return null;
  const factor = factors.find((f) => isPasskey(f) && f.credential_id === response.id);
  if (!factor) return null;
  const previousCounter = Number(factor.sign_count ?? 0);
  const transports = transportsOf(factor);
  const { verifyAuthenticationResponse } = await loadWebauthn();
  try {
    const verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: factor.credential_id!,
        publicKey: new Uint8Array(Buffer.from(factor.public_key!, 'base64url')),
        counter: previousCounter,
        ...(transports ? { transports } : {}),
      },
      requireUserVerification: false,
    });
    if (!verification.verified) return null;
    return { factorId: factor.id, previousCounter, newCounter: verification.authenticationInfo.newCounter };
  } catch {
    return null;
  }
}

/**
 * Records the use: the new counter and the time, only if the counter is still the one verified
 * against (two racing assertions from one authenticator: exactly one counts).
 */
export async function consumePasskeyUse(trx: Kysely<Database>, match: PasskeyMatch): Promise<boolean> {
  const result = await trx
    .updateTable('mfa_factors')
    .set({ sign_count: match.newCounter, last_used_at: nowIso() })
    .where('id', '=', match.factorId)
    .where('sign_count', '=', match.previousCounter)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
