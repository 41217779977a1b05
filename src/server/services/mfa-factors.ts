/**
 * Storage of an account's second factors and recovery codes: what is kept, how it is sealed, and
 * the atomic "use it once" updates. The flows that use them (sign-in, enrollment, reset) are in
 * mfa.ts; this file knows nothing about requests.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, MfaFactorTable } from '../db/schema.js';
import { nowIso, nowMs } from '../clock.js';
import { decryptSecret, DecryptionError, encryptSecret } from '../security/encryption.js';
import { hashSecret } from '../security/secrets.js';
import type { VerifiedPasskey } from './passkeys.js';
import { base32Encode, generateTotpSecret, verifyTotp } from '../security/totp.js';

export const RECOVERY_CODE_COUNT = 10;

/** Binds a sealed secret to its factor and account: copied to another row, it will not decrypt. */
export function factorAad(factorId: string, userId: string): string {
  return `latchkey:mfa_factor:${factorId}:${userId}`;
}

export async function hasConfirmedFactor(db: Kysely<Database>, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('mfa_factors')
    .select('id')
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function confirmedFactors(db: Kysely<Database>, userId: string): Promise<MfaFactorTable[]> {
  return db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * A new, unconfirmed TOTP factor (replacing any earlier unfinished setup of this account). Returns
 * the secret in clear this once, for the QR code; the database holds it only sealed.
 */
export async function createPendingTotpFactor(
  db: Kysely<Database>,
  secretKey: Buffer,
  userId: string,
  name: string,
): Promise<{ id: string; secret: string }> {
  const id = randomUUID();
  const secret = generateTotpSecret();
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('mfa_factors')
      .where('user_id', '=', userId)
      .where('kind', '=', 'totp')
      .where('confirmed_at', 'is', null)
      .execute();
    await trx
      .insertInto('mfa_factors')
      .values({
        id,
        user_id: userId,
        kind: 'totp',
        name,
        secret_encrypted: encryptSecret(secretKey, secret, factorAad(id, userId)),
        confirmed_at: null,
        last_used_at: null,
        last_used_step: null,
        created_at: nowIso(),
      })
      .execute();
  });
  return { id, secret };
}

/** Stores a verified passkey as a confirmed factor of the account; returns its factor ID. */
export async function insertPasskeyFactor(
  trx: Kysely<Database>,
  userId: string,
  name: string,
  passkey: VerifiedPasskey,
): Promise<string> {
  const id = randomUUID();
  const now = nowIso();
  await trx
    .insertInto('mfa_factors')
    .values({
      id,
      user_id: userId,
      kind: 'passkey',
      name,
      secret_encrypted: null,
      confirmed_at: now,
      last_used_at: null,
      last_used_step: null,
      created_at: now,
      credential_id: passkey.credentialId,
      public_key: passkey.publicKey,
      sign_count: passkey.counter,
      transports: JSON.stringify(passkey.transports),
      aaguid: passkey.aaguid,
      device_type: passkey.deviceType,
      backed_up: passkey.backedUp ? 1 : 0,
    })
    .execute();
  return id;
}

export async function pendingTotpFactor(db: Kysely<Database>, userId: string): Promise<MfaFactorTable | undefined> {
  return db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
}

/** The factor's secret, or null when it cannot be opened (another key, or a row moved between accounts). */
function openSecret(secretKey: Buffer, factor: MfaFactorTable): string | null {
  if (!factor.secret_encrypted) return null;
  try {
    return decryptSecret(secretKey, factor.secret_encrypted, factorAad(factor.id, factor.user_id));
  } catch (error) {
    if (error instanceof DecryptionError) return null;
    throw error;
  }
}

export interface TotpMatch {
  factorId: string;
  step: number;
}

/** The first of `factors` the code is valid for now (respecting each factor's replay guard), or null. */
export function matchTotp(secretKey: Buffer, factors: MfaFactorTable[], code: string): TotpMatch | null {
  for (const factor of factors) {
    if (factor.kind !== 'totp') continue;
    const secret = openSecret(secretKey, factor);
    if (secret === null) continue;
    const step = verifyTotp(
      secret,
      code,
      nowMs(),
      factor.last_used_step === null ? null : Number(factor.last_used_step),
    );
    if (step !== null) return { factorId: factor.id, step };
  }
  return null;
}

/**
 * Records the use of a code's step, only if no code of that step or a later one was used meanwhile
 * (two requests racing with the same code: exactly one wins). Returns whether this use counted.
 */
export async function consumeTotpStep(
  trx: Kysely<Database>,
  match: TotpMatch,
  extra: { confirm?: boolean } = {},
): Promise<boolean> {
  const now = nowIso();
  const result = await trx
    .updateTable('mfa_factors')
    .set({ last_used_step: match.step, last_used_at: now, ...(extra.confirm ? { confirmed_at: now } : {}) })
    .where('id', '=', match.factorId)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', match.step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Recovery codes as typed: case, spaces and dashes do not matter. */
function normaliseRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase();
}

/** 80 random bits as 16 base32 characters in groups of four: xxxx-xxxx-xxxx-xxxx. */
function newRecoveryCode(): string {
  const text = base32Encode(randomBytes(10)).toLowerCase();
  return text.match(/.{4}/g)!.join('-');
}

/** Replaces all of the account's recovery codes with fresh ones, returned in clear this once. */
export async function replaceRecoveryCodes(trx: Kysely<Database>, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const now = nowIso();
  await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  await trx
    .insertInto('mfa_recovery_codes')
    .values(
      codes.map((code) => ({
        user_id: userId,
        code_hash: hashSecret(normaliseRecoveryCode(code)),
        used_at: null,
        created_at: now,
      })),
    )
    .execute();
  return codes;
}

export async function unusedRecoveryCodeCount(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The stored hash of an unused recovery code of this account matching `code`, or null. */
export async function matchRecoveryCode(db: Kysely<Database>, userId: string, code: string): Promise<string | null> {
  const normalised = normaliseRecoveryCode(code);
  if (!/^[a-z2-7]{16}$/.test(normalised)) return null;
  const row = await db
    .selectFrom('mfa_recovery_codes')
    .select('code_hash')
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashSecret(normalised))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return row?.code_hash ?? null;
}

/** Marks a recovery code used, only if it still is unused (racing requests: exactly one wins). */
export async function consumeRecoveryCode(trx: Kysely<Database>, userId: string, codeHash: string): Promise<boolean> {
  const result = await trx
    .updateTable('mfa_recovery_codes')
    .set({ used_at: nowIso() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Removes every factor, recovery code and open challenge of the account (an Administrator's reset). */
export async function removeAllMfa(trx: Kysely<Database>, userId: string): Promise<{ factorsRemoved: number }> {
  const factors = await trx
    .deleteFrom('mfa_factors')
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
  await trx.deleteFrom('mfa_factors').where('user_id', '=', userId).execute();
  await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  await trx.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute();
  return { factorsRemoved: Number(factors.numDeletedRows) };
}
