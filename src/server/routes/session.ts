import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PUBLIC, SIGNED_IN, SIGNED_IN_EVEN_IF_PASSWORD_CHANGE_REQUIRED } from '../auth/access.js';
import { actorFor } from '../auth/authenticate.js';
import { actorOf } from '../auth/gate.js';
import { endSession } from '../auth/sessions.js';
import { hashSecret } from '../security/secrets.js';
import type { AppDeps } from '../app.js';
import { signInWithPassword } from '../services/sign-in.js';
import { getUser, updateAccountSettings } from '../services/users.js';
import { recordAudit } from '../services/audit.js';
import { ERROR_RESPONSES } from '../../shared/schemas/common.js';
import { MeSchema, SignInSchema } from '../../shared/schemas/session.js';
import { AccountSettingsSchema, UserSchema } from '../../shared/schemas/users.js';
import { clientOf } from './context.js';
import { presentMe, presentUser } from './presenters.js';

export const sessionRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { db, sessionCookie } = deps;

  app.post(
    '/api/v1/session',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['Session'],
        summary: 'Sign in with email and password',
        description: 'Starts a browser session (HttpOnly cookie). Scripts use an API token instead.',
        body: SignInSchema,
        response: { 200: MeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { user, session } = await signInWithPassword(db, request.body, clientOf(request), {
        delayStepMs: deps.config.loginDelayStepMs,
      });
      // Rotation: the session this browser had before (anyone's) ends now; only the new ID is valid.
      const previous = request.cookies[sessionCookie.name];
      if (previous) await endSession(db, hashSecret(previous));
      reply.setCookie(sessionCookie.name, session.id, sessionCookie.options);
      const { group_name: _groupName, ...userRow } = user;
      return presentMe(await actorFor(db, userRow, 'session', session.idHash));
    },
  );

  app.delete(
    '/api/v1/session',
    {
      config: { access: SIGNED_IN_EVEN_IF_PASSWORD_CHANGE_REQUIRED },
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
      config: { access: SIGNED_IN_EVEN_IF_PASSWORD_CHANGE_REQUIRED },
      schema: {
        tags: ['Session'],
        summary: 'The signed-in account and what it may do',
        response: { 200: MeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => presentMe(actorOf(request)),
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
      await updateAccountSettings(db, { actor, ip: request.ip }, actor.user.id, request.body);
      return presentUser(await getUser(db, actor.user.id), actor);
    },
  );
};
