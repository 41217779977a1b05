import type { Me } from '../../shared/schemas/session.js';
import type { Permission } from '../../shared/permissions.js';

/**
 * Reads the abilities the server computed for the signed-in account. The UI only shows or hides
 * things with this; the server decides every request on its own.
 */
export function can(me: Me | null | undefined, permission: Permission): boolean {
  return Boolean(me?.abilities.permissions.includes(permission));
}
