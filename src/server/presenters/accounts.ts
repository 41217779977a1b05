/** Accounts as the API shows them (what the viewer may do: policies/accounts.ts). */
import type { Actor } from '../auth/actor.js';
import type { UserWithGroup } from '../db/schema.js';
import { accountDecisions, type GroupPermissions } from '../policies/accounts.js';
import type { AccountDetail } from '../services/account-detail.js';
import type { MfaStatus, User } from '../../shared/schemas/users.js';

/** The account's MFA status, from its "Enroll in MFA" flag and whether a factor is confirmed. */
export function mfaStatusOf(user: Pick<UserWithGroup, 'mfa_enrolled' | 'has_mfa_factor'>): MfaStatus {
  if (Number(user.has_mfa_factor) === 1) return 'on';
  return user.mfa_enrolled === 1 ? 'pending' : 'off';
}

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

/** One account in detail (its page): presentUser plus when its sign-in lock ends (loadAccountDetail). */
export function presentUserInDetail(detail: AccountDetail, viewer: Actor): User {
  return {
    ...presentUser(detail.row, viewer, detail.groupPermissions),
    signInLockedUntil: detail.signInLockedUntil,
  };
}
