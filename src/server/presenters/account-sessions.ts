import type { Actor } from '../auth/actor.js';
import type { AccountSessionList } from '../../shared/schemas/account-sessions.js';
import { parseUserAgent } from '../../shared/user-agent.js';
import { sessionDecisions } from '../policies/sessions.js';
import type { SessionsTabFacts } from '../services/account-sessions.js';

/** An account's Sessions tab: each live session, named by its public ID (never its secret or its hash). */
export function presentSessions(facts: SessionsTabFacts, viewer: Actor): AccountSessionList {
  const can = sessionDecisions(viewer, facts.target, facts.groupPermissions);
  return {
    sessions: facts.sessions.map((session) => ({
      id: session.public_id,
      ...parseUserAgent(session.user_agent),
      userAgent: session.user_agent,
      ip: session.ip,
      createdAt: session.created_at,
      lastActiveAt: session.last_seen_at,
      expiresAt: session.expires_at,
      method: session.sign_in_method,
      identityProvider: session.sign_in_method === 'sso' ? session.identity_provider_name : null,
      current: session.id_hash === viewer.sessionIdHash,
      can,
    })),
  };
}
