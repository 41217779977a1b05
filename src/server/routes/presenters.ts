import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.js';
import { can, isAdministrator } from '../auth/actor.js';
import type { Database, InstallationSettingsTable } from '../db/schema.js';
import { signInLockedUntil } from '../services/login-throttle.js';
import { loadGroupPermissions, type GroupWithMembers } from '../services/security-groups.js';
import { mfaStatusOf, type UserWithGroup } from '../services/users.js';
import { accountDecisions, type GroupPermissions } from '../policies/accounts.js';
import { groupDecisions } from '../policies/security-groups.js';
import type { Abilities, Me } from '../../shared/schemas/session.js';
import type { SecurityGroup } from '../../shared/schemas/security-groups.js';
import type { InstallationSettings } from '../../shared/schemas/settings.js';
import type { User } from '../../shared/schemas/users.js';

/**
 * The API's view of an account, as `viewer` sees it (`can`: what the viewer may do to it; null is
 * an anonymous caller). Fields are listed one by one so a secret can never slip out.
 * `groupPermissions` holds the row's group (loadGroupPermissions: once per request for a list).
 */
export function presentUser(row: UserWithGroup, viewer: Actor | null, groupPermissions: GroupPermissions): User {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    title: row.title,
    telephone: row.telephone,
    securityGroup: { id: row.security_group_id, name: row.group_name },
    functionalGroup: row.functional_group,
    accountStatus: row.status,
    userType: row.user_type,
    ssoProvider: row.sso_provider,
    lastLoginAt: row.last_login_at,
    sessionTimeoutMinutes: row.session_timeout_minutes,
    dateFormat: row.date_format as User['dateFormat'],
    timeFormat: row.time_format as User['timeFormat'],
    theme: row.theme as User['theme'],
    mustChangePassword: row.must_change_password === 1,
    mfaEnrolled: row.mfa_enrolled === 1,
    mfaStatus: mfaStatusOf(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    can: accountDecisions(viewer, row, groupPermissions),
  };
}

/**
 * One account in detail (its page): presentUser plus when its sign-in lock ends. One more query,
 * which is why lists do not do it.
 */
export async function presentUserInDetail(db: Kysely<Database>, row: UserWithGroup, viewer: Actor): Promise<User> {
  const [groupPermissions, lockedUntil] = await Promise.all([
    loadGroupPermissions(db, [row.security_group_id]),
    signInLockedUntil(db, row.email),
  ]);
  return { ...presentUser(row, viewer, groupPermissions), signInLockedUntil: lockedUntil };
}

export function presentAbilities(actor: Actor): Abilities {
  return { permissions: [...actor.permissions].sort(), isAdministrator: isAdministrator(actor) };
}

/** Who is signed in: `account` is the actor's account as the list shows it (with its MFA status). */
export function presentMe(actor: Actor): Me {
  // Your own account: its group's rights are the actor's own.
  const ownGroup: GroupPermissions = new Map([[actor.user.security_group_id, actor.permissions]]);
  return {
    user: presentUser(actor.user, actor, ownGroup),
    abilities: presentAbilities(actor),
    authenticatedBy: actor.via === 'session' ? 'session' : 'api_token',
    mfaEnrollmentRequired: actor.mfaEnrollmentPending,
    identityProvider: actor.identityProvider,
  };
}

/** A security group as `viewer` sees it (`can`: what the viewer may do to it). */
export function presentGroup(group: GroupWithMembers, viewer: Actor): SecurityGroup {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    isSystem: group.is_system === 1,
    permissions: group.permissions,
    memberCount: group.member_count,
    identityProviderCount: group.provider_count,
    can: groupDecisions(viewer, group),
  };
}

/** The installation's settings as `viewer` sees them (`can.update`: an Administrator's setting). */
export function presentInstallationSettings(row: InstallationSettingsTable, viewer: Actor): InstallationSettings {
  return {
    maxSessionTimeoutMinutes: row.max_session_timeout_minutes,
    logRetentionDays: row.log_retention_days,
    updatedAt: row.updated_at,
    can: { update: can(viewer, 'administration:manage_settings') },
  };
}
