import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/connection.js';
import type { UserTable } from '../db/schema.js';
import { isoFromMs, nowMs } from '../clock.js';
import { AppError } from '../app-error.js';
import { TOKEN_QUERY_NAMES } from '../security/redact-url.js';
import { hashSecret } from '../security/secrets.js';
import { isPermission, type Permission } from '../../shared/permissions.js';
import type { Actor } from './actor.js';
import { hasConfirmedFactor } from '../services/mfa-factors.js';
import { LAST_SEEN_WRITE_INTERVAL_MS } from './sessions.js';
import { INSTALLATION_SETTINGS_ID } from '../services/installation-settings.js';
import { DEFAULT_MAX_SESSION_TIMEOUT_MINUTES } from '../../shared/schemas/settings.js';

/** Refuses a token in the URL on every API route, public ones included, so none lands in a log. */
export function assertNoTokenInQuery(request: FastifyRequest): void {
  const query = request.query as Record<string, unknown> | undefined;
  if (query && TOKEN_QUERY_NAMES.some((name) => name in query)) throw new AppError('token_in_query');
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new AppError('unauthenticated', 'Use the header "Authorization: Bearer <API token>".');
  return match[1];
}

/** Builds the actor for an account: its current group's name and permissions, read now. */
export async function actorFor(
  db: Db,
  user: UserTable,
  via: Actor['via'],
  sessionIdHash: string | null,
): Promise<Actor> {
  const [permissions, mfaEnrollmentPending] = await Promise.all([
    loadPermissions(db, user),
    // Only sessions of accounts that must use MFA pay for this look-up (tokens are never held back).
    via === 'session' && user.mfa_enrolled === 1 ? hasConfirmedFactor(db, user.id).then((has) => !has) : false,
  ]);
  return { user, ...permissions, via, sessionIdHash, mfaEnrollmentPending };
}

async function loadPermissions(db: Db, user: UserTable): Promise<{ groupName: string; permissions: Set<Permission> }> {
  const rows = await db
    .selectFrom('security_groups as g')
    .leftJoin('group_permissions as p', 'p.group_id', 'g.id')
    .select(['g.name', 'p.permission'])
    .where('g.id', '=', user.security_group_id)
    .execute();
  const permissions = new Set<Permission>();
  for (const row of rows) if (row.permission && isPermission(row.permission)) permissions.add(row.permission);
  return { groupName: rows[0]?.name ?? '', permissions };
}

/**
 * Resolves the actor of a request from its API token (Authorization header) or session cookie,
 * checking the database every time: a disabled account, an ended session, a regenerated token or
 * a changed group takes effect on the very next request, on every node.
 * Returns null when the request carries no credentials at all.
 */
export async function authenticate(db: Db, request: FastifyRequest, cookieName: string): Promise<Actor | null> {
  const token = bearerToken(request);
  if (token !== null) return authenticateToken(db, token, request.ip);

  const sessionId = request.cookies[cookieName];
  if (!sessionId) return null;
  return authenticateSession(db, sessionId);
}

async function authenticateToken(db: Db, token: string, ip: string): Promise<Actor> {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .selectAll('u')
    .select(['t.token_hash', 't.last_used_at', 't.last_used_ip'])
    .where('t.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (!row || row.status !== 'enabled') {
    throw new AppError(
      'unauthenticated',
      'This API token is not valid (it may have been regenerated or its account disabled).',
    );
  }
  const { token_hash: tokenHash, last_used_at: lastUsedAt, last_used_ip: lastUsedIp, ...user } = row;
  const now = nowMs();
  if (!lastUsedAt || lastUsedIp !== ip || now - Date.parse(lastUsedAt) >= LAST_SEEN_WRITE_INTERVAL_MS) {
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: isoFromMs(now), last_used_ip: ip })
      .where('token_hash', '=', tokenHash)
      .execute();
  }
  return actorFor(db, user, 'api_token', null);
}

/** An account's inactivity limit: its own Session Timeout, capped at the installation's maximum. */
export function effectiveSessionTimeoutMinutes(accountMinutes: number, installationMaxMinutes: number | null): number {
  return Math.min(accountMinutes, installationMaxMinutes ?? DEFAULT_MAX_SESSION_TIMEOUT_MINUTES);
}

async function authenticateSession(db: Db, sessionId: string): Promise<Actor> {
  const idHash = hashSecret(sessionId);
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .selectAll('u')
    .select(['s.last_seen_at', 's.expires_at'])
    // The installation's Maximum Session Timeout, in the same query: lowering it ends idle-longer
    // sessions on their next request, on every node (no per-process copy to go stale).
    .select((eb) =>
      eb
        .selectFrom('installation_settings')
        .select('max_session_timeout_minutes')
        .where('id', '=', INSTALLATION_SETTINGS_ID)
        .as('max_session_timeout_minutes'),
    )
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) throw new AppError('session_expired');
  const { last_seen_at: lastSeenAt, expires_at: expiresAt, max_session_timeout_minutes: maxTimeout, ...user } = row;
  const now = nowMs();
  const idleLimitMs = effectiveSessionTimeoutMinutes(user.session_timeout_minutes, maxTimeout) * 60_000;
  if (user.status !== 'enabled' || now >= Date.parse(expiresAt) || now - Date.parse(lastSeenAt) >= idleLimitMs) {
    await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    throw new AppError('session_expired');
  }
  if (now - Date.parse(lastSeenAt) >= LAST_SEEN_WRITE_INTERVAL_MS) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: isoFromMs(now) })
      .where('id_hash', '=', idHash)
      .execute();
  }
  return actorFor(db, user, 'session', idHash);
}
