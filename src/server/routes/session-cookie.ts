/** The session cookie: handing a browser its (new) session ID, and rotating it after a re-authentication. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import type { Db } from '../db/connection.js';
import { actorOf } from '../auth/gate.js';
import { rotateSession, type NewSession } from '../auth/sessions.js';
import { clientOf } from './context.js';

/** Sends this browser the ID of its new session (a sign-in, or a rotation). */
export function setSessionCookie(reply: FastifyReply, cookie: AppDeps['sessionCookie'], session: NewSession): void {
  reply.setCookie(cookie.name, session.id, cookie.options);
}

/**
 * After this request re-authenticated its account (its current password was checked again): the
 * request's session is replaced by a new one and the browser gets the new ID, even if the rest of
 * the request then fails. API tokens have no session: nothing to rotate.
 */
export async function rotateRequestSession(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  cookie: AppDeps['sessionCookie'],
): Promise<void> {
  const actor = actorOf(request);
  if (!actor.sessionIdHash) return;
  const session = await rotateSession(db, actor.sessionIdHash, clientOf(request));
  if (session) useNewSession(request, reply, cookie, session);
}

/** This request continues as `session` (already stored), and the browser gets its ID. */
export function useNewSession(
  request: FastifyRequest,
  reply: FastifyReply,
  cookie: AppDeps['sessionCookie'],
  session: NewSession,
): void {
  actorOf(request).sessionIdHash = session.idHash;
  setSessionCookie(reply, cookie, session);
}
