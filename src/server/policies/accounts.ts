/**
 * Who may do what to an account: pure functions of the actor and the account. The services
 * enforce these decisions inside the transaction that re-reads the account; the presenters send
 * the same decisions as each account's `can`, so the reason the UI shows is the one the server
 * answers with.
 */
import { can, isAdministrator, type Actor } from '../auth/actor.js';
import type { UserTable } from '../db/schema.js';
import { ADMINISTRATOR_GROUP_ID, holdsAll } from '../../shared/permissions.js';
import type { UserAbilities } from '../../shared/schemas/users.js';
import { ALLOWED, refused, type Decision } from './decision.js';

/** Each security group's permissions by group ID; a group holding none maps to an empty set. */
export type GroupPermissions = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * THE rule for acting on another account's security (its password, MFA, status, group or API
 * token). Nobody below Administrator may change an Administrator account, and nobody may act on
 * an account whose group holds a right they lack themselves (else a user manager could reset an
 * Orchestration User's password and sign in as it). Your own account is yours; an Administrator
 * holds every right. Which permission each action also needs is the caller's business
 * (accountDecisions, securityAbilities). `groupPermissions` must hold the target's group.
 */
export function accountSecurityDecision(
  actor: Actor,
  target: Pick<UserTable, 'id' | 'security_group_id'>,
  groupPermissions: GroupPermissions,
): Decision {
  if (actor.user.id === target.id || isAdministrator(actor)) return ALLOWED;
  if (target.security_group_id === ADMINISTRATOR_GROUP_ID) return refused('administrator_protected');
  const targetPermissions = groupPermissions.get(target.security_group_id);
  // A group missing from the map is refused rather than guessed to be harmless.
  if (!targetPermissions || !holdsAll(actor.permissions, targetPermissions))
    return refused('account_exceeds_own_rights');
  return ALLOWED;
}

/**
 * THE statement of who may do what to whom on the Users pages (each account's `can`). Changing
 * the account status is a security action and deleting it ends every credential at once:
 * accountSecurityDecision applies to both.
 */
export function accountDecisions(
  actor: Actor | null,
  target: UserTable,
  groupPermissions: GroupPermissions,
): UserAbilities {
  if (actor === null) {
    // Nobody is signed in (an answer made before a session exists): nothing may be done.
    const anonymous = refused('unauthenticated');
    return { update: anonymous, delete: anonymous, changeAccountStatus: anonymous, unlockSignIn: anonymous };
  }
  const self = actor.user.id === target.id;
  let update = ALLOWED;
  // Your own Account Settings are always yours to change.
  if (!self) {
    if (!can(actor, 'users_groups:update')) update = refused('forbidden');
    else if (target.security_group_id === ADMINISTRATOR_GROUP_ID && !isAdministrator(actor))
      update = refused('administrator_protected');
  }
  const remove = !can(actor, 'users_groups:delete')
    ? refused('forbidden')
    : self
      ? refused('cannot_delete_self')
      : accountSecurityDecision(actor, target, groupPermissions);
  const changeAccountStatus = !can(actor, 'users_groups:update')
    ? refused('forbidden')
    : self
      ? refused('cannot_disable_self')
      : accountSecurityDecision(actor, target, groupPermissions);
  return { update, delete: remove, changeAccountStatus, unlockSignIn: unlockSignInDecision(changeAccountStatus) };
}

/**
 * Ending an account's sign-in lock early lets its password be guessed again at once: the same
 * rule as changing its status, and never your own (whoever is locked out is not you, signed in).
 */
function unlockSignInDecision(changeAccountStatus: Decision): Decision {
  if (!changeAccountStatus.allowed && changeAccountStatus.code === 'cannot_disable_self')
    return refused('forbidden', 'You cannot unlock your own account.');
  return changeAccountStatus;
}
