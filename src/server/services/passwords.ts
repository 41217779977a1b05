import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, UserTable, UserWithGroup } from '../db/schema.js';
import { nowIso } from '../clock.js';
import { AppError, fieldError } from '../app-error.js';
import { isAdministrator, type Actor } from '../auth/actor.js';
import { endAllSessions } from '../auth/sessions.js';
import { hashPassword } from '../security/password-hashing.js';
import { checkPasswordPolicy } from '../security/password-policy.js';
import { recordAudit, type AuditActor } from './audit.js';
import { loadGroupPermissions } from './security-groups.js';
import { findUserById } from './users.js';
import { accountSecurityDecision, type GroupPermissions } from '../policies/accounts.js';
import { assertAllowed } from '../policies/decision.js';
import type { RequestContext } from '../request-context.js';

export interface ResetPasswordOptions {
  /**
   * The one session to keep (someone changing their own password stays signed in where they did
   * it). Every other session of the account ends; null or absent ends them all.
   */
  keepSessionIdHash?: string | null;
  /**
   * true sets "User Must Change Password at Next Login" (Administrators and the CLI only), false
   * clears it (the forced change itself), absent leaves it as it is.
   */
  mustChangePassword?: boolean;
  /** The audit's "Reset by" when no one is signed in: `email_link` (Forgot password). Default: from the actor. */
  by?: 'email_link';
}

export interface PasswordResetResult {
  user: UserWithGroup;
  sessionsEnded: number;
}

/** The error field a refused new password is reported on. */
export const NEW_PASSWORD_FIELD = 'newPassword';

/**
 * Gives an account a new password: the password policy, argon2id hashing, the end of the
 * account's other sessions (a password reset must shut out whoever knew the old one) and the
 * `user.password_reset` audit entry. Used by the CLI (`ctx.actor` null) and the Password &
 * Security tab. It does not check the current password: callers that need it (resetting your own
 * password) check it first.
 */
export async function resetPassword(
  db: Db,
  ctx: RequestContext,
  userId: string,
  newPassword: string,
  options: ResetPasswordOptions = {},
): Promise<PasswordResetResult> {
  const before = await findUserById(db, userId);
  if (!before) throw new AppError('not_found', 'No account with this ID.');
  assertMayResetPassword(ctx.actor, before, await loadGroupPermissions(db, [before.security_group_id]), options);
  const problem = checkPasswordPolicy(newPassword, {
    email: before.email,
    firstName: before.first_name,
    lastName: before.last_name,
  });
  if (problem) throw fieldError(NEW_PASSWORD_FIELD, problem);
  // Hashed before the transaction on purpose: argon2id takes ~20 ms of memory-hard work, and on
  // SQLite the transaction holds the only connection, which would stall every other request.
  const passwordHash = await hashPassword(newPassword);

  return db.transaction().execute(async (trx) => {
    // Read again inside the transaction: the account may have been deleted, turned into an SSO
    // account or moved to another group while the hash was computed.
    const target = await findUserById(trx, userId);
    if (!target) throw new AppError('not_found', 'No account with this ID.');
    assertMayResetPassword(ctx.actor, target, await loadGroupPermissions(trx, [target.security_group_id]), options);

    const sessionsEnded = await applyNewPassword(trx, ctx, target, passwordHash, options);
    return { user: (await findUserById(trx, target.id))!, sessionsEnded };
  });
}

/**
 * Stores a new (already checked and hashed) password inside the caller's transaction, ends the
 * account's sessions but the one to keep and every "Forgot password" link it still has, and writes
 * the `user.password_reset` audit entry. The one place a password is written: the CLI
 * (resetPassword), the Password & Security tab (account-security.ts) and a reset by emailed link
 * (password-reset-links.ts) all come here. Returns how many sessions ended.
 */
export async function applyNewPassword(
  trx: Kysely<Database>,
  ctx: RequestContext,
  target: Pick<UserTable, 'id' | 'email'>,
  passwordHash: string,
  options: ResetPasswordOptions = {},
): Promise<number> {
  await trx
    .updateTable('users')
    .set({
      password_hash: passwordHash,
      ...(options.mustChangePassword === undefined ? {} : { must_change_password: options.mustChangePassword ? 1 : 0 }),
      updated_at: nowIso(),
    })
    .where('id', '=', target.id)
    .execute();
  const sessionsEnded = await endAllSessions(trx, target.id, options.keepSessionIdHash ?? null);
  // A link asked for before this change must not undo it (someone who read the mailbox then).
  await trx
    .updateTable('password_reset_links')
    .set({ used_at: nowIso() })
    .where('user_id', '=', target.id)
    .where('used_at', 'is', null)
    .execute();
  await recordAudit(trx, {
    actor: ctx.actor,
    target: { id: target.id, email: target.email },
    action: 'user.password_reset',
    // Never the password or its hash: only who did it and what followed from it.
    details: {
      by: options.by ?? resetBy(ctx.actor, target.id),
      sessionsEnded,
      ...(options.mustChangePassword === undefined ? {} : { mustChangePassword: options.mustChangePassword }),
    },
    ip: ctx.ip,
  });
  return sessionsEnded;
}

/**
 * Who reset a password, in the audit's words: `self`, `cli`, or the security group of whoever
 * reset someone else's (a user manager is not an Administrator; the entry must not say so).
 */
function resetBy(actor: AuditActor | null, targetId: string): string {
  if (actor === null) return 'cli';
  return actor.user.id === targetId ? 'self' : actor.groupName;
}

/** SSO accounts have no local password: their identity provider alone decides how they sign in. */
export function assertHasLocalPassword(user: Pick<UserTable, 'email' | 'user_type' | 'sso_provider'>): void {
  if (user.user_type === 'sso') {
    throw new AppError(
      'sso_account',
      `${user.email} is managed by its identity provider (${user.sso_provider ?? 'SSO'}): it has no local password to reset.`,
    );
  }
}

function assertMayResetPassword(
  actor: Actor | null,
  target: UserWithGroup,
  groupPermissions: GroupPermissions,
  options: ResetPasswordOptions,
): void {
  assertHasLocalPassword(target);
  if (actor === null) return; // The CLI: whoever can run it already holds the database.
  // The one rule for acting on another account's security (policies/accounts.ts).
  assertAllowed(accountSecurityDecision(actor, target, groupPermissions));
  // The seed: only the Administrator group may force a change at next login.
  if (options.mustChangePassword === true && !isAdministrator(actor)) {
    throw new AppError('forbidden', 'Only an Administrator can require a password change at next login.');
  }
}
