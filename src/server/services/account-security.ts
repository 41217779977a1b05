/**
 * The Password & Security tab (the seed article): Security Group, Account Status, API Token,
 * Enroll in Multi-Factor Authentication, Reset Password and User Must Change Password at Next
 * Login, saved by one Change request, all or nothing.
 *
 * `securityDecisions` (policies/account-security.ts) is the single statement of who may change
 * what on whose account. The GET route sends it to the UI (which only reads it) and
 * `updateSecurity` enforces the very same decisions, so the two can never disagree.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { ApiTokenTable, Database, UserTable, UserWithGroup } from '../db/schema.js';
import { nowIso } from '../clock.js';
import { AppError, fieldError } from '../app-error.js';
import type { Actor } from '../auth/actor.js';
import { endAllSessions, rotateSession, type NewSession } from '../auth/sessions.js';
import { hashPassword, verifyPassword } from '../security/password-hashing.js';
import { generateSecret, hashSecret } from '../security/secrets.js';
import { ADMINISTRATOR_GROUP_ID } from '../../shared/permissions.js';
import type { SecuritySettings, UpdateSecurity } from '../../shared/schemas/security.js';
import { diffFields, recordAudit } from './audit.js';
import { checkSecretWithinLimits } from './login-throttle.js';
import { resetMfa } from './mfa.js';
import { loadGroupPermissions } from './security-groups.js';
import { accountSecurityDecision, type GroupPermissions } from '../policies/accounts.js';
import { securityDecisions } from '../policies/account-security.js';
import { assertAllowed, refused, type Decision } from '../policies/decision.js';
import { hasConfirmedFactor } from './mfa-factors.js';
import { applyNewPassword } from './passwords.js';
import { assertAcceptablePassword, assertMayAssignGroup, findUserById, isLastEnabledAdministrator } from './users.js';
import type { ActorContext } from '../request-context.js';

/** The request's context (who acts, from where) and what this service needs beyond it. */
export interface SecurityContext extends ActorContext {
  userAgent: string;
  /** Failed current-password checks are slowed like failed sign-ins. */
  loginDelayStepMs: number;
}

/** The account whose settings change; SSO accounts only where `allowSso` (their status). */
async function loadTarget(
  db: Kysely<Database>,
  userId: string,
  options: { allowSso?: boolean } = {},
): Promise<UserWithGroup> {
  const target = await findUserById(db, userId);
  if (!target) throw new AppError('not_found', 'No account with this ID.');
  if (target.user_type === 'sso' && !options.allowSso) throw new AppError('sso_account');
  return target;
}

/** What an account's Password & Security tab shows, read in one go (presenters/account-security.ts shapes it). */
export interface SecurityTabFacts {
  target: Awaited<ReturnType<typeof loadTarget>>;
  groupDescription: string;
  token: ApiTokenTable | undefined;
  mfaActive: boolean;
  /** The account's group's rights, for what the viewer may change (its `can`). */
  groupPermissions: GroupPermissions;
}

export async function loadSecurityTab(db: Db, userId: string): Promise<SecurityTabFacts> {
  const target = await loadTarget(db, userId);
  const [group, token, mfaActive, groupPermissions] = await Promise.all([
    db
      .selectFrom('security_groups')
      .select('description')
      .where('id', '=', target.security_group_id)
      .executeTakeFirstOrThrow(),
    db.selectFrom('api_tokens').selectAll().where('user_id', '=', target.id).executeTakeFirst(),
    hasConfirmedFactor(db, target.id),
    loadGroupPermissions(db, [target.security_group_id]),
  ]);
  return { target, groupDescription: group.description, token, mfaActive, groupPermissions };
}

/**
 * Refuses every requested change the actor may not make. A field sent with the value it already
 * has is not a change and is accepted (a form may send everything it shows).
 */
function assertChangesAllowed(
  actor: Actor,
  target: UserTable,
  groupPermissions: GroupPermissions,
  body: UpdateSecurity,
): void {
  if (target.user_type === 'sso' && Object.keys(body).some((field) => field !== 'accountStatus')) {
    throw new AppError('sso_account');
  }
  const allowed = securityDecisions(actor, target, groupPermissions);
  /** A refused field answers with its decision's code and message (the reason `can` showed). */
  const refuse = (field: string, decision: Decision) => {
    if (!decision.allowed) throw new AppError(decision.code, decision.message, { [field]: decision.message });
  };
  if (body.securityGroupId !== undefined && body.securityGroupId !== target.security_group_id)
    refuse('securityGroupId', allowed.changeSecurityGroup);
  if (body.accountStatus !== undefined && body.accountStatus !== target.status)
    refuse('accountStatus', allowed.changeAccountStatus);
  if (body.mfaEnrolled !== undefined && body.mfaEnrolled !== (target.mfa_enrolled === 1))
    refuse('mfaEnrolled', allowed.changeMfaEnrollment);
  if (body.mustChangePassword !== undefined && body.mustChangePassword !== (target.must_change_password === 1))
    refuse('mustChangePassword', allowed.setMustChangePassword);
  if (body.resetPassword && allowed.resetPassword === 'none') {
    const rank = accountSecurityDecision(actor, target, groupPermissions);
    refuse(
      'resetPassword',
      rank.allowed ? refused('forbidden', 'You may not reset the password of this account.') : rank,
    );
  }
}

/**
 * Checks a new password and hashes it, before any write: argon2 is slow on purpose and must not
 * run while a write transaction holds the database. (Your own current password is checked before,
 * by updateSecurity.)
 */
async function preparePasswordChange(
  target: UserTable,
  change: { newPassword: string; confirmNewPassword: string },
  own: boolean,
): Promise<string> {
  const fields = { password: 'newPassword', confirmation: 'confirmNewPassword' };
  const context = { email: target.email, firstName: target.first_name, lastName: target.last_name };
  const password = assertAcceptablePassword(change.newPassword, change.confirmNewPassword, context, fields);
  if (own && (await verifyPassword(target.password_hash, password))) {
    throw fieldError('newPassword', 'The new password must be different from the current one.');
  }
  return hashPassword(password);
}

/**
 * The current password, asked before changing your own password or MFA: checked only within the
 * account's sign-in limits (a wrong one counts as a failed sign-in, and a locked account gets 429
 * login_locked without a check), so a stolen session cannot guess it faster than sign-in can.
 */
export async function assertCurrentPassword(
  db: Db,
  ctx: SecurityContext,
  target: UserTable,
  current: string | undefined,
): Promise<void> {
  if (!current) throw fieldError('currentPassword', 'Current Password is required.');
  const client = { ip: ctx.ip, userAgent: ctx.userAgent };
  const attempt = {
    email: target.email,
    userId: target.id,
    method: 'password_change',
    client,
    delayStepMs: ctx.loginDelayStepMs,
  };
  await checkSecretWithinLimits(db, attempt, async () =>
    (await verifyPassword(target.password_hash, current))
      ? // Proving the password you signed in with clears nothing: the attempt is only given back.
        { ok: true, value: undefined, settle: 'release' }
      : {
          ok: false,
          reason: 'wrong_password',
          error: new AppError('current_password_incorrect', undefined, {
            currentPassword: 'The current password is incorrect.',
          }),
        },
  );
}

/**
 * The Change button: every change on the tab in one transaction, each with its audit entry.
 * Changing your own password or turning off your own MFA re-authenticates you (your current
 * password, checked once): this session is then rotated, and its replacement is returned for the
 * route to hand to the browser (null otherwise, and always for API tokens, which have no session).
 */
export async function updateSecurity(
  db: Db,
  ctx: SecurityContext,
  userId: string,
  body: UpdateSecurity,
  options: { allowSso?: boolean } = {},
): Promise<{ newSession: NewSession | null }> {
  const before = await loadTarget(db, userId, options);
  assertChangesAllowed(ctx.actor, before, await loadGroupPermissions(db, [before.security_group_id]), body);
  const own = ctx.actor.user.id === before.id;
  const turnsOffOwnMfa = own && body.mfaEnrolled === false && before.mfa_enrolled === 1;
  const reauthenticates = own && (turnsOffOwnMfa || body.resetPassword !== undefined);
  if (reauthenticates) {
    await assertCurrentPassword(db, ctx, before, body.resetPassword?.currentPassword ?? body.currentPassword);
  }
  const newPasswordHash = body.resetPassword ? await preparePasswordChange(before, body.resetPassword, own) : null;

  return db.transaction().execute(async (trx) => {
    // Re-read and re-check inside the transaction: the account may have changed meanwhile.
    const target = await loadTarget(trx, userId, options);
    assertChangesAllowed(ctx.actor, target, await loadGroupPermissions(trx, [target.security_group_id]), body);
    if (body.securityGroupId !== undefined && body.securityGroupId !== target.security_group_id) {
      await assertMayAssignGroup(trx, ctx.actor, body.securityGroupId);
    }
    const losesAdministrator =
      (body.accountStatus === 'disabled' && target.status === 'enabled') ||
      (body.securityGroupId !== undefined && body.securityGroupId !== ADMINISTRATOR_GROUP_ID);
    if (losesAdministrator && (await isLastEnabledAdministrator(trx, target))) throw new AppError('last_administrator');

    const changes: Partial<UserTable> = {};
    if (body.securityGroupId !== undefined) changes.security_group_id = body.securityGroupId;
    if (body.accountStatus !== undefined) changes.status = body.accountStatus;
    if (body.mfaEnrolled !== undefined) changes.mfa_enrolled = body.mfaEnrolled ? 1 : 0;
    // Switched on by someone else: required of the owner, who cannot switch it off. Switched off: no longer.
    if (body.mfaEnrolled === true && target.mfa_enrolled === 0) changes.mfa_required_by_other = own ? 0 : 1;
    if (body.mfaEnrolled === false) changes.mfa_required_by_other = 0;
    if (body.mustChangePassword !== undefined) changes.must_change_password = body.mustChangePassword ? 1 : 0;
    const diff = diffFields(target as unknown as Record<string, unknown>, changes);
    const targetRef = { id: target.id, email: target.email };

    if (Object.keys(diff).length > 0) {
      await trx
        .updateTable('users')
        .set({ ...changes, updated_at: nowIso() })
        .where('id', '=', target.id)
        .execute();
      // A disabled account's sessions end now and its API token is destroyed, not merely refused:
      // enabling the account again later brings back neither (a new token must be generated).
      const disabledEffects =
        changes.status === 'disabled'
          ? {
              sessionsEnded: await endAllSessions(trx, target.id),
              tokenRevoked: Number((await deleteApiToken(trx, target.id)).numDeletedRows) > 0,
            }
          : {};
      await recordAudit(trx, {
        actor: ctx.actor,
        target: targetRef,
        action: 'user.security_updated',
        details: { changes: diff, ...disabledEffects },
        ip: ctx.ip,
      });
      // Clearing "Enroll in Multi-Factor Authentication" is the lost-phone reset: factors and
      // recovery codes go, sessions end. (Checking it needs nothing more: a session of an account
      // without a factor can only enroll from its next request on.)
      if (changes.mfa_enrolled === 0 && target.mfa_enrolled === 1) await resetMfa(trx, ctx.actor, ctx.ip, targetRef);
    }
    if (newPasswordHash) {
      // Your own reset ends your other sessions (this one is rotated below); a reset by someone
      // else ends them all. Changing your own password satisfies a pending "must change", unless
      // this request sets it.
      await applyNewPassword(trx, ctx, targetRef, newPasswordHash, {
        keepSessionIdHash: own ? ctx.actor.sessionIdHash : null,
        ...(own && body.mustChangePassword === undefined ? { mustChangePassword: false } : {}),
      });
    }
    const sessionIdHash = ctx.actor.sessionIdHash;
    if (!reauthenticates || !sessionIdHash) return { newSession: null };
    const client = { ip: ctx.ip, userAgent: ctx.userAgent };
    return { newSession: (await rotateSession(trx, sessionIdHash, client)) ?? null };
  });
}

/**
 * Enables or disables any account, SSO ones included (whose Password & Security tab is hidden):
 * the same rules, audit entry and effects (sessions end, token destroyed) as that tab's field.
 */
export async function setAccountStatus(
  db: Db,
  ctx: SecurityContext,
  userId: string,
  accountStatus: 'enabled' | 'disabled',
): Promise<void> {
  await updateSecurity(db, ctx, userId, { accountStatus }, { allowSso: true });
}

/**
 * Your own password, from the forced-change screen or /me: current password required. Your other
 * sessions end and this one is rotated: the new session is returned for the browser.
 */
export async function changeOwnPassword(
  db: Db,
  ctx: SecurityContext,
  change: { currentPassword: string; newPassword: string; confirmNewPassword: string },
): Promise<{ newSession: NewSession | null }> {
  return updateSecurity(db, ctx, ctx.actor.user.id, { resetPassword: change });
}

const TOKEN_PREFIX = 'lk_';

/** Deletes the account's API token (if any) inside the caller's transaction. */
function deleteApiToken(trx: Kysely<Database>, userId: string) {
  return trx.deleteFrom('api_tokens').where('user_id', '=', userId).executeTakeFirst();
}

/** Generate or revoke: the tab's `generateApiToken` or `revokeApiToken` ability, enforced. */
async function assertMayManageApiToken(
  trx: Kysely<Database>,
  actor: Actor,
  target: UserTable,
  action: 'generateApiToken' | 'revokeApiToken',
): Promise<void> {
  const groupPermissions = await loadGroupPermissions(trx, [target.security_group_id]);
  assertAllowed(securityDecisions(actor, target, groupPermissions)[action]);
}

/** `lk_abcd…wxyz`: enough to recognise a token in a list, far too little to use it. */
function maskToken(token: string): string {
  return `${token.slice(0, TOKEN_PREFIX.length + 4)}…${token.slice(-4)}`;
}

/**
 * Generate (or regenerate) the account's one API token. The previous token stops working in the
 * same transaction. The full token is returned this once; only its SHA-256 and masked form are kept.
 * Tokens carry a recognisable `lk_` prefix so secret scanners can find leaked ones.
 */
export async function generateApiToken(
  db: Db,
  ctx: Pick<SecurityContext, 'actor' | 'ip'>,
  userId: string,
): Promise<{ token: string; apiToken: NonNullable<SecuritySettings['apiToken']> }> {
  const token = TOKEN_PREFIX + generateSecret(32);
  const masked = maskToken(token);
  const createdAt = nowIso();
  await db.transaction().execute(async (trx) => {
    const target = await loadTarget(trx, userId);
    await assertMayManageApiToken(trx, ctx.actor, target, 'generateApiToken');
    const replaced = await deleteApiToken(trx, target.id);
    await trx
      .insertInto('api_tokens')
      .values({
        user_id: target.id,
        token_hash: hashSecret(token),
        masked,
        created_at: createdAt,
        created_by: ctx.actor.user.id,
        last_used_at: null,
        last_used_ip: null,
      })
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      target: { id: target.id, email: target.email },
      action: 'api_token.generated',
      details: { masked, replacedPrevious: Number(replaced.numDeletedRows) > 0 },
      ip: ctx.ip,
    });
  });
  return { token, apiToken: { masked, createdAt, lastUsedAt: null, lastUsedIp: null } };
}

/** Revokes the account's API token (if any); it is refused from the next request on. */
export async function revokeApiToken(
  db: Db,
  ctx: Pick<SecurityContext, 'actor' | 'ip'>,
  userId: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const target = await loadTarget(trx, userId);
    await assertMayManageApiToken(trx, ctx.actor, target, 'revokeApiToken');
    const token = await trx
      .selectFrom('api_tokens')
      .select('masked')
      .where('user_id', '=', target.id)
      .executeTakeFirst();
    if (!token) throw new AppError('not_found', 'This account has no API token.');
    await deleteApiToken(trx, target.id);
    await recordAudit(trx, {
      actor: ctx.actor,
      target: { id: target.id, email: target.email },
      action: 'api_token.revoked',
      details: { masked: token.masked },
      ip: ctx.ip,
    });
  });
}
