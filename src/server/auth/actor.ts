import type { UserTable } from '../db/schema.js';
import { ADMINISTRATOR_GROUP_ID, type Permission } from '../../shared/permissions.js';

/** Who is making this request, resolved once per request from the session cookie or API token. */
export interface Actor {
  user: UserTable;
  groupName: string;
  /** The account's current group's permissions, read from the database on this very request. */
  permissions: ReadonlySet<Permission>;
  via: 'session' | 'api_token';
  /** Hash of the session ID when authenticated by cookie (to keep this session on password change). */
  sessionIdHash: string | null;
}

export function isAdministrator(actor: Actor): boolean {
  return actor.user.security_group_id === ADMINISTRATOR_GROUP_ID;
}

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}
