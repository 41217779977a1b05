import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC, SIGNED_IN, SIGNED_IN_EVEN_IF_ANY_STEP_PENDING } from '../auth/access.js';
import { actorFor } from '../auth/authenticate.js';
import { actorOf, contextOf } from '../auth/gate.js';
import type { Actor } from '../auth/actor.js';
import { endSession, type NewSession } from '../auth/sessions.js';
import { hashSecret } from '../security/secrets.js';
import type { AppDeps } from '../app-deps.js';
import { signInWithPassword } from '../services/sign-in.js';
import { completeSignInChallenge, passkeySignInOptions } from '../services/mfa.js';
import { relyingPartyFor } from '../services/passkeys.js';
import { getUser, updateAccountSettings } from '../services/users.js';
import type { UserWithGroup } from '../db/schema.js';
import { recordAudit } from '../services/audit.js';
import { loadGroupPermissions } from '../services/security-groups.js';
import { ERROR_RESPONSES } from '../../shared/schemas/common.js';
import {
  MfaChallengeSchema,
  MfaSignInSchema,
  PasskeyRequestOptionsSchema,
  PasskeySignInOptionsRequestSchema,
} from '../../shared/schemas/mfa.js';
import { MeSchema, SignInSchema, type Me } from '../../shared/schemas/session.js';
import { AccountSettingsSchema, UserSchema } from '../../shared/schemas/users.js';
import { clientOf } from './context.js';
import { presentUser } from '../presenters/accounts.js';
import { presentMe } from '../presenters/session.js';
import { setSessionCookie } from './session-cookie.js';

/**
 * GET /api/v1/me's answer, written once per cached credential instead of on every request: it is
 * a function of the actor alone (presentMe reads nothing else: no clock, no query), and a cached
 * credential's actor is made of the credential cache's own objects, which are made anew whenever the
 * credential is read again (any change drops the cache entry: auth/credential-cache.ts). Kept per
 * account object, so an answer goes with its entry; and used only when every other input is the
 * very same, so an actor made from the same account object in another way never gets it. Presenting
 * and serialising /me on every request was a quarter of what the request allocated (7 of 29 KB).
 */
const answersOfMe = new WeakMap<Actor['user'], { actor: Actor; body: string }>();

function answeredMe(actor: Actor): string | undefined {
  const kept = answersOfMe.get(actor.user);
  if (!kept) return undefined;
  const same =
    kept.actor.permissions === actor.permissions &&
    kept.actor.via === actor.via &&
    kept.actor.groupName === actor.groupName &&
    kept.actor.mfaEnrollmentPending === actor.mfaEnrollmentPending &&
    kept.actor.identityProvider === actor.identityProvider;
  return same ? kept.body : undefined;
}

export const sessionRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { db, sessionCookie } = deps;
  const relyingParty = relyingPartyFor(deps.config.publicUrl);

  /** Rotation: the session this browser had before (anyone's) ends now; only the new ID is valid. */
  async function startSession(
    request: FastifyRequest,
    reply: FastifyReply,
    signedIn: { user: UserWithGroup; session: NewSession },
  ) {
    const previous = request.cookies[sessionCookie.name];
    if (previous) await endSession(db, hashSecret(previous));
    setSessionCookie(reply, sessionCookie, signedIn.session);
    return presentMe(await actorFor(db, signedIn.user, 'session', signedIn.session.idHash));
  }

  app.post(
    '/api/v1/session',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['Session'],
        summary: 'Sign in with email and password',
        description:
          'Starts a browser session (HttpOnly cookie). Scripts use an API token instead. An account with ' +
          'multi-factor authentication gets no session yet: `{ mfaRequired: true, challenge }`, to complete with ' +
          'POST /api/v1/session/mfa within 10 minutes. At most 10 passwords or codes are checked per account in 15 ' +
          'minutes: beyond that, 429 `login_locked` with Retry-After, right password or not. Over 100 failures from ' +
          'one address in 15 minutes, its failed attempts get 429 `address_limited` (a right password still signs in).',
        body: SignInSchema,
        response: { 200: z.union([MeSchema, MfaChallengeSchema]), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const result = await signInWithPassword(db, request.body, clientOf(request), {
        delayStepMs: deps.config.loginDelayStepMs,
      });
      if (result.kind === 'mfa_challenge')
        return { mfaRequired: true as const, challenge: result.challenge, passkey: result.passkey };
      return startSession(request, reply, result);
    },
  );

  app.post(
    '/api/v1/session/mfa',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['Session'],
        summary: 'Sign in, step 2: an authenticator code, a recovery code or a passkey',
        description:
          'Completes the challenge from POST /api/v1/session and only then starts the session. The challenge is ' +
          'single-use, expires after 10 minutes and dies after 5 wrong codes; wrong codes count toward the same ' +
          'temporary lock as wrong passwords. A used code is refused like a wrong one. `passkey` is the answer ' +
          'of startAuthentication() to the options from POST /api/v1/session/mfa/passkey/options; a passkey that ' +
          'fails counts as a wrong code.',
        body: MfaSignInSchema,
        response: { 200: MeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const signedIn = await completeSignInChallenge(db, request.body, clientOf(request), {
        secretKey: deps.config.secretKey,
        delayStepMs: deps.config.loginDelayStepMs,
        relyingParty,
      });
      return startSession(request, reply, signedIn);
    },
  );

  app.post(
    '/api/v1/session/mfa/passkey/options',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['Session'],
        summary: 'Sign in, step 2 with a passkey: WebAuthn request options for the challenge',
        description:
          "For @simplewebauthn/browser startAuthentication(): limited to the account's passkeys. Only for a live " +
          'challenge of an account that has a passkey (`passkey: true` in the answer of POST /api/v1/session). ' +
          'The WebAuthn challenge is single-use, expires after 5 minutes and is replaced by asking again.',
        body: PasskeySignInOptionsRequestSchema,
        response: { 200: PasskeyRequestOptionsSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => passkeySignInOptions(db, request.body, relyingParty),
  );

  app.delete(
    '/api/v1/session',
    {
      config: { access: SIGNED_IN_EVEN_IF_ANY_STEP_PENDING },
      schema: {
        tags: ['Session'],
        summary: 'Sign out (ends this session on the server)',
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if (actor.sessionIdHash) {
        await db.transaction().execute(async (trx) => {
          await endSession(trx, actor.sessionIdHash!);
          await recordAudit(trx, {
            actor,
            target: { id: actor.user.id, email: actor.user.email },
            action: 'session.signed_out',
            ip: request.ip,
          });
        });
      }
      reply.clearCookie(sessionCookie.name, sessionCookie.options);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { access: SIGNED_IN_EVEN_IF_ANY_STEP_PENDING },
      schema: {
        tags: ['Session'],
        summary: 'The signed-in account and what it may do',
        response: { 200: MeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      // Everything /me shows was read with the credential (and is dropped with it on any change).
      const actor = actorOf(request);
      let body = answeredMe(actor);
      if (body === undefined) {
        body = reply.serialize(presentMe(actor)) as string;
        answersOfMe.set(actor.user, { actor, body });
      }
      // A string is sent as it is (Fastify serialises objects only); the type says what it holds.
      return reply.type('application/json; charset=utf-8').send(body as unknown as Me);
    },
  );

  app.patch(
    '/api/v1/me',
    {
      config: { access: SIGNED_IN },
      schema: {
        tags: ['Session'],
        summary: 'Update your own Account Settings',
        description: 'Only Account Settings fields; anything else (your group, say) is refused with 400.',
        body: AccountSettingsSchema,
        response: { 200: UserSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await updateAccountSettings(db, contextOf(request), actor.user.id, request.body);
      const user = await getUser(db, actor.user.id);
      return presentUser(user, actor, await loadGroupPermissions(db, [user.security_group_id]));
    },
  );
};
