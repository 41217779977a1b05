/**
 * Who may sign out whose sessions: your own, always (whatever your group holds); another
 * account's, whoever may change that account's status (accountDecisions' changeAccountStatus:
 * ending its sessions is half of disabling it). The Sessions tab's `can` sends this decision per
 * session; services/account-sessions.ts enforces the very same one.
 */
import type { Actor } from '../auth/actor.js';
import type { UserTable } from '../db/schema.js';
import type { AccountSession } from '../../shared/schemas/account-sessions.js';
import { accountDecisions, type GroupPermissions } from './accounts.js';
import { ALLOWED, type Decision } from './decision.js';

export function signOutSessionDecision(actor: Actor, target: UserTable, groupPermissions: GroupPermissions): Decision {
  if (actor.user.id === target.id) return ALLOWED;
  return accountDecisions(actor, target, groupPermissions).changeAccountStatus;
}

export function sessionDecisions(
  actor: Actor,
  target: UserTable,
  groupPermissions: GroupPermissions,
): AccountSession['can'] {
  return { signOut: signOutSessionDecision(actor, target, groupPermissions) };
}
