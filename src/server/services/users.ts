/**
 * Single accounts: reading one (with its group and MFA state) and changing it (create, Account
 * Settings, delete), each change with its audit entry. The list and export are in user-list.ts.
 */
import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, UserTable } from '../db/schema.js';
import { isPostgres, isUniqueViolation } from '../db/portable.js';
import { nowIso } from '../clock.js';
import { AppError, fieldError } from '../app-error.js';
import type { Actor } from '../auth/actor.js';
import { endAllSessions } from '../auth/sessions.js';
import { hashPassword } from '../security/password-hashing.js';
import { checkPasswordPolicy } from '../security/password-policy.js';
import { ADMINISTRATOR_GROUP_ID } from '../../shared/permissions.js';
import { type AccountSettings } from '../../shared/schemas/users.js';
import { diffFields, recordAudit } from './audit.js';
import { accountDecisions } from '../policies/accounts.js';
import { newAccountMustChangePasswordDecision } from '../policies/account-security.js';
import { groupAssignDecision } from '../policies/security-groups.js';
import { ALLOWED, assertAllowed } from '../policies/decision.js';
import type { ActorContext, RequestContext } from '../request-context.js';
import { assertSessionTimeoutWithinMaximum } from './installation-settings.js';
import { findGroupWithPermissions, loadGroupPermissions } from './security-groups.js';

import type { UserWithGroup } from '../db/schema.js';

/** `exists(a confirmed factor of u)`, selected with every account and used by the MFA filter. */
export function hasMfaFactor(eb: ExpressionBuilder<Database & { u: UserTable }, 'u'>) {
  return eb.exists(
    eb
      .selectFrom('mfa_factors as f')
      .select('f.id')
      .whereRef('f.user_id', '=', 'u.id')
      .where('f.confirmed_at', 'is not', null),
  );
}

/** A new account's fields after validation (the shared CreateUserSchema's output). */
export interface NewUser {
  email: string;
  firstName: string;
  lastName: string;
  title: string;
  telephone: string;
  userType: 'native' | 'sso';
  password?: string | undefined;
  confirmPassword?: string | undefined;
  securityGroupId: string;
  sessionTimeoutMinutes: number;
  functionalGroup: string;
  ssoProvider?: string | null;
  /** "User Must Change Password at Next Login" (native accounts; Administrators only). */
  mustChangePassword?: boolean | undefined;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What differs from one new account to the next; newUserRow fills in the rest. */
export interface NewAccountRow {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  title: string;
  telephone: string;
  securityGroupId: string;
  functionalGroup: string;
  status: UserTable['status'];
  userType: UserTable['user_type'];
  /** The identity provider's name for an SSO account (ignored for a native one). */
  ssoProvider: string | null;
  passwordHash: string | null;
  mustChangePassword: boolean;
  sessionTimeoutMinutes: number;
  lastLoginAt?: string | null;
}

/**
 * The one shape of a new `users` row, whoever creates it (New User, CSV import, first
 * Administrator, SSO sign-in, SCIM, the demo): the normalised copies the indexes search, no MFA
 * yet, the default preferences. A new column gets its default here, once.
 */
export function newUserRow(account: NewAccountRow, now: string): UserTable {
  const email = account.email.trim();
  return {
    id: account.id,
    email,
    email_normalized: normalizeEmail(email),
    first_name: account.firstName,
    last_name: account.lastName,
    first_name_normalized: account.firstName.toLowerCase(),
    last_name_normalized: account.lastName.toLowerCase(),
    title: account.title,
    telephone: account.telephone,
    security_group_id: account.securityGroupId,
    functional_group: account.functionalGroup,
    status: account.status,
    user_type: account.userType,
    sso_provider: account.userType === 'sso' ? account.ssoProvider : null,
    password_hash: account.passwordHash,
    must_change_password: account.mustChangePassword ? 1 : 0,
    mfa_enrolled: 0,
    mfa_required_by_other: 0,
    session_timeout_minutes: account.sessionTimeoutMinutes,
    date_format: 'yyyy-mm-dd',
    time_format: '24-hour',
    theme: 'light',
    last_login_at: account.lastLoginAt ?? null,
    created_at: now,
    updated_at: now,
  };
}

/** Accounts with their group's name and whether a confirmed MFA factor exists (UserWithGroup). */
export function selectUsersWithGroup(db: Kysely<Database>) {
  return db
    .selectFrom('users as u')
    .innerJoin('security_groups as g', 'g.id', 'u.security_group_id')
    .selectAll('u')
    .select('g.name as group_name')
    .select((eb) => hasMfaFactor(eb).as('has_mfa_factor'));
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<UserWithGroup | undefined> {
  return selectUsersWithGroup(db).where('u.id', '=', id).executeTakeFirst();
}

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserWithGroup | undefined> {
  return selectUsersWithGroup(db).where('u.email_normalized', '=', normalizeEmail(email)).executeTakeFirst();
}

export async function getUser(db: Db, id: string): Promise<UserWithGroup> {
  const user = await findUserById(db, id);
  if (!user) throw new AppError('not_found', 'No account with this ID.');
  return user;
}

/** Why an action on an account is refused: the error the service answers with. */
/** Nobody may hand out a group with rights they lack themselves. */
export async function assertMayAssignGroup(trx: Kysely<Database>, actor: Actor | null, groupId: string): Promise<void> {
  // Held until the assignment commits, so the group cannot be deleted or given more rights meanwhile.
  const group = await findGroupWithPermissions(trx, groupId, 'share');
  if (!group) throw fieldError('securityGroupId', 'Choose one of the security groups.');
  const decision = actor ? groupAssignDecision(actor, group.permissions) : ALLOWED;
  if (!decision.allowed) throw new AppError(decision.code, decision.message, { securityGroupId: decision.message });
}

/** Checks a new password against the policy and its confirmation; throws a field error. */
export function assertAcceptablePassword(
  password: string | undefined,
  confirmation: string | undefined,
  context: { email: string; firstName?: string; lastName?: string },
  fields: { password: string; confirmation: string } = { password: 'password', confirmation: 'confirmPassword' },
): string {
  if (!password) throw fieldError(fields.password, 'Password is required.');
  const problem = checkPasswordPolicy(password, context);
  if (problem) throw fieldError(fields.password, problem);
  // Compared as they will be hashed (NFC): "é" typed one way and confirmed the other is the same password.
  if (password.normalize('NFC') !== confirmation?.normalize('NFC')) {
    throw fieldError(fields.confirmation, 'The passwords do not match.');
  }
  return password;
}

/**
 * Locks the enabled Administrator rows (PostgreSQL) so two concurrent requests cannot each remove
 * "one of two" and leave none; SQLite runs write transactions one at a time already.
 */
async function countEnabledAdministrators(trx: Kysely<Database>): Promise<number> {
  let query = trx
    .selectFrom('users')
    .select('id')
    .where('security_group_id', '=', ADMINISTRATOR_GROUP_ID)
    .where('status', '=', 'enabled');
  if (isPostgres(trx as Kysely<unknown>)) query = query.forUpdate();
  return (await query.execute()).length;
}

/** True when removing this account's Administrator rights (delete, disable, demote) would leave none. */
export async function isLastEnabledAdministrator(trx: Kysely<Database>, target: UserTable): Promise<boolean> {
  if (target.security_group_id !== ADMINISTRATOR_GROUP_ID || target.status !== 'enabled') return false;
  return (await countEnabledAdministrators(trx)) <= 1;
}

/** What insertAccount needs besides the account's fields. */
export interface InsertAccountOptions {
  passwordHash: string | null;
  mustChangePassword: boolean;
  auditAction: 'user.created' | 'setup.first_administrator_created';
  /** Added to the audit entry's details (securityGroup and userType are always there). */
  auditDetails: Record<string, unknown>;
}

/**
 * Writes a new, already checked account and its audit entry inside the caller's transaction (New
 * User, the first Administrator and the CSV import all come here). An email taken meanwhile (a
 * concurrent request won) is a 409 email_taken, not a 500: the unique index decides.
 */
export async function insertAccount(
  trx: Kysely<Database>,
  ctx: RequestContext,
  input: Omit<NewUser, 'password' | 'confirmPassword'>,
  options: InsertAccountOptions,
): Promise<string> {
  const emailNormalized = normalizeEmail(input.email);
  const existing = await trx
    .selectFrom('users')
    .select('id')
    .where('email_normalized', '=', emailNormalized)
    .executeTakeFirst();
  if (existing) throw new AppError('email_taken', undefined, { email: 'An account with this email already exists.' });

  const now = nowIso();
  const id = randomUUID();
  await trx
    .insertInto('users')
    .values(
      newUserRow(
        {
          id,
          email: input.email,
          firstName: input.firstName,
          lastName: input.lastName,
          title: input.title,
          telephone: input.telephone,
          securityGroupId: input.securityGroupId,
          functionalGroup: input.functionalGroup,
          status: 'enabled',
          userType: input.userType,
          ssoProvider: input.ssoProvider ?? null,
          passwordHash: options.passwordHash,
          mustChangePassword: options.mustChangePassword,
          sessionTimeoutMinutes: input.sessionTimeoutMinutes,
        },
        now,
      ),
    )
    .execute()
    .catch((error: unknown) => {
      // Two requests for the same new email at once both pass the check above; the unique index
      // decides, and the loser gets the same 409 as a duplicate sent later (not a 500).
      throw isUniqueViolation(error)
        ? new AppError('email_taken', undefined, { email: 'An account with this email already exists.' })
        : error;
    });
  await recordAudit(trx, {
    actor: ctx.actor,
    target: { id, email: input.email.trim() },
    action: options.auditAction,
    details: { securityGroup: input.securityGroupId, userType: input.userType, ...options.auditDetails },
    ip: ctx.ip,
  });
  return id;
}

export async function createUser(
  db: Db,
  ctx: RequestContext,
  input: NewUser,
  auditAction: 'user.created' | 'setup.first_administrator_created' = 'user.created',
): Promise<UserWithGroup> {
  // Before the (deliberately slow) password hashing: a refused request should cost nothing.
  await assertSessionTimeoutWithinMaximum(db, input.sessionTimeoutMinutes);
  let passwordHash: string | null = null;
  if (input.userType === 'native') {
    const password = assertAcceptablePassword(input.password, input.confirmPassword, input);
    passwordHash = await hashPassword(password);
  } else if (input.password || input.confirmPassword) {
    throw fieldError('password', 'SSO accounts have no local password: their identity provider signs them in.');
  }
  const mustChangePassword = input.mustChangePassword === true;
  if (mustChangePassword) {
    const decision = newAccountMustChangePasswordDecision(ctx.actor, input.userType);
    if (!decision.allowed) {
      throw new AppError(decision.code, decision.message, { mustChangePassword: decision.message });
    }
  }

  return db.transaction().execute(async (trx) => {
    await assertMayAssignGroup(trx, ctx.actor, input.securityGroupId);
    const id = await insertAccount(trx, ctx, input, {
      passwordHash,
      mustChangePassword,
      auditAction,
      auditDetails: { mustChangePassword },
    });
    return (await findUserById(trx, id))!;
  });
}

const SETTINGS_COLUMNS = {
  firstName: 'first_name',
  lastName: 'last_name',
  title: 'title',
  telephone: 'telephone',
  dateFormat: 'date_format',
  timeFormat: 'time_format',
  sessionTimeoutMinutes: 'session_timeout_minutes',
  functionalGroup: 'functional_group',
  theme: 'theme',
} as const satisfies Record<keyof AccountSettings, keyof UserTable>;

/** Fields an identity provider owns for SSO accounts (it overwrites them at every sign-in). */
const PROVIDER_OWNED_FIELDS: ReadonlyArray<keyof AccountSettings> = ['firstName', 'lastName', 'title', 'telephone'];

/** Saves the Account Settings tab: all fields or none, with one audit entry of what changed. */
export async function updateAccountSettings(
  db: Db,
  ctx: ActorContext,
  userId: string,
  settings: AccountSettings,
): Promise<UserWithGroup> {
  return db.transaction().execute(async (trx) => {
    const target = await findUserById(trx, userId);
    if (!target) throw new AppError('not_found', 'No account with this ID.');
    assertAllowed(
      accountDecisions(ctx.actor, target, await loadGroupPermissions(trx, [target.security_group_id])).update,
    );
    if (target.user_type === 'sso') {
      const owned = PROVIDER_OWNED_FIELDS.find(
        (field) => settings[field] !== undefined && settings[field] !== target[SETTINGS_COLUMNS[field]],
      );
      if (owned) {
        throw fieldError(
          owned,
          `This field is managed by ${target.sso_provider ?? 'the identity provider'} for SSO accounts.`,
        );
      }
    }
    // Only a CHANGED timeout must be within the installation's maximum: an account whose stored
    // timeout is above a since-lowered maximum can still save its other fields (the form sends every
    // field back). The session check caps the stored value at the maximum anyway (authenticate.ts).
    if (
      settings.sessionTimeoutMinutes !== undefined &&
      settings.sessionTimeoutMinutes !== target.session_timeout_minutes
    )
      await assertSessionTimeoutWithinMaximum(trx, settings.sessionTimeoutMinutes);
    const changes: Partial<UserTable> = {};
    for (const [field, column] of Object.entries(SETTINGS_COLUMNS) as [keyof AccountSettings, keyof UserTable][]) {
      const value = settings[field];
      if (value !== undefined) (changes as Record<string, unknown>)[column] = value;
    }
    if (changes.first_name !== undefined) changes.first_name_normalized = changes.first_name.toLowerCase();
    if (changes.last_name !== undefined) changes.last_name_normalized = changes.last_name.toLowerCase();
    const diff = diffFields(target as unknown as Record<string, unknown>, changes);
    delete diff.first_name_normalized;
    delete diff.last_name_normalized;
    if (Object.keys(diff).length === 0) return target;

    await trx
      .updateTable('users')
      .set({ ...changes, updated_at: nowIso() })
      .where('id', '=', userId)
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      target: { id: target.id, email: target.email },
      action: 'user.updated',
      details: { changes: diff },
      ip: ctx.ip,
    });
    return (await findUserById(trx, userId))!;
  });
}

export async function deleteUser(db: Db, ctx: ActorContext, userId: string): Promise<void> {
  await db.transaction().execute((trx) => deleteUserIn(trx, ctx, userId));
}

/**
 * Deletes one account inside the caller's transaction, with every check and the audit entry of
 * deleteUser (the bulk delete calls it once per account, all in one transaction).
 */
export async function deleteUserIn(trx: Kysely<Database>, ctx: ActorContext, userId: string): Promise<void> {
  const target = await findUserById(trx, userId);
  if (!target) throw new AppError('not_found', 'No account with this ID.');
  assertAllowed(
    accountDecisions(ctx.actor, target, await loadGroupPermissions(trx, [target.security_group_id])).delete,
  );
  // Not an ability but a fact of the data at this moment (and locked against a concurrent delete).
  if (await isLastEnabledAdministrator(trx, target)) throw new AppError('last_administrator');
  // Sessions and the API token go with the account (ON DELETE CASCADE), in this same transaction.
  await endAllSessions(trx, target.id);
  await trx.deleteFrom('users').where('id', '=', target.id).execute();
  await recordAudit(trx, {
    actor: ctx.actor,
    target: { id: target.id, email: target.email },
    action: 'user.deleted',
    details: { securityGroup: target.security_group_id, userType: target.user_type },
    ip: ctx.ip,
  });
}

/**
 * Whether any account exists. One row looked at however many there are: start-up and the public
 * setup status (anyone may ask, signed in or not) ask this, and a count read every account (1.3 s
 * cold at a million accounts, at every start).
 */
export async function anyAccountExists(db: Db): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}
