import { sql, type Kysely } from 'kysely';

/**
 * Who acted with which group, and who required an account's MFA.
 *
 * - audit_events.actor_group_name: the security group the actor belonged to when it acted (its
 *   name at that moment: groups are renamed and deleted, the log must not change with them). Null
 *   for entries without an actor (the CLI, the system) and for entries written before this column.
 * - users.mfa_required_by_other: "Enroll in Multi-Factor Authentication" was set on this account by
 *   someone else (an Administrator, or a user manager under the rule of accountSecurityDecision), not
 *   by the person enrolling themselves. While it is set, they cannot turn their own MFA off.
 *   Backfilled from the audit log: an account whose MFA another account once switched on keeps it
 *   required (failing closed when the log cannot tell which came last).
 * - A disabled account's API token is destroyed from now on; tokens that disabled accounts still
 *   hold would come back to life with the account, so they go now.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('actor_group_name', 'text').execute();
  await db.schema
    .alterTable('users')
    .addColumn('mfa_required_by_other', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`
    update users set mfa_required_by_other = 1
    where mfa_enrolled = 1 and exists (
      select 1 from audit_events a
      where a.target_user_id = users.id
        and a.actor_user_id is not null
        and a.actor_user_id <> users.id
        and a.action = 'user.security_updated'
        and a.details like ${'%"mfa_enrolled":{"from":0,"to":1}%'}
    )`.execute(db);
  await sql`delete from api_tokens where user_id in (select id from users where status = 'disabled')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('mfa_required_by_other').execute();
  await db.schema.alterTable('audit_events').dropColumn('actor_group_name').execute();
}
