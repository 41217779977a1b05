import type { Kysely } from 'kysely';
import type { Database, SessionSignInMethod } from '../db/schema.js';
import { isoFromMs, nowIso, nowMs } from '../clock.js';
import { generateSecret, hashSecret } from '../security/secrets.js';

/** Every session ends 12 hours after sign-in, however active it is. */
export const SESSION_ABSOLUTE_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** "Last seen" is written at most this often, so reads do not turn into writes on every request. */
export const LAST_SEEN_WRITE_INTERVAL_MS = 60 * 1000;

export interface NewSession {
  /** The session ID for the cookie: 256 random bits. Never stored, never logged. */
  id: string;
  idHash: string;
}

export async function createSession(
  db: Kysely<Database>,
  userId: string,
  client: { ip: string; userAgent: string },
  options: {
    identityProviderId?: string | null;
    /** How it signed in (default: 'sso' with an identity provider, else 'password'). */
    method?: SessionSignInMethod;
    /** A rotated session keeps the absolute end of the one it replaces (default: 12 hours from now). */
    expiresAt?: string;
    /** A rotated session keeps the public ID and sign-in time of the one it replaces. */
    publicId?: string;
    createdAt?: string;
  } = {},
): Promise<NewSession> {
  const id = generateSecret(32);
  const idHash = hashSecret(id);
  const now = nowMs();
  const identityProviderId = options.identityProviderId ?? null;
  await db
    .insertInto('sessions')
    .values({
      id_hash: idHash,
      user_id: userId,
      created_at: options.createdAt ?? isoFromMs(now),
      last_seen_at: isoFromMs(now),
      expires_at: options.expiresAt ?? isoFromMs(now + SESSION_ABSOLUTE_LIFETIME_MS),
      ip: client.ip,
      user_agent: client.userAgent.slice(0, 500),
      identity_provider_id: identityProviderId,
      // Not secret, and not derived from the secret: only names the session.
      public_id: options.publicId ?? generateSecret(16),
      sign_in_method: options.method ?? (identityProviderId ? 'sso' : 'password'),
    })
    .execute();
  return { id, idHash };
}

export async function endSession(db: Kysely<Database>, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/**
 * Session rotation after a re-authentication (a password checked again, a password changed): the
 * session `previousIdHash` ends and a new one with a new ID starts in its place, for the same
 * account and identity provider, inside the caller's transaction. An ID that someone else learnt
 * before (fixation, a copied cookie) is worthless from now on. The caller sends the new ID to the
 * browser (routes/session-cookie.ts). Undefined when the session no longer exists.
 */
export async function rotateSession(
  db: Kysely<Database>,
  previousIdHash: string,
  client: { ip: string; userAgent: string },
): Promise<NewSession | undefined> {
  const previous = await db
    .selectFrom('sessions')
    .select(['user_id', 'identity_provider_id', 'expires_at', 'public_id', 'created_at', 'sign_in_method'])
    .where('id_hash', '=', previousIdHash)
    .executeTakeFirst();
  if (!previous) return undefined;
  await endSession(db, previousIdHash);
  // The 12-hour absolute end stays where sign-in put it: re-authenticating must not extend it forever.
  // It is the same sign-in with a new secret: its public ID, sign-in time and method stay.
  return createSession(db, previous.user_id, client, {
    identityProviderId: previous.identity_provider_id,
    expiresAt: previous.expires_at,
    publicId: previous.public_id,
    createdAt: previous.created_at,
    method: previous.sign_in_method,
  });
}

/** Ends every session of an account (all nodes see it at once: sessions are checked in the database). */
export async function endAllSessions(
  db: Kysely<Database>,
  userId: string,
  exceptIdHash?: string | null,
): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptIdHash) query = query.where('id_hash', '!=', exceptIdHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Removes sessions past their absolute end; called now and then, never on the request path. */
export async function purgeExpiredSessions(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', nowIso()).execute();
}
