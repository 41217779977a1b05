/**
 * An account's live sessions (its Sessions tab): the list, signing one out, signing out all of
 * them. `sessionDecisions` (policies/sessions.ts) says who may; the list sends it per session as
 * `can` and the sign-outs enforce the very same decision, inside the transaction that ends the
 * sessions and writes the audit entry. Deleting a session row is announced to every node by the
 * database itself (migration 0010's triggers), and the gate waits for this node to have heard it
 * before it answers, so the ended session's next request is refused wherever it lands.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, SessionTable, UserWithGroup } from '../db/schema.js';
import { nowMs } from '../clock.js';
import { AppError } from '../app-error.js';
import { effectiveSessionTimeoutMinutes } from '../auth/authenticate.js';
import { recordAudit } from './audit.js';
import { loadGroupPermissions } from './security-groups.js';
import { findUserById } from './users.js';
import { INSTALLATION_SETTINGS_ID } from './installation-settings.js';
import type { GroupPermissions } from '../policies/accounts.js';
import { signOutSessionDecision } from '../policies/sessions.js';
import { assertAllowed } from '../policies/decision.js';
import type { ActorContext } from '../request-context.js';

export type LiveSession = Pick<
  SessionTable,
  'id_hash' | 'public_id' | 'created_at' | 'last_seen_at' | 'expires_at' | 'ip' | 'user_agent' | 'sign_in_method'
> & { identity_provider_name: string | null };

/** What the Sessions tab shows (presenters/account-sessions.ts shapes it). */
export interface SessionsTabFacts {
  target: UserWithGroup;
  groupPermissions: GroupPermissions;
  sessions: LiveSession[];
}

async function loadTarget(db: Kysely<Database>, userId: string): Promise<UserWithGroup> {
  const target = await findUserById(db, userId);
  if (!target) throw new AppError('not_found', 'No account with this ID.');
  return target;
}

/** The account's sessions that would still let a request in: before their absolute end and not idle too long. */
async function liveSessions(db: Kysely<Database>, target: UserWithGroup): Promise<LiveSession[]> {
  const settings = await db
    .selectFrom('installation_settings')
    .select('max_session_timeout_minutes')
    .where('id', '=', INSTALLATION_SETTINGS_ID)
    .executeTakeFirst();
  const idleLimitMs =
    effectiveSessionTimeoutMinutes(target.session_timeout_minutes, settings?.max_session_timeout_minutes ?? null) *
    60_000;
  const now = nowMs();
  const rows = await db
    .selectFrom('sessions as s')
    .leftJoin('identity_providers as p', 'p.id', 's.identity_provider_id')
    .select([
      's.id_hash',
      's.public_id',
      's.created_at',
      's.last_seen_at',
      's.expires_at',
      's.ip',
      's.user_agent',
      's.sign_in_method',
      'p.name as identity_provider_name',
    ])
    .where('s.user_id', '=', target.id)
    .orderBy('s.last_seen_at', 'desc')
    .orderBy('s.public_id')
    .execute();
  // Compared as times, not strings: the two databases may write ISO times differently.
  return rows.filter((row) => Date.parse(row.expires_at) > now && Date.parse(row.last_seen_at) + idleLimitMs > now);
}

export async function loadSessionsTab(db: Db, userId: string): Promise<SessionsTabFacts> {
  const target = await loadTarget(db, userId);
  const [groupPermissions, sessions] = await Promise.all([
    loadGroupPermissions(db, [target.security_group_id]),
    liveSessions(db, target),
  ]);
  return { target, groupPermissions, sessions };
}

export interface SessionsEndedResult {
  ended: number;
  /** The caller's own session was among those ended. */
  currentEnded: boolean;
}

/** Signs out one session of the account; 404 when the account has no such session. */
export async function endAccountSession(
  db: Db,
  ctx: ActorContext,
  userId: string,
  publicId: string,
): Promise<SessionsEndedResult> {
  return db.transaction().execute(async (trx) => {
    const target = await loadTarget(trx, userId);
    assertAllowed(
      signOutSessionDecision(ctx.actor, target, await loadGroupPermissions(trx, [target.security_group_id])),
    );
    const session = await trx
      .selectFrom('sessions')
      .select(['id_hash', 'ip', 'user_agent', 'created_at', 'sign_in_method'])
      .where('user_id', '=', target.id)
      .where('public_id', '=', publicId)
      .executeTakeFirst();
    if (!session) throw new AppError('not_found', 'This account has no such session.');
    await trx.deleteFrom('sessions').where('id_hash', '=', session.id_hash).execute();
    const currentEnded = session.id_hash === ctx.actor.sessionIdHash;
    await recordAudit(trx, {
      actor: ctx.actor,
      target: { id: target.id, email: target.email },
      action: 'session.ended',
      details: {
        session: publicId,
        ip: session.ip,
        userAgent: session.user_agent,
        signedInAt: session.created_at,
        method: session.sign_in_method,
        ...(currentEnded ? { current: true } : {}),
      },
      ip: ctx.ip,
    });
    return { ended: 1, currentEnded };
  });
}

/** Signs out every session of the account (the caller's own too, when it is theirs). */
export async function endAllAccountSessions(db: Db, ctx: ActorContext, userId: string): Promise<SessionsEndedResult> {
  return db.transaction().execute(async (trx) => {
    const target = await loadTarget(trx, userId);
    assertAllowed(
      signOutSessionDecision(ctx.actor, target, await loadGroupPermissions(trx, [target.security_group_id])),
    );
    const ended = await trx.deleteFrom('sessions').where('user_id', '=', target.id).returning('id_hash').execute();
    const currentEnded = ended.some((row) => row.id_hash === ctx.actor.sessionIdHash);
    await recordAudit(trx, {
      actor: ctx.actor,
      target: { id: target.id, email: target.email },
      action: 'sessions.ended_all',
      details: { sessionsEnded: ended.length, ...(currentEnded ? { current: true } : {}) },
      ip: ctx.ip,
    });
    return { ended: ended.length, currentEnded };
  });
}
