import type { Kysely } from 'kysely';

/**
 * "Forgot password" for native accounts (issue 17).
 *
 * - password_reset_links: one row per emailed link. Only the SHA-256 of the link's 256-bit secret
 *   is stored (the email holds the secret itself). A link works once, for 30 minutes, and every
 *   outstanding link of an account ends on any password change (services/passwords.ts).
 *   requested_ip: the address that asked for it, for whoever looks into a takeover.
 * - installation_settings.self_service_password_reset: whether the sign-in page offers "Forgot
 *   password?" (1, the default) or not (0): an Administrator's choice on the Settings page.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('password_reset_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('requested_ip', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('password_reset_links_user_idx').on('password_reset_links').column('user_id').execute();
  await db.schema
    .alterTable('installation_settings')
    .addColumn('self_service_password_reset', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('installation_settings').dropColumn('self_service_password_reset').execute();
  await db.schema.dropTable('password_reset_links').execute();
}
