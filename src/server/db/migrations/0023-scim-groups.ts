import type { Kysely } from 'kysely';

/**
 * SCIM 2.0 Groups pushed by an identity provider's directory (Okta "Push Groups", Entra ID group
 * provisioning). A SCIM group is the provider's group: it grants nothing by itself. An account's
 * security group follows the provider's group mapping over the SCIM groups it is a member of
 * (the mapping with the fewest permissions wins, else the provider's default group), as at SSO
 * sign-in (sso/sign-in.ts groupForSignIn).
 *
 * - scim_groups: per provider, unique display name in any letter case.
 * - scim_group_members: which of the provider's accounts are in which group; goes with either.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scim_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('display_name_normalized', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('scim_groups_provider_name_unique', ['provider_id', 'display_name_normalized'])
    .execute();

  await db.schema
    .createTable('scim_group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('scim_groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('scim_group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('scim_group_members_user_idx').on('scim_group_members').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('scim_group_members').execute();
  await db.schema.dropTable('scim_groups').execute();
}
