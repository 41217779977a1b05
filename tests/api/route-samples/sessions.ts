/** Route samples for an account's Sessions tab; see ../route-samples.ts for what a sample must be. */
import { requires } from '../../../src/server/auth/access.js';
import { createSession } from '../../../src/server/auth/sessions.js';
import type { RouteSample } from '../route-samples.js';

/** A session of its own for the account, to be signed out (its public ID). */
async function anotherSession(ctx: Parameters<RouteSample['build']>[0], userId: string): Promise<string> {
  const { idHash } = await createSession(ctx.t.db, userId, { ip: '192.0.2.7', userAgent: 'route sample' });
  const row = await ctx.t.db
    .selectFrom('sessions')
    .select('public_id')
    .where('id_hash', '=', idHash)
    .executeTakeFirstOrThrow();
  return row.public_id;
}

export const SESSIONS_ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/users/:id/sessions': {
    access: requires('users_groups:update', { orSelfParam: 'id' }),
    build: (ctx) => ({ params: { id: ctx.targetId } }),
  },
  'DELETE /api/v1/users/:id/sessions/:sessionId': {
    access: requires('users_groups:update', { orSelfParam: 'id' }),
    audits: ['session.ended'],
    build: async (ctx) => ({ params: { id: ctx.targetId, sessionId: await anotherSession(ctx, ctx.targetId) } }),
  },
  'DELETE /api/v1/users/:id/sessions': {
    access: requires('users_groups:update', { orSelfParam: 'id' }),
    audits: ['sessions.ended_all'],
    // On your own account this ends the caller's session too.
    freshCaller: true,
    build: async (ctx) => {
      await anotherSession(ctx, ctx.targetId);
      return { params: { id: ctx.targetId } };
    },
  },
};
