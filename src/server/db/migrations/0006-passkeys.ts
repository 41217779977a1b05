import type { Kysely } from 'kysely';

/**
 * Passkeys (WebAuthn) as a second kind of MFA factor.
 *
 * - A passkey is a row of mfa_factors with kind 'passkey', not a table of its own: listing,
 *   "last factor" rule, removal, an Administrator's reset and "has a second factor" at sign-in
 *   already work on mfa_factors and so cover passkeys without a second code path. The WebAuthn
 *   fields are extra nullable columns (null for TOTP rows). A passkey row is confirmed when it is
 *   stored (the registration ceremony is its confirmation). Only the public key is kept: a dump
 *   cannot sign anyone in.
 *   credential_id is unique across all accounts (base64url; several NULLs are allowed by both
 *   SQLite and PostgreSQL), so one authenticator credential can never belong to two accounts.
 * - webauthn_challenges: the random challenge of one ceremony, server-side, single use (deleted
 *   when used), short-lived, tied to the account and, for a sign-in, to the sign-in challenge it
 *   belongs to (removed with it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('mfa_factors').addColumn('credential_id', 'text').execute();
  await db.schema.alterTable('mfa_factors').addColumn('public_key', 'text').execute();
  await db.schema.alterTable('mfa_factors').addColumn('sign_count', 'bigint').execute();
  await db.schema.alterTable('mfa_factors').addColumn('transports', 'text').execute();
  await db.schema.alterTable('mfa_factors').addColumn('aaguid', 'text').execute();
  await db.schema.alterTable('mfa_factors').addColumn('device_type', 'text').execute();
  await db.schema.alterTable('mfa_factors').addColumn('backed_up', 'integer').execute();
  await db.schema
    .createIndex('mfa_factors_credential_id_idx')
    .on('mfa_factors')
    .column('credential_id')
    .unique()
    .execute();

  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('challenge', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('sign_in_challenge_hash', 'text', (c) => c.references('mfa_challenges.id_hash').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webauthn_challenges_user_id_idx').on('webauthn_challenges').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webauthn_challenges').execute();
  await db.schema.dropIndex('mfa_factors_credential_id_idx').execute();
  for (const column of [
    'backed_up',
    'device_type',
    'aaguid',
    'transports',
    'sign_count',
    'public_key',
    'credential_id',
  ])
    await db.schema.alterTable('mfa_factors').dropColumn(column).execute();
}
