import type { Permission } from '../../shared/permissions.js';

/**
 * What a route needs, declared where it is registered (`config: { access }`). The gate (gate.ts)
 * is the only code that enforces it; handlers never re-check.
 */
export type Access =
  | { kind: 'public' }
  | {
      kind: 'signed-in';
      /**
       * Open to an account that must change its password before anything else (reading who you
       * are, changing the password, signing out). Every other route refuses such an account.
       */
      whilePasswordChangeRequired?: true;
    }
  | {
      kind: 'permission';
      permission: Permission;
      /** The route is also open to the account whose ID is in this path parameter (its own page). */
      orSelfParam?: string;
    };

export const PUBLIC: Access = { kind: 'public' };
export const SIGNED_IN: Access = { kind: 'signed-in' };
export const SIGNED_IN_EVEN_IF_PASSWORD_CHANGE_REQUIRED: Access = {
  kind: 'signed-in',
  whilePasswordChangeRequired: true,
};

export function requires(permission: Permission, options: { orSelfParam?: string } = {}): Access {
  return { kind: 'permission', permission, ...options };
}
