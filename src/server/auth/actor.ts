import type { UserWithGroup } from '../db/schema.js';
import type { PendingStep } from './access.js';
import { ADMINISTRATOR_GROUP_ID, type Permission } from '../../shared/permissions.js';

/** Who is making this request, resolved once per request from the session cookie or API token. */
export interface Actor {
  /** The account as read with its credential (its group's name, whether a confirmed MFA factor exists). */
  user: UserWithGroup;
  groupName: string;
  /** The account's current group's permissions (never older than the last change: auth/credential-cache.ts). */
  permissions: ReadonlySet<Permission>;
  via: 'session' | 'api_token';
  /** Hash of the session ID when authenticated by cookie (to keep this session on password change). */
  sessionIdHash: string | null;
  /**
   * A session of an account that must use MFA but has no confirmed factor yet: it may only enroll.
   * Always false for API tokens (separate credentials an Administrator issues; they keep working).
   */
  mfaEnrollmentPending: boolean;
  /** The identity provider a session signed in through (null for password sign-ins and API tokens). */
  identityProvider: { id: string; name: string; signOutUrl: string | null } | null;
}

/** The step this actor must finish before anything else, if any (a password change comes first). */
export function pendingStepOf(actor: Actor): PendingStep | null {
  if (actor.user.must_change_password === 1) return 'password_change';
  if (actor.mfaEnrollmentPending) return 'mfa_enrollment';
  return null;
}

export function isAdministrator(actor: Actor): boolean {
  return actor.user.security_group_id === ADMINISTRATOR_GROUP_ID;
}

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}
