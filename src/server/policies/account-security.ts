/**
 * Who may change what on an account's Password & Security tab: a pure function of the actor and
 * the account. The GET of the tab sends these decisions as its `can`; updateSecurity and the API
 * token routes enforce the very same ones (services/account-security.ts).
 */
import { can, type Actor } from '../auth/actor.js';
import type { UserTable } from '../db/schema.js';
import type { SecurityAbilities } from '../../shared/schemas/security.js';
import { accountDecisions, accountSecurityDecision, type GroupPermissions } from './accounts.js';
import { ALLOWED, refused, type Decision } from './decision.js';

/** The account's MFA is on because someone else required it: its owner may not turn it off. */
export function mfaRequiredOfOwner(target: Pick<UserTable, 'mfa_enrolled' | 'mfa_required_by_other'>): boolean {
  return target.mfa_enrolled === 1 && target.mfa_required_by_other === 1;
}

/**
 * SSO accounts have no such tab: their group comes from the identity provider and they have no
 * password, MFA or token here; only their status can change, under the same rule as everyone's
 * (accountDecisions). Every field is a security action, so accountSecurityDecision applies to each
 * (`groupPermissions` must hold the target's group), on top of the permission the field needs.
 */
export function securityDecisions(
  actor: Actor,
  target: UserTable,
  groupPermissions: GroupPermissions,
): SecurityAbilities {
  // This tab is saved through a route open to the account itself, so on your own account the
  // reason is that it is yours (the account-status route's gate asks for the permission first).
  const changeAccountStatus =
    actor.user.id === target.id
      ? refused('cannot_disable_self')
      : accountDecisions(actor, target, groupPermissions).changeAccountStatus;
  if (target.user_type === 'sso') {
    const sso = refused('sso_account');
    return {
      changeSecurityGroup: sso,
      changeAccountStatus,
      changeMfaEnrollment: sso,
      generateApiToken: sso,
      revokeApiToken: sso,
      setMustChangePassword: sso,
      resetPassword: 'none',
      turnOffMfaNeedsCurrentPassword: false,
    };
  }
  const self = actor.user.id === target.id;
  const rank = accountSecurityDecision(actor, target, groupPermissions);
  // Saving anyone else's tab needs Users & Groups Update at the route's gate, which answers first.
  const gate = self || can(actor, 'users_groups:update') ? ALLOWED : refused('forbidden');
  /**
   * The field passes the gate, the account's rank allows it, and the field's own `permission` is
   * held (else `message` says so): the first refusal in that order is the reason, as the server
   * meets them.
   */
  const needs = (permission: Parameters<typeof can>[1], message: string): Decision =>
    !gate.allowed ? gate : !rank.allowed ? rank : can(actor, permission) ? ALLOWED : refused('forbidden', message);
  // Never your own: an Administrator would only be offered lower groups (and lock themselves out of
  // this very page), anyone else only groups within their own rights. Someone else changes it.
  const changeSecurityGroup = self
    ? refused('cannot_change_own_group')
    : needs('users_groups:update', 'You may not change the security group of this account.');
  // Your own MFA, once someone else required it, stays on: only they (or their peers) clear it.
  const changeMfaEnrollment =
    self && mfaRequiredOfOwner(target)
      ? refused('mfa_required', 'An Administrator requires multi-factor authentication for your account.')
      : needs('users_groups:update', 'You may not change the multi-factor authentication of this account.');
  // The API token routes need this permission at the gate already: the same standard refusal.
  const generateApiToken = can(actor, 'administration:generate_api_tokens') ? rank : refused('forbidden');
  return {
    changeSecurityGroup,
    changeAccountStatus,
    changeMfaEnrollment,
    generateApiToken,
    // Whoever may generate the token may revoke it (the UI offers it only while there is one).
    revokeApiToken: generateApiToken,
    setMustChangePassword: needs(
      'administration:force_password_change',
      'Only an Administrator can set User Must Change Password at Next Login.',
    ),
    resetPassword: self ? 'own' : changeSecurityGroup.allowed ? 'other' : 'none',
    turnOffMfaNeedsCurrentPassword: self && changeMfaEnrollment.allowed && target.mfa_enrolled === 1,
  };
}

/**
 * "User Must Change Password at Next Login" on a new account (New User): native accounts only,
 * and only for those who may force a password change, as on the Password & Security tab.
 */
export function newAccountMustChangePasswordDecision(actor: Actor | null, userType: UserTable['user_type']): Decision {
  if (userType === 'sso') return refused('sso_account');
  return actor && can(actor, 'administration:force_password_change')
    ? ALLOWED
    : refused('forbidden', 'Only an Administrator can set User Must Change Password at Next Login.');
}
