import type { FastifyRequest } from 'fastify';
import { databaseHandleOf, type Db } from '../db/connection.js';
import { isoFromMs, nowMs } from '../clock.js';
import { AppError } from '../app-error.js';
import { TOKEN_QUERY_NAMES } from '../security/redact-url.js';
import { hashSecret } from '../security/secrets.js';
import { isPermission, type Permission } from '../../shared/permissions.js';
import type { Actor } from './actor.js';
import { LAST_SEEN_WRITE_INTERVAL_MS } from './sessions.js';
import { INSTALLATION_SETTINGS_ID } from '../services/installation-settings.js';
import { sessionIdentityProvider } from '../sso/provider-settings.js';
import { selectUsersWithGroup } from '../services/users.js';
import type { UserWithGroup } from '../db/schema.js';
import { DEFAULT_MAX_SESSION_TIMEOUT_MINUTES } from '../../shared/schemas/settings.js';
import { CredentialCache, type CachedCredential } from './credential-cache.js';
import { openCredentialChangeFeed, type CredentialChangeFeed } from './credential-changes.js';
import { credentialCacheLookups, tokenAuthentications } from '../metrics.js';

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

/**
 * Identical permission sets, shared: thousands of cached credentials hold a handful of distinct
 * groups' rights. Keyed by content, so an entry can never be out of date; emptied when it grows
 * past what any installation's groups need (edits create new combinations).
 */
const sharedPermissionSets = new Map<string, ReadonlySet<Permission>>();
const MAX_SHARED_PERMISSION_SETS = 1_000;

async function loadPermissions(db: Db, groupId: string): Promise<ReadonlySet<Permission>> {
  const rows = await db.selectFrom('group_permissions').select('permission').where('group_id', '=', groupId).execute();
  const permissions = rows
    .map((row) => row.permission)
    .filter(isPermission)
    .sort();
  const key = permissions.join(' ');
  let shared = sharedPermissionSets.get(key);
  if (!shared) {
    if (sharedPermissionSets.size >= MAX_SHARED_PERMISSION_SETS) sharedPermissionSets.clear();
    sharedPermissionSets.set(key, (shared = new Set(permissions)));
  }
  return shared;
}

/** A session of an account that must use MFA and has no confirmed factor yet may only enroll. */
function mfaEnrollmentPendingFor(user: UserWithGroup, via: Actor['via']): boolean {
  // API tokens are separate credentials an Administrator issues: never held back.
  return via === 'session' && user.mfa_enrolled === 1 && Number(user.has_mfa_factor) !== 1;
}

/**
 * The actor for an account read just now, outside a request's authentication (sign-in answers
 * with the new session's actor; tests act as an account). Read from the database, not cached.
 */
export async function actorFor(
  db: Db,
  user: UserWithGroup,
  via: Actor['via'],
  sessionIdHash: string | null,
): Promise<Actor> {
  return {
    user,
    groupName: user.group_name,
    permissions: await loadPermissions(db, user.security_group_id),
    via,
    sessionIdHash,
    mfaEnrollmentPending: mfaEnrollmentPendingFor(user, via),
    identityProvider: sessionIdHash ? await sessionIdentityProvider(db, sessionIdHash) : null,
  };
}

/** An account's inactivity limit: its own Session Timeout, capped at the installation's maximum. */
export function effectiveSessionTimeoutMinutes(accountMinutes: number, installationMaxMinutes: number | null): number {
  return Math.min(accountMinutes, installationMaxMinutes ?? DEFAULT_MAX_SESSION_TIMEOUT_MINUTES);
}

export interface Authenticator {
  /**
   * The actor of a request, from its API token (Authorization header) or session cookie; null when
   * it carries neither. A disabled account, an ended session, a regenerated token, a changed group
   * or permission takes effect on the very next request, on every node (see credential-cache.ts).
   */
  authenticate(request: FastifyRequest, cookieName: string): Promise<Actor | null>;
  /** Waits until this node has heard every change committed so far (CredentialChangeFeed.catchUp). */
  catchUp(): Promise<void>;
  /** Whether this node hears credential changes (CredentialChangeFeed.status). */
  changeFeedStatus(): ReturnType<CredentialChangeFeed['status']>;
  close(): Promise<void>;
}

const TOKEN_INVALID = 'This API token is not valid (it may have been regenerated or its account disabled).';

/**
 * Authentication with a cache in front of the database. A request is answered from the cache only
 * when the change feed vouches for it and nothing time-based is due (an idle limit reached, a
 * "last seen" write owed); otherwise the database decides, exactly as without a cache.
 */
export function createAuthenticator(db: Db): Authenticator {
  const cache = new CredentialCache();
  const feed: CredentialChangeFeed = openCredentialChangeFeed(databaseHandleOf(db), cache);

  function actorFrom(entry: CachedCredential, sessionIdHash: string | null): Actor {
    return {
      user: entry.user,
      groupName: entry.user.group_name,
      permissions: entry.permissions,
      via: entry.session ? 'session' : 'api_token',
      sessionIdHash,
      mfaEnrollmentPending: entry.mfaEnrollmentPending,
      identityProvider: entry.session?.identityProvider ?? null,
    };
  }

  /** Reads a credential from the database through `read`, keeping the result if the feed allows. */
  async function load(key: string, read: () => Promise<CachedCredential>): Promise<CachedCredential> {
    const pending = cache.beginLoad();
    try {
      const entry = await read();
      if (feed.cacheUsable()) cache.store(pending, key, entry);
      return entry;
    } finally {
      cache.abandon(pending);
    }
  }

  // Counted on every authenticated request: each series's key is made once.
  const cacheHits = credentialCacheLookups.series({ result: 'hit' });
  const cacheMisses = credentialCacheLookups.series({ result: 'miss' });
  const tokensAccepted = tokenAuthentications.series({ result: 'success' });
  const tokensRefused = tokenAuthentications.series({ result: 'refused' });

  async function authenticateToken(token: string, ip: string): Promise<Actor> {
    const tokenHash = hashSecret(token);
    const key = `token:${tokenHash}`;
    const now = nowMs();
    // The cache may answer only for what this node has heard: with other nodes, every change
    // committed before this request first (a revocation on node A bites on the very next request
    // on node B). One process (SQLite) has nothing to wait for, and awaits nothing.
    if (feed.sharedWithOtherNodes) await feed.catchUp();
    const kept = feed.cacheUsable() ? cache.get(key) : undefined;
    if (kept?.token && !lastUsedWriteDue(kept.token, ip, now)) {
      cacheHits.inc();
      tokensAccepted.inc();
      return actorFrom(kept, null);
    }
    cacheMisses.inc();

    const entry = await load(key, async () => {
      const row = await selectUsersWithGroup(db)
        .innerJoin('api_tokens as t', 't.user_id', 'u.id')
        .select(['t.last_used_at', 't.last_used_ip'])
        .where('t.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row || row.status !== 'enabled') {
        tokensRefused.inc();
        throw new AppError('unauthenticated', TOKEN_INVALID);
      }
      const { last_used_at: lastUsedAt, last_used_ip: lastUsedIp, ...user } = row;
      const token = { lastUsedAtMs: lastUsedAt ? Date.parse(lastUsedAt) : null, lastUsedIp };
      if (lastUsedWriteDue(token, ip, now)) {
        // Coalesced: at most once a minute per token (or when the address changes); no signal.
        await db
          .updateTable('api_tokens')
          .set({ last_used_at: isoFromMs(now), last_used_ip: ip })
          .where('token_hash', '=', tokenHash)
          .execute();
        token.lastUsedAtMs = now;
        token.lastUsedIp = ip;
      }
      return {
        user,
        permissions: await loadPermissions(db, user.security_group_id),
        mfaEnrollmentPending: mfaEnrollmentPendingFor(user, 'api_token'),
        session: null,
        token,
      };
    });
    tokensAccepted.inc();
    return actorFrom(entry, null);
  }

  async function authenticateSession(sessionId: string): Promise<Actor> {
    const idHash = hashSecret(sessionId);
    const key = `session:${idHash}`;
    const now = nowMs();
    // The cache may answer only for what this node has heard: with other nodes, every change
    // committed before this request first (a revocation on node A bites on the very next request
    // on node B). One process (SQLite) has nothing to wait for, and awaits nothing.
    if (feed.sharedWithOtherNodes) await feed.catchUp();
    const kept = feed.cacheUsable() ? cache.get(key) : undefined;
    if (kept?.session && sessionLive(kept.session, now) && !lastSeenWriteDue(kept.session, now)) {
      cacheHits.inc();
      return actorFrom(kept, idHash);
    }
    cacheMisses.inc();
    if (kept) cache.forget(key);

    const entry = await load(key, async () => {
      const row = await selectUsersWithGroup(db)
        .innerJoin('sessions as s', 's.user_id', 'u.id')
        .select(['s.last_seen_at', 's.expires_at', 's.identity_provider_id'])
        // The installation's Maximum Session Timeout, in the same query (a change of it signals
        // every account, so a cached session never outlives a lowered maximum).
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
      const {
        last_seen_at: lastSeenAt,
        expires_at: expiresAt,
        identity_provider_id: identityProviderId,
        max_session_timeout_minutes: maxTimeout,
        ...user
      } = row;
      const session = {
        expiresAtMs: Date.parse(expiresAt),
        lastSeenAtMs: Date.parse(lastSeenAt),
        idleLimitMs: effectiveSessionTimeoutMinutes(user.session_timeout_minutes, maxTimeout) * 60_000,
        identityProvider: identityProviderId ? await sessionIdentityProvider(db, idHash) : null,
      };
      if (user.status !== 'enabled' || !sessionLive(session, now)) {
        await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
        throw new AppError('session_expired');
      }
      if (lastSeenWriteDue(session, now)) {
        await db
          .updateTable('sessions')
          .set({ last_seen_at: isoFromMs(now) })
          .where('id_hash', '=', idHash)
          .execute();
        session.lastSeenAtMs = now;
      }
      return {
        user,
        permissions: await loadPermissions(db, user.security_group_id),
        mfaEnrollmentPending: mfaEnrollmentPendingFor(user, 'session'),
        session,
        token: null,
      };
    });
    return actorFrom(entry, idHash);
  }

  return {
    async authenticate(request, cookieName) {
      const token = bearerToken(request);
      if (token !== null) return authenticateToken(token, request.ip);
      const sessionId = request.cookies[cookieName];
      if (!sessionId) return null;
      return authenticateSession(sessionId);
    },
    catchUp: () => feed.catchUp(),
    changeFeedStatus: () => feed.status(),
    close: () => feed.close(),
  };
}

function sessionLive(session: NonNullable<CachedCredential['session']>, now: number): boolean {
  return now < session.expiresAtMs && now - session.lastSeenAtMs < session.idleLimitMs;
}

/** "Last seen" is written at most once a minute, so reads do not turn into writes. */
function lastSeenWriteDue(session: NonNullable<CachedCredential['session']>, now: number): boolean {
  return now - session.lastSeenAtMs >= LAST_SEEN_WRITE_INTERVAL_MS;
}

function lastUsedWriteDue(token: NonNullable<CachedCredential['token']>, ip: string, now: number): boolean {
  return (
    token.lastUsedAtMs === null || token.lastUsedIp !== ip || now - token.lastUsedAtMs >= LAST_SEEN_WRITE_INTERVAL_MS
  );
}
