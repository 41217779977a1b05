/** Route samples for the security group routes; see ../route-samples.ts for what a sample must be. */
import { randomBytes } from 'node:crypto';
import { requires } from '../../../src/server/auth/access.js';
import { createCustomGroup } from '../../helpers/fixtures.js';
import type { RouteSample } from '../route-samples.js';

const random = () => randomBytes(4).toString('hex');

export const SECURITY_GROUPS_ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/security-groups': { access: requires('users_groups:view'), build: () => ({}) },
  'GET /api/v1/security-groups/:id': {
    access: requires('users_groups:view'),
    build: (ctx) => ({ params: { id: ctx.caller.security_group_id } }),
  },
  // No permissions: a group any creator holds every right of, so only the gate can refuse it.
  'POST /api/v1/security-groups': {
    access: requires('users_groups:create'),
    audits: ['security_group.created'],
    build: () => ({ body: { name: `Sample group ${random()}`, description: 'Made by the matrix', permissions: [] } }),
  },
  'PATCH /api/v1/security-groups/:id': {
    access: requires('users_groups:update'),
    audits: ['security_group.updated'],
    build: async (ctx) => ({
      params: { id: await createCustomGroup(ctx.t, []) },
      body: { name: `Renamed group ${random()}`, description: 'Renamed by the matrix' },
    }),
  },
  'DELETE /api/v1/security-groups/:id': {
    access: requires('users_groups:delete'),
    audits: ['security_group.deleted'],
    build: async (ctx) => ({ params: { id: await createCustomGroup(ctx.t, []) } }),
  },
};
