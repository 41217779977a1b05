/** Who is signed in, and what they may do, as the API shows it. */
import { isAdministrator, type Actor } from '../auth/actor.js';
import type { GroupPermissions } from '../policies/accounts.js';
import type { Abilities, Me } from '../../shared/schemas/session.js';
import { presentUser } from './accounts.js';

export function presentAbilities(actor: Actor): Abilities {
  return { permissions: [...actor.permissions].sort(), isAdministrator: isAdministrator(actor) };
}

/** Who is signed in: `account` is the actor's account as the list shows it (with its MFA status). */
export function presentMe(actor: Actor): Me {
  // Your own account: its group's rights are the actor's own.
  const ownGroup: GroupPermissions = new Map([[actor.user.security_group_id, actor.permissions]]);
  return {
    user: presentUser(actor.user, actor, ownGroup),
    abilities: presentAbilities(actor),
    authenticatedBy: actor.via === 'session' ? 'session' : 'api_token',
    mfaEnrollmentRequired: actor.mfaEnrollmentPending,
    identityProvider: actor.identityProvider,
  };
}
