import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { PUBLIC } from '../auth/access.js';
import type { AppDeps } from '../app-deps.js';
import { completeSetup, isSetupRequired } from '../services/setup.js';
import { ErrorBodySchema } from '../../shared/schemas/common.js';
import { SetupSchema, SetupStatusSchema } from '../../shared/schemas/session.js';
import { UserSchema } from '../../shared/schemas/users.js';
import { presentUser } from '../presenters/accounts.js';

export const setupRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.get(
    '/api/v1/setup',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['Setup'],
        summary: 'Whether the first Administrator still has to be created',
        response: { 200: SetupStatusSchema },
      },
    },
    async () => ({ setupRequired: await isSetupRequired(db) }),
  );

  app.post(
    '/api/v1/setup',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['Setup'],
        summary: 'Create the first Administrator with the one-time setup link',
        body: SetupSchema,
        response: { 201: UserSchema, 400: ErrorBodySchema, 403: ErrorBodySchema, 409: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const { token, ...admin } = request.body;
      const user = await completeSetup(db, token, admin, request.ip);
      // Nobody is signed in yet: the anonymous caller may do nothing to the new account.
      return reply.code(201).send(presentUser(user, null, new Map()));
    },
  );
};
