import type { Kysely } from 'kysely';

/**
 * Single sign-on: identity providers, the identities they vouch for, and the short-lived
 * state of a sign-in in progress.
 *
 * - identity_providers: one row per OpenID Connect or SAML 2.0 provider. `settings` is JSON of the
 *   protocol's non-secret configuration (issuer, client ID, scopes, groups claim; or entity ID, SSO
 *   URL, logout URL, signing certificate). The OIDC client secret is the only secret and lives in
 *   its own column, encrypted (security/encryption.ts, associated data = provider ID), never sent
 *   back. A provider always has a default security group, so a first sign-in never lands nowhere.
 * - identity_provider_domains: an email domain belongs to at most one provider (the primary key),
 *   so "someone@corp.example" on the sign-in page has one answer.
 * - identity_provider_group_mappings: IdP group name → security group, per provider.
 *   Security groups referenced by a provider cannot be deleted (no cascade): the group's delete is
 *   refused with a reason instead of silently changing who gets which rights.
 * - sso_identities: keyed by (provider, subject), never by email. An account can have one identity
 *   per provider. Deleting the account deletes its identities.
 * - sso_login_flows: one row per sign-in started (OIDC state, SAML AuthnRequest ID), keyed by a
 *   SHA-256 of that value, single use (deleted when the answer comes back), expiring after minutes.
 *   `browser_binding_hash` ties the answer to the browser that started it (a cookie), against
 *   login CSRF. The PKCE verifier is stored encrypted.
 * - sso_used_assertions: SAML assertion IDs already accepted, kept until they expire anyway, so a
 *   captured assertion cannot be replayed (on any node: it is in the shared database).
 * - sessions.identity_provider_id: which provider a session came from (null for password
 *   sign-ins), to offer that provider's sign-out.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_normalized', 'text', (c) => c.notNull().unique())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('default_group_id', 'text', (c) => c.notNull().references('security_groups.id'))
    .addColumn('allow_email_linking', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('client_secret_encrypted', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('identity_provider_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .execute();
  await db.schema
    .createIndex('identity_provider_domains_provider_idx')
    .on('identity_provider_domains')
    .column('provider_id')
    .execute();

  await db.schema
    .createTable('identity_provider_group_mappings')
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('idp_group', 'text', (c) => c.notNull())
    .addColumn('security_group_id', 'text', (c) => c.notNull().references('security_groups.id'))
    .addPrimaryKeyConstraint('identity_provider_group_mappings_pk', ['provider_id', 'idp_group'])
    .execute();
  await db.schema
    .createIndex('identity_provider_group_mappings_group_idx')
    .on('identity_provider_group_mappings')
    .column('security_group_id')
    .execute();

  await db.schema
    .createTable('sso_identities')
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'text')
    .addPrimaryKeyConstraint('sso_identities_pk', ['provider_id', 'subject'])
    .execute();
  await db.schema
    .createIndex('sso_identities_user_provider_idx')
    .on('sso_identities')
    .columns(['user_id', 'provider_id'])
    .unique()
    .execute();

  await db.schema
    .createTable('sso_login_flows')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('browser_binding_hash', 'text', (c) => c.notNull())
    .addColumn('pkce_verifier_encrypted', 'text')
    .addColumn('nonce', 'text')
    .addColumn('return_to', 'text', (c) => c.notNull().defaultTo('/'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_login_flows_expires_idx').on('sso_login_flows').column('expires_at').execute();

  await db.schema
    .createTable('sso_used_assertions')
    .addColumn('assertion_id_hash', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sso_used_assertions_expires_idx')
    .on('sso_used_assertions')
    .column('expires_at')
    .execute();

  await db.schema.alterTable('sessions').addColumn('identity_provider_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('identity_provider_id').execute();
  for (const table of [
    'sso_used_assertions',
    'sso_login_flows',
    'sso_identities',
    'identity_provider_group_mappings',
    'identity_provider_domains',
    'identity_providers',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
