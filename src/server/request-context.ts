import type { Actor } from './auth/actor.js';

/**
 * Who is acting and from where: what every service that changes something is given, and what its
 * audit entry names. Built once per request by the gate (contextOf in auth/gate.ts); the CLI and
 * the system itself act with no actor.
 */
export interface RequestContext {
  actor: Actor | null;
  /** The client's address (behind a trusted proxy, from X-Forwarded-For), or "cli". */
  ip: string;
}

/** The context of a signed-in request: an account is acting. */
export type ActorContext = RequestContext & { actor: Actor };
