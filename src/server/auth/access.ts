import type { Permission } from '../../shared/permissions.js';

/**
 * What a route needs, declared where it is registered (`config: { access }`). The gate (gate.ts)
 * is the only code that enforces it; handlers never re-check.
 */
export type Access =
  | { kind: 'public' }
  | { kind: 'signed-in' }
  | {
      kind: 'permission';
      permission: Permission;
      /** The route is also open to the account whose ID is in this path parameter (its own page). */
      orSelfParam?: string;
    };

export const PUBLIC: Access = { kind: 'public' };
export const SIGNED_IN: Access = { kind: 'signed-in' };

export function requires(permission: Permission, options: { orSelfParam?: string } = {}): Access {
  return { kind: 'permission', permission, ...options };
}
