/** Route samples for the User Accounts list's bulk actions; see ../route-samples.ts for what a sample must be. */
import { requires } from '../../../src/server/auth/access.js';
import type { RouteSample } from '../route-samples.js';

export const USERS_BULK_ROUTE_SAMPLES: Record<string, RouteSample> = {
  // Fresh accounts each time: disabling the shared "other" account would break later samples.
  'POST /api/v1/users/bulk': {
    access: requires('users_groups:update'),
    audits: ['user.security_updated', 'user.security_updated'],
    build: async (ctx) => ({
      body: { action: 'disable', userIds: [(await ctx.newAccount()).id, (await ctx.newAccount()).id] },
    }),
  },
  'POST /api/v1/users/bulk-delete': {
    access: requires('users_groups:delete'),
    audits: ['user.deleted', 'user.deleted'],
    build: async (ctx) => ({ body: { userIds: [(await ctx.newAccount()).id, (await ctx.newAccount()).id] } }),
  },
  'POST /api/v1/users/export.csv': {
    access: requires('users_groups:export'),
    // No audit entry: Export selected reads accounts (a POST only to carry up to 500 IDs), as the GET export does.
    audits: [],
    build: (ctx) => ({ body: { userIds: [ctx.targetId, ctx.caller.id] } }),
  },
};
