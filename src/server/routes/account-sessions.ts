import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { requires } from '../auth/access.js';
import { actorOf, contextOf } from '../auth/gate.js';
import type { AppDeps } from '../app-deps.js';
import { endAccountSession, endAllAccountSessions, loadSessionsTab } from '../services/account-sessions.js';
import { presentSessions } from '../presenters/account-sessions.js';
import { ERROR_RESPONSES, IdParamsSchema } from '../../shared/schemas/common.js';
import {
  AccountSessionListSchema,
  AccountSessionParamsSchema,
  SessionsEndedSchema,
  type SessionsEnded,
} from '../../shared/schemas/account-sessions.js';

const WHO =
  'Open to the account itself (always) and to holders of Users & Groups Update; signing out another ' +
  "account's sessions follows the rule for changing its status (each session's `can.signOut` says so, " +
  'with the reason when refused).';

export const accountSessionRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db, sessionCookie }) => {
  /** When the caller's own session ended, its cookie goes too: the browser is signed out. */
  const answer = (reply: FastifyReply, result: SessionsEnded) => {
    if (result.currentEnded) reply.clearCookie(sessionCookie.name, sessionCookie.options);
    return reply.code(200).send(result);
  };

  app.get(
    '/api/v1/users/:id/sessions',
    {
      config: { access: requires('users_groups:update', { orSelfParam: 'id' }) },
      schema: {
        tags: ['Sessions'],
        summary: "An account's live sessions (its Sessions tab)",
        description:
          'Each session that would still let a request in, most recently active first: browser and operating ' +
          'system (from its user agent), address, when it signed in and was last active, how it signed in, and ' +
          '`current` for the session making this request. `id` is a public name for the session, never its ' +
          `secret. ${WHO}`,
        params: IdParamsSchema,
        response: { 200: AccountSessionListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => presentSessions(await loadSessionsTab(db, request.params.id), actorOf(request)),
  );

  app.delete(
    '/api/v1/users/:id/sessions/:sessionId',
    {
      config: { access: requires('users_groups:update', { orSelfParam: 'id' }) },
      schema: {
        tags: ['Sessions'],
        summary: 'Sign out one session of an account',
        description:
          'The session stops working at once, on every node. 404 when the account has no session with this ' +
          "`sessionId` (the `id` of the list). `currentEnded` is true when it was the caller's own session: " +
          `its cookie is cleared, go to the sign-in page. Audited (session.ended). ${WHO}`,
        params: AccountSessionParamsSchema,
        response: { 200: SessionsEndedSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) =>
      answer(reply, await endAccountSession(db, contextOf(request), request.params.id, request.params.sessionId)),
  );

  app.delete(
    '/api/v1/users/:id/sessions',
    {
      config: { access: requires('users_groups:update', { orSelfParam: 'id' }) },
      schema: {
        tags: ['Sessions'],
        summary: 'Sign out every session of an account (Sign out everywhere)',
        description:
          "Every session of the account stops working at once, on every node, the caller's own included when " +
          'it is their account: then `currentEnded` is true and the cookie is cleared (go to the sign-in page). ' +
          `API tokens are not sessions and keep working. Audited (sessions.ended_all). ${WHO}`,
        params: IdParamsSchema,
        response: { 200: SessionsEndedSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => answer(reply, await endAllAccountSessions(db, contextOf(request), request.params.id)),
  );
};
