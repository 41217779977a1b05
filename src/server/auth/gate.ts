import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../app-error.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { Access, PendingStep } from './access.js';
import { pendingStepOf, type Actor } from './actor.js';
import { assertNoTokenInQuery, type Authenticator } from './authenticate.js';
import { assertSameOriginRequest } from './csrf.js';
import type { ActorContext } from '../request-context.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every /api/v1 route with the access it declared (the route × group test matrix reads it). */
    accessTable: RouteAccess[];
  }
  interface FastifyRequest {
    /** The authenticated account; set by the gate on every non-public route. */
    actor: Actor | null;
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

/** Methods that change nothing (RFC 9110 §9.2.1); every route of ours keeps to that. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const PENDING_STEP_ERRORS = {
  password_change: 'password_change_required',
  mfa_enrollment: 'mfa_enrollment_required',
} as const satisfies Record<PendingStep, ErrorCode>;

/**
 * The context services are given for a request the gate has let through: its actor and address,
 * the same for every route (one place, so an audit entry always names both alike).
 */
export function contextOf(request: FastifyRequest): ActorContext {
  return { actor: actorOf(request), ip: request.ip };
}

/** The signed-in actor of a route the gate has let through (non-public routes always have one). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthenticated');
  return request.actor;
}

/**
 * THE permission gate. Every /api route must declare `config.access` (registration fails
 * otherwise); before validation runs, the gate checks CSRF, authenticates, and authorizes, so a
 * refused request never reaches a handler and never changes anything.
 */
export function registerGate(
  app: FastifyInstance,
  deps: { authenticator: Authenticator; cookieName: string; allowedOrigins: string[] },
): void {
  app.decorateRequest('actor', null);
  const accessTable: RouteAccess[] = [];
  app.decorate('accessTable', accessTable);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`Route ${String(route.method)} ${route.url} does not declare config.access`);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') accessTable.push({ method, url: route.url, access });
    }
  });

  // Callback style, not async: this runs on every answer, and most need no waiting.
  app.addHook('onSend', (request, reply, payload, done) => {
    // Answers about accounts must not be kept by browsers or proxies (a shared computer, a CDN).
    if (request.url.startsWith('/api/v1') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
    if (SAFE_METHODS.has(request.method)) return done(null, payload);
    // A request that may have changed something (a sign-out, a disable, a new group) answers only
    // once this node has heard its own change come back from the database: by then every node's
    // listener has been sent it, so the next request is judged on the new state wherever it lands.
    void deps.authenticator.catchUp().then(() => done(null, payload));
  });

  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access) return;
    if (!(access.kind === 'public' && access.crossSitePost)) assertSameOriginRequest(request, deps.allowedOrigins);
    assertNoTokenInQuery(request);
    if (access.kind === 'public') return;

    const actor = await deps.authenticator.authenticate(request, deps.cookieName);
    if (!actor) throw new AppError('unauthenticated');
    request.actor = actor;
    // "User Must Change Password at Next Login" (session or API token alike), then a required MFA
    // enrollment (sessions only): until the step is done, the account can do nothing but what its
    // screen needs.
    const pending = pendingStepOf(actor);
    if (pending && !(access.kind === 'signed-in' && access.openWhilePending?.includes(pending))) {
      throw new AppError(PENDING_STEP_ERRORS[pending]);
    }
    if (access.kind === 'signed-in') return;

    if (actor.permissions.has(access.permission)) return;
    if (access.orSelfParam) {
      const params = request.params as Record<string, string | undefined>;
      if (params[access.orSelfParam] === actor.user.id) return;
    }
    throw new AppError('forbidden');
  });
}
