import type { Kysely } from 'kysely';

/**
 * SCIM 2.0 provisioning (RFC 7643/7644) by an identity provider's directory (Okta, Entra ID):
 *
 * - scim_tokens: at most one SCIM bearer token per identity provider. Stored as the SHA-256 of the
 *   token (as api_tokens are: 256 random bits, nothing to brute-force) and a masked form to
 *   recognise it; shown once when generated. The token authenticates /scim/v2 only, for that
 *   provider's accounts; it is read from the database on every SCIM request, so a revocation bites
 *   on the next request on every node. It goes with its provider.
 * - scim_users: what SCIM knows of an account beyond the users row: the provider that provisioned
 *   it and the directory's own ID for it (externalId). Goes with the account.
 * - identity_providers.scim_deprovision: what a SCIM DELETE does to an account: 'delete' it (the
 *   default) or only 'disable' it (revoking its sessions and API token all the same).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scim_tokens')
    .addColumn('provider_id', 'text', (c) => c.primaryKey().references('identity_providers.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('masked', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('last_used_ip', 'text')
    .execute();

  await db.schema
    .createTable('scim_users')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scim_users_provider_idx').on('scim_users').column('provider_id').execute();

  await db.schema
    .alterTable('identity_providers')
    .addColumn('scim_deprovision', 'text', (c) => c.notNull().defaultTo('delete'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identity_providers').dropColumn('scim_deprovision').execute();
  await db.schema.dropTable('scim_users').execute();
  await db.schema.dropTable('scim_tokens').execute();
}
