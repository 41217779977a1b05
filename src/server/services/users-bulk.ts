/**
 * Bulk actions on accounts (the User Accounts list's checkboxes): the single action's service
 * function, run once per account inside ONE transaction, so every rule and audit entry is the
 * single action's own. All or nothing: when any account is refused, every refusal is collected
 * (the code and message its single action answers with), the transaction is rolled back and the
 * answer lists them (409 bulk_refused).
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, UserWithGroup } from '../db/schema.js';
import { AppError } from '../app-error.js';
import type { RefusedItem } from '../../shared/errors.js';
import type { BulkUserActionInput } from '../../shared/schemas/users-bulk.js';
import type { ActorContext } from '../request-context.js';
import { applySecurityChanges } from './account-security.js';
import { assertMayAssignGroup, deleteUserIn, selectUsersWithGroup } from './users.js';

const accounts = (n: number) => `${n} ${n === 1 ? 'account' : 'accounts'}`;

/**
 * Runs `apply` for each account (in ID order, so two bulk requests lock rows in the same order)
 * inside one transaction; counts those it changed. Only refusals (AppError) are collected: any
 * other error is a failure and ends the request as it would have.
 */
async function allOrNothing(
  db: Db,
  userIds: readonly string[],
  apply: (trx: Kysely<Database>, userId: string) => Promise<boolean>,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const emails = new Map(
      (
        await trx
          .selectFrom('users')
          .select(['id', 'email'])
          .where('id', 'in', [...userIds])
          .execute()
      ).map((row) => [row.id, row.email]),
    );
    const refusedItems: RefusedItem[] = [];
    let changed = 0;
    for (const userId of [...userIds].sort()) {
      try {
        if (await apply(trx, userId)) changed += 1;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        refusedItems.push({ id: userId, email: emails.get(userId) ?? null, code: error.code, message: error.message });
      }
    }
    if (refusedItems.length > 0) {
      // Listed in the order the caller sent them.
      const order = new Map(userIds.map((id, index) => [id, index]));
      refusedItems.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      const error = new AppError(
        'bulk_refused',
        `${accounts(refusedItems.length)} of ${userIds.length} refused, so nothing was changed.`,
      );
      error.items = refusedItems;
      throw error;
    }
    return changed;
  });
}

/** Enable, Disable, Change Security Group or Require MFA for every account given, or for none. */
export async function bulkUpdateUsers(db: Db, ctx: ActorContext, input: BulkUserActionInput): Promise<number> {
  const change =
    input.action === 'enable'
      ? { accountStatus: 'enabled' as const }
      : input.action === 'disable'
        ? { accountStatus: 'disabled' as const }
        : input.action === 'requireMfa'
          ? { mfaEnrolled: true }
          : { securityGroupId: input.securityGroupId! };
  if (input.action === 'changeSecurityGroup') {
    // The group itself is the request's, not an account's: an unknown group or one with rights the
    // caller lacks is refused once, as the single action refuses it (400 field error, 403).
    await db.transaction().execute((trx) => assertMayAssignGroup(trx, ctx.actor, input.securityGroupId!));
  }
  // Only the status may change on SSO accounts (as PUT /users/{id}/account-status allows); their
  // other fields are refused per account with the single action's sso_account reason.
  const allowSso = input.action === 'enable' || input.action === 'disable';
  return allOrNothing(
    db,
    input.userIds,
    async (trx, userId) => (await applySecurityChanges(trx, ctx, userId, change, { allowSso })).changed,
  );
}

/** Deletes every account given, or none. */
export async function bulkDeleteUsers(db: Db, ctx: ActorContext, userIds: readonly string[]): Promise<number> {
  return allOrNothing(db, userIds, async (trx, userId) => {
    await deleteUserIn(trx, ctx, userId);
    return true;
  });
}

/** The accounts of Export selected, by email (IDs of accounts that no longer exist are left out). */
export async function usersForExport(db: Db, userIds: readonly string[]): Promise<UserWithGroup[]> {
  return selectUsersWithGroup(db)
    .where('u.id', 'in', [...userIds])
    .orderBy('u.email_normalized')
    .orderBy('u.id')
    .execute();
}
