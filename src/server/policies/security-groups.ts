/**
 * Who may do what to a security group: pure functions of the actor and the group. The services
 * enforce them inside the transaction that locks the group; the presenters send the same
 * decisions as each group's `can`.
 */
import { can, isAdministrator, type Actor } from '../auth/actor.js';
import type { Permission } from '../../shared/permissions.js';
import type { SecurityGroupAbilities } from '../../shared/schemas/security-groups.js';
import { ALLOWED, refused, type Decision } from './decision.js';

/** What the rules look at in a group (a row of services/security-groups.ts's GroupWithMembers). */
export interface GroupFacts {
  is_system: number;
  permissions: readonly string[];
  member_count: number;
  /** Identity providers using it as their default group or in their group mapping. */
  provider_count: number;
}

/**
 * Nobody may hand out, take away or redefine rights they do not hold themselves: the rule for
 * changing a group and for assigning one to an account (each group's `can.assign`).
 */
export function holdsEvery(actor: Actor, permissions: readonly string[]): boolean {
  return isAdministrator(actor) || permissions.every((permission) => actor.permissions.has(permission as Permission));
}

/** Putting an account in a group (New User, an account's Security Group): its rights are all yours. */
export function groupAssignDecision(actor: Actor, permissions: readonly string[]): Decision {
  return holdsEvery(actor, permissions) ? ALLOWED : refused('group_exceeds_own_rights');
}

const members = (count: number) => `${count} ${count === 1 ? 'member' : 'members'}`;

/** THE statement of what `actor` may do to `group` (each group's `can`). */
export function groupDecisions(actor: Actor, group: GroupFacts): SecurityGroupAbilities {
  const exceeds = refused(
    'group_exceeds_own_rights',
    'This security group holds rights you do not have yourself, so you cannot change or delete it.',
  );
  const common: Decision = group.is_system
    ? refused('system_group_read_only')
    : holdsEvery(actor, group.permissions)
      ? ALLOWED
      : exceeds;
  const update = can(actor, 'users_groups:update') ? common : refused('forbidden');
  let remove = can(actor, 'users_groups:delete') ? common : refused('forbidden');
  if (remove.allowed && group.member_count > 0)
    remove = refused(
      'group_has_members',
      `It has ${members(group.member_count)}. Move them to another group before deleting it.`,
    );
  // Deleting it would silently change where single sign-on puts people: the provider changes first.
  if (remove.allowed && group.provider_count > 0) remove = refused('group_used_by_provider');
  return { update, delete: remove, assign: groupAssignDecision(actor, group.permissions) };
}
