import type { Permission } from '../../shared/permissions.js';

/**
 * What a route needs, declared where it is registered (`config: { access }`). The gate (gate.ts)
 * is the only code that enforces it; handlers never re-check.
 */
/**
 * A step a signed-in account must finish before anything else: "User Must Change Password at Next
 * Login", then (password first) setting up the multi-factor authentication it is required to have.
 */
export type PendingStep = 'password_change' | 'mfa_enrollment';

export type Access =
  | {
      kind: 'public';
      /**
       * Accepts a POST from another site without the CSRF checks: only for an identity provider's
       * answer (the SAML ACS), which proves itself by its signature and its single-use request ID.
       */
      crossSitePost?: true;
    }
  | {
      kind: 'signed-in';
      /**
       * The pending steps during which this route stays open (reading who you are, signing out,
       * and the routes that do the step itself). Every other route refuses an account with a
       * pending step.
       */
      openWhilePending?: readonly PendingStep[];
    }
  | {
      kind: 'permission';
      permission: Permission;
      /** The route is also open to the account whose ID is in this path parameter (its own page). */
      orSelfParam?: string;
    };

export const PUBLIC: Access = { kind: 'public' };
/** An identity provider's signed answer, POSTed by the browser from the provider's site. */
export const PUBLIC_CROSS_SITE_POST: Access = { kind: 'public', crossSitePost: true };
export const SIGNED_IN: Access = { kind: 'signed-in' };
export const SIGNED_IN_EVEN_IF_PASSWORD_CHANGE_REQUIRED: Access = {
  kind: 'signed-in',
  openWhilePending: ['password_change'],
};
export const SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED: Access = {
  kind: 'signed-in',
  openWhilePending: ['mfa_enrollment'],
};
/** Reading who you are and signing out: open whatever step is pending. */
export const SIGNED_IN_EVEN_IF_ANY_STEP_PENDING: Access = {
  kind: 'signed-in',
  openWhilePending: ['password_change', 'mfa_enrollment'],
};

export function requires(permission: Permission, options: { orSelfParam?: string } = {}): Access {
  return { kind: 'permission', permission, ...options };
}
