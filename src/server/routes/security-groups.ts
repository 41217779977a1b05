import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requires } from '../auth/access.js';
import { actorOf, contextOf } from '../auth/gate.js';
import type { AppDeps } from '../app-deps.js';
import { createGroup, deleteGroup, getGroup, listGroups, updateGroup } from '../services/security-groups.js';
import { ERROR_RESPONSES, IdParamsSchema } from '../../shared/schemas/common.js';
import {
  CreateSecurityGroupSchema,
  SecurityGroupListSchema,
  SecurityGroupSchema,
  UpdateSecurityGroupSchema,
} from '../../shared/schemas/security-groups.js';
import { presentGroup } from '../presenters/security-groups.js';

const PERMISSION_RULES =
  'Each permission is `module:verb` from permissions.ts. Administrator-only powers (the `administration` ' +
  'module) cannot be granted; Delete and Export of a module require its View; the caller must hold every ' +
  'permission the group has, before and after the change.';

export const securityGroupRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.get(
    '/api/v1/security-groups',
    {
      config: { access: requires('users_groups:view') },
      schema: {
        tags: ['Security groups'],
        summary: 'The security groups, with their permissions and member counts',
        description: "Each group's `can` says what the caller may do to it.",
        response: { 200: SecurityGroupListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return { groups: (await listGroups(db)).map((group) => presentGroup(group, actor)) };
    },
  );

  app.get(
    '/api/v1/security-groups/:id',
    {
      config: { access: requires('users_groups:view') },
      schema: {
        tags: ['Security groups'],
        summary: 'One security group',
        params: IdParamsSchema,
        response: { 200: SecurityGroupSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => presentGroup(await getGroup(db, request.params.id), actorOf(request)),
  );

  app.post(
    '/api/v1/security-groups',
    {
      config: { access: requires('users_groups:create') },
      schema: {
        tags: ['Security groups'],
        summary: 'Create a custom security group',
        description: `Names are unique in any letter case. ${PERMISSION_RULES}`,
        body: CreateSecurityGroupSchema,
        response: { 201: SecurityGroupSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const group = await createGroup(db, contextOf(request), request.body);
      return reply.code(201).send(presentGroup(group, actor));
    },
  );

  app.patch(
    '/api/v1/security-groups/:id',
    {
      config: { access: requires('users_groups:update') },
      schema: {
        tags: ['Security groups'],
        summary: 'Rename a custom security group, or change its description or permissions',
        description: `System groups cannot be changed. \`permissions\` replaces the whole list. ${PERMISSION_RULES} Members get the new permissions on their very next request.`,
        params: IdParamsSchema,
        body: UpdateSecurityGroupSchema,
        response: { 200: SecurityGroupSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const group = await updateGroup(db, contextOf(request), request.params.id, request.body);
      return presentGroup(group, actor);
    },
  );

  app.delete(
    '/api/v1/security-groups/:id',
    {
      config: { access: requires('users_groups:delete') },
      schema: {
        tags: ['Security groups'],
        summary: 'Delete a custom security group that has no members',
        params: IdParamsSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await deleteGroup(db, contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
