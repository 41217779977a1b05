/**
 * Who may do what to an identity provider: pure functions of the actor and the provider. The
 * provider services enforce them on the provider as locked in their transaction; the presenter
 * sends them as the provider's `can`.
 */
import type { Actor } from '../auth/actor.js';
import type { IdentityProviderAbilities } from '../../shared/schemas/identity-providers.js';
import { holds, refused, type Decision } from './decision.js';

/**
 * Removing a provider would orphan the accounts that sign in through it: refused while it has
 * any (disabling it stops their sign-ins and keeps them).
 */
export function removeProviderDecision(actor: Actor, accountCount: number): Decision {
  const gate = holds(actor, 'administration:configure_sso');
  if (!gate.allowed || accountCount === 0) return gate;
  const accounts = `${accountCount} ${accountCount === 1 ? 'account signs' : 'accounts sign'}`;
  return refused(
    'provider_has_accounts',
    `${accounts} in through this identity provider, so it cannot be removed. Disable it instead, or delete those accounts first.`,
  );
}

/** THE statement of what `actor` may do to a provider (its `can`). */
export function identityProviderDecisions(actor: Actor, provider: { accountCount: number }): IdentityProviderAbilities {
  return {
    update: holds(actor, 'administration:configure_sso'),
    delete: removeProviderDecision(actor, provider.accountCount),
  };
}
