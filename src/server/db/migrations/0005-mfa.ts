import type { Kysely } from 'kysely';

/**
 * Multi-factor authentication.
 *
 * - mfa_factors: one row per factor. `kind` is 'totp' now; passkeys (a later phase) are another
 *   kind in the same table, adding their own credential columns then. A TOTP factor starts
 *   unconfirmed (confirmed_at null) and only counts once the person has typed a code from it. Its
 *   secret is encrypted with the instance key (security/encryption.ts) with the factor and account
 *   IDs as associated data. last_used_step is the replay guard: no code from that time step or an
 *   earlier one is accepted again.
 * - mfa_recovery_codes: single-use codes, stored as SHA-256 only (they are 80 random bits: a dump
 *   cannot be turned back into codes).
 * - mfa_challenges: the state between a correct password and the second factor. Keyed by the hash
 *   of an opaque ID the browser holds for at most 10 minutes; a few wrong codes end it.
 *
 * users.mfa_enrolled (from 0001) keeps its meaning "this account uses MFA": set by an
 * Administrator (the seed's "Enroll in Multi-Factor Authentication") or by the person confirming a
 * factor. Set without a confirmed factor, the account must enroll at its next sign-in. No extra
 * column is needed: "pending" is "mfa_enrolled = 1 and no confirmed factor".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mfa_factors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_encrypted', 'text')
    .addColumn('confirmed_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('last_used_step', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mfa_factors_user_id_idx').on('mfa_factors').column('user_id').execute();

  await db.schema
    .createTable('mfa_recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mfa_recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();

  await db.schema
    .createTable('mfa_challenges')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mfa_challenges_user_id_idx').on('mfa_challenges').column('user_id').execute();
  await db.schema.createIndex('mfa_challenges_expires_at_idx').on('mfa_challenges').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mfa_challenges').execute();
  await db.schema.dropTable('mfa_recovery_codes').execute();
  await db.schema.dropTable('mfa_factors').execute();
}
