import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requires } from '../auth/access.js';
import type { AppDeps } from '../app.js';
import { listGroups } from '../services/security-groups.js';
import { ErrorBodySchema } from '../../shared/schemas/common.js';
import { SecurityGroupSchema } from '../../shared/schemas/users.js';
import { presentGroup } from './presenters.js';

export const securityGroupRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.get(
    '/api/v1/security-groups',
    {
      config: { access: requires('users_groups:view') },
      schema: {
        tags: ['Security groups'],
        summary: 'The security groups, with their permissions and member counts',
        response: {
          200: z.object({ groups: z.array(SecurityGroupSchema) }),
          401: ErrorBodySchema,
          403: ErrorBodySchema,
        },
      },
    },
    async () => ({ groups: (await listGroups(db)).map(presentGroup) }),
  );
};
