import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import { onePage, pageWithTotal } from '../db/paging.js';
import type { Database, UserTable } from '../db/schema.js';
import { isPostgres, isUniqueViolation } from '../db/portable.js';
import { nowIso } from '../clock.js';
import { AppError, fieldError } from '../app-error.js';
import { can, isAdministrator, type Actor } from '../auth/actor.js';
import { endAllSessions } from '../auth/sessions.js';
import { hashPassword } from '../security/password-hashing.js';
import { checkPasswordPolicy } from '../security/password-policy.js';
import { ADMINISTRATOR_GROUP_ID, holdsAll } from '../../shared/permissions.js';
import type { ErrorCode } from '../../shared/errors.js';
import type {
  AccountSettings,
  ListUsersQuery,
  MfaStatus,
  UserAbilities,
  UserSortColumn,
} from '../../shared/schemas/users.js';
import { diffFields, recordAudit } from './audit.js';
import { assertSessionTimeoutWithinMaximum } from './installation-settings.js';
import {
  findGroupWithPermissions,
  holdsEvery,
  loadGroupPermissions,
  type GroupPermissions,
} from './security-groups.js';

export type UserWithGroup = UserTable & {
  group_name: string;
  /** A confirmed MFA factor exists (SQLite answers 0/1, PostgreSQL a boolean). */
  has_mfa_factor: number | boolean;
};

/** The account's MFA status, from its "Enroll in MFA" flag and whether a factor is confirmed. */
export function mfaStatusOf(user: Pick<UserWithGroup, 'mfa_enrolled' | 'has_mfa_factor'>): MfaStatus {
  if (Number(user.has_mfa_factor) === 1) return 'on';
  return user.mfa_enrolled === 1 ? 'pending' : 'off';
}

/** `exists(a confirmed factor of u)`, selected with every account and used by the MFA filter. */
function hasMfaFactor(eb: ExpressionBuilder<Database & { u: UserTable }, 'u'>) {
  return eb.exists(
    eb
      .selectFrom('mfa_factors as f')
      .select('f.id')
      .whereRef('f.user_id', '=', 'u.id')
      .where('f.confirmed_at', 'is not', null),
  );
}

/** The list's MFA filter (see MFA_STATUSES). */
function mfaFilter(status: MfaStatus | undefined) {
  if (!status) return null;
  return (eb: ExpressionBuilder<Database & { u: UserTable }, 'u'>) => {
    if (status === 'on') return hasMfaFactor(eb);
    // The same rule as mfaStatusOf: a confirmed factor means "on", whatever the flag says.
    const noFactor = eb.not(hasMfaFactor(eb));
    return eb.and([eb('u.mfa_enrolled', '=', status === 'pending' ? 1 : 0), noFactor]);
  };
}

export interface RequestContext {
  actor: Actor | null;
  ip: string;
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
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

type UserListColumn = `u.${keyof UserTable}` | 'g.name';

/**
 * What each column of the list sorts by. Title, Telephone and Functional Group compare by code
 * point, as SQLite compares text: on PostgreSQL that takes the "C" collation (its default one may
 * order differently from SQLite). Title and Functional Group, free text typed in any letter case,
 * sort by lower(), which then folds A–Z only, on both databases. These are exactly the expressions
 * of the indexes of migration 0002, so these sorts read an index.
 */
const SORT_COLUMNS: Record<UserSortColumn, { column: UserListColumn; fold?: true; bytewise?: true }> = {
  email: { column: 'u.email_normalized' },
  firstName: { column: 'u.first_name_normalized' },
  lastName: { column: 'u.last_name_normalized' },
  title: { column: 'u.title', fold: true, bytewise: true },
  telephone: { column: 'u.telephone', bytewise: true },
  securityGroup: { column: 'g.name' },
  functionalGroup: { column: 'u.functional_group', fold: true, bytewise: true },
  accountStatus: { column: 'u.status' },
  userType: { column: 'u.user_type' },
  lastLoginAt: { column: 'u.last_login_at' },
  sessionTimeoutMinutes: { column: 'u.session_timeout_minutes' },
  createdAt: { column: 'u.created_at' },
};

/** The only column of the list that may be NULL ("never signed in"). */
const NULLABLE_SORT_COLUMNS: ReadonlySet<UserSortColumn> = new Set(['lastLoginAt']);

function sortExpression(sort: UserSortColumn, postgres: boolean) {
  const { column, fold, bytewise } = SORT_COLUMNS[sort];
  const value = bytewise && postgres ? sql`${sql.ref(column)} collate "C"` : sql.ref(column);
  return fold ? sql`lower(${value})` : value;
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

/**
 * Case-insensitive prefix match that can use the column's index: a range on the normalized
 * (lower-cased) column, plus LIKE so the answer stays exact whatever the database's collation.
 */
function prefixMatch(
  column: 'u.email_normalized' | 'u.first_name_normalized' | 'u.last_name_normalized',
  prefix: string,
) {
  const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  const upper = prefix.slice(0, -1) + String.fromCodePoint(prefix.codePointAt(prefix.length - 1)! + 1);
  return sql<boolean>`(${sql.ref(column)} >= ${prefix} and ${sql.ref(column)} < ${upper} and ${sql.ref(column)} like ${escaped + '%'} escape '\\')`;
}

/**
 * One page of the User Accounts list. Search matches the start of the email, first name or last
 * name (or "first last"), case-insensitively, so it stays an index lookup with a million accounts.
 */
export async function listUsers(db: Db, query: ListUsersQuery): Promise<{ users: UserWithGroup[]; total: number }> {
  const filter = searchFilter(query.search?.toLowerCase() ?? '');
  const mfa = mfaFilter(query.mfa);
  // The count needs no join (every account has exactly one group), which keeps it an index scan.
  let matching = db.selectFrom('users as u');
  if (filter) matching = matching.where(filter);
  if (mfa) matching = matching.where(mfa);
  const { rows, total } = await pageWithTotal(selectUserPage(db, query), matching);
  return { users: rows, total };
}

/** The query for one page of the list (on its own so the tests can check that it reads an index). */
export function selectUserPage(db: Db, query: ListUsersQuery) {
  const filter = searchFilter(query.search?.toLowerCase() ?? '');
  const mfa = mfaFilter(query.mfa);
  let page = db.selectFrom('users as u').innerJoin('security_groups as g', 'g.id', 'u.security_group_id');
  if (filter) page = page.where(filter);
  if (mfa) page = page.where(mfa);
  return (
    page
      .selectAll('u')
      .select('g.name as group_name')
      .select((eb) => hasMfaFactor(eb).as('has_mfa_factor'))
      // "Never signed in" sorts as the oldest Last Login on both databases (PostgreSQL puts NULLs
      // last ascending, SQLite first): first ascending, last descending. Only where a NULL can be:
      // on PostgreSQL an explicit NULLS FIRST/LAST that differs from an index's own order keeps
      // that index from serving the sort (a full scan and sort of every account per page).
      .orderBy(sortExpression(query.sort, isPostgres(db as Kysely<unknown>)), (ob) => {
        if (!NULLABLE_SORT_COLUMNS.has(query.sort)) return query.order === 'asc' ? ob.asc() : ob.desc();
        return query.order === 'asc' ? ob.asc().nullsFirst() : ob.desc().nullsLast();
      })
      // Ties (a blank Title, say) in ID order, in the sort's direction: paging stays stable, and a
      // descending page is read backwards from the same (value, id) index instead of sorted.
      .orderBy('u.id', query.order)
      .$call(onePage(query))
  );
}

/** The search box: a prefix of the email, first name, last name, or "first last". */
function searchFilter(search: string) {
  if (search === '') return null;
  const [first, ...rest] = search.split(/\s+/);
  const last = rest.join(' ');
  const alternatives = [
    prefixMatch('u.email_normalized', search),
    prefixMatch('u.first_name_normalized', search),
    prefixMatch('u.last_name_normalized', search),
  ];
  if (first && last)
    alternatives.push(
      sql<boolean>`(${sql.ref('u.first_name_normalized')} = ${first} and ${prefixMatch('u.last_name_normalized', last)})`,
    );
  return sql<boolean>`(${sql.join(alternatives, sql` or `)})`;
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
export type UserRefusal = Extract<
  ErrorCode,
  'forbidden' | 'administrator_protected' | 'account_exceeds_own_rights' | 'cannot_delete_self' | 'cannot_disable_self'
>;

/**
 * THE rule for acting on another account's security (its password, MFA, status, group or API
 * token): null when `actor` may, else why not. Nobody below Administrator may change an
 * Administrator account, and nobody may act on an account whose group holds a right they lack
 * themselves (else a user manager could reset an Orchestration User's password and sign in as
 * it). Your own account is yours; an Administrator holds every right. Which permission each
 * action also needs is the caller's business (userRefusals, securityAbilities).
 * `groupPermissions` must hold the target's group (see loadGroupPermissions).
 */
export function securityRefusalFor(
  actor: Actor,
  target: Pick<UserTable, 'id' | 'security_group_id'>,
  groupPermissions: GroupPermissions,
): UserRefusal | null {
  if (actor.user.id === target.id || isAdministrator(actor)) return null;
  if (target.security_group_id === ADMINISTRATOR_GROUP_ID) return 'administrator_protected';
  const targetPermissions = groupPermissions.get(target.security_group_id);
  // A group missing from the map is refused rather than guessed to be harmless.
  if (!targetPermissions || !holdsAll(actor.permissions, targetPermissions)) return 'account_exceeds_own_rights';
  return null;
}

/**
 * THE statement of who may do what to whom on the Users pages: for each action, null when `actor`
 * may do it to `target`, else why not. `userAbilities` reports it (the `can` of every account the
 * API shows) and `updateAccountSettings` and `deleteUser` enforce it, so the two cannot disagree.
 * Changing the account status is a security action and deleting it ends every credential at once:
 * securityRefusalFor applies to both.
 */
export function userRefusals(
  actor: Actor,
  target: UserTable,
  groupPermissions: GroupPermissions,
): Record<keyof UserAbilities, UserRefusal | null> {
  const self = actor.user.id === target.id;
  // Nobody below Administrator may change or delete an Administrator account.
  const protectedAdministrator = target.security_group_id === ADMINISTRATOR_GROUP_ID && !isAdministrator(actor);
  let update: UserRefusal | null = null;
  // Your own Account Settings are always yours to change.
  if (!self) {
    if (!can(actor, 'users_groups:update')) update = 'forbidden';
    else if (protectedAdministrator) update = 'administrator_protected';
  }
  // Deleting an account is at least as strong as disabling it: the same rule as its security.
  let remove: UserRefusal | null;
  if (!can(actor, 'users_groups:delete')) remove = 'forbidden';
  else if (self) remove = 'cannot_delete_self';
  else remove = securityRefusalFor(actor, target, groupPermissions);
  let changeAccountStatus: UserRefusal | null;
  if (!can(actor, 'users_groups:update')) changeAccountStatus = 'forbidden';
  else if (self) changeAccountStatus = 'cannot_disable_self';
  else changeAccountStatus = securityRefusalFor(actor, target, groupPermissions);
  return { update, delete: remove, changeAccountStatus };
}

/** What `actor` may do to `target` (see `userRefusals`): sent to the UI, which only reads it. */
export function userAbilities(actor: Actor, target: UserTable, groupPermissions: GroupPermissions): UserAbilities {
  const refusals = userRefusals(actor, target, groupPermissions);
  return {
    update: refusals.update === null,
    delete: refusals.delete === null,
    changeAccountStatus: refusals.changeAccountStatus === null,
  };
}

/** Nobody may hand out a group with rights they lack themselves. */
export async function assertMayAssignGroup(trx: Kysely<Database>, actor: Actor | null, groupId: string): Promise<void> {
  // Held until the assignment commits, so the group cannot be deleted or given more rights meanwhile.
  const group = await findGroupWithPermissions(trx, groupId, 'share');
  if (!group) throw fieldError('securityGroupId', 'Choose one of the security groups.');
  if (actor && !holdsEvery(actor, group.permissions)) {
    throw new AppError('group_exceeds_own_rights', undefined, {
      securityGroupId: 'You cannot assign a security group with rights you do not have yourself.',
    });
  }
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

export async function createUser(
  db: Db,
  ctx: RequestContext,
  input: NewUser,
  auditAction: 'user.created' | 'setup.first_administrator_created' = 'user.created',
): Promise<UserWithGroup> {
  const emailNormalized = normalizeEmail(input.email);
  // Before the (deliberately slow) password hashing: a refused request should cost nothing.
  await assertSessionTimeoutWithinMaximum(db, input.sessionTimeoutMinutes);
  let passwordHash: string | null = null;
  if (input.userType === 'native') {
    const password = assertAcceptablePassword(input.password, input.confirmPassword, input);
    passwordHash = await hashPassword(password);
  } else if (input.password || input.confirmPassword) {
    throw fieldError('password', 'SSO accounts have no local password: their identity provider signs them in.');
  }

  return db.transaction().execute(async (trx) => {
    await assertMayAssignGroup(trx, ctx.actor, input.securityGroupId);
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
      .values({
        id,
        email: input.email.trim(),
        email_normalized: emailNormalized,
        first_name: input.firstName,
        last_name: input.lastName,
        first_name_normalized: input.firstName.toLowerCase(),
        last_name_normalized: input.lastName.toLowerCase(),
        title: input.title,
        telephone: input.telephone,
        security_group_id: input.securityGroupId,
        functional_group: input.functionalGroup,
        status: 'enabled',
        user_type: input.userType,
        sso_provider: input.userType === 'sso' ? (input.ssoProvider ?? null) : null,
        password_hash: passwordHash,
        must_change_password: 0,
        mfa_enrolled: 0,
        mfa_required_by_other: 0,
        session_timeout_minutes: input.sessionTimeoutMinutes,
        date_format: 'yyyy-mm-dd',
        time_format: '24-hour',
        theme: 'light',
        last_login_at: null,
        created_at: now,
        updated_at: now,
      })
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
      action: auditAction,
      details: { securityGroup: input.securityGroupId, userType: input.userType },
      ip: ctx.ip,
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
  ctx: RequestContext & { actor: Actor },
  userId: string,
  settings: AccountSettings,
): Promise<UserWithGroup> {
  return db.transaction().execute(async (trx) => {
    const target = await findUserById(trx, userId);
    if (!target) throw new AppError('not_found', 'No account with this ID.');
    const refusal = userRefusals(ctx.actor, target, await loadGroupPermissions(trx, [target.security_group_id])).update;
    if (refusal) throw new AppError(refusal);
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

export async function deleteUser(db: Db, ctx: RequestContext & { actor: Actor }, userId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const target = await findUserById(trx, userId);
    if (!target) throw new AppError('not_found', 'No account with this ID.');
    const refusal = userRefusals(ctx.actor, target, await loadGroupPermissions(trx, [target.security_group_id])).delete;
    if (refusal) throw new AppError(refusal);
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
  });
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
