import type { AccountSessionList, SessionsEnded } from '../../shared/schemas/account-sessions.js';
import { request } from './client.js';

const sessionsPath = (userId: string) => `/api/v1/users/${encodeURIComponent(userId)}/sessions`;

export function listSessions(userId: string, signal?: AbortSignal): Promise<AccountSessionList> {
  return request<AccountSessionList>(sessionsPath(userId), { signal });
}

export function signOutSession(userId: string, sessionId: string): Promise<SessionsEnded> {
  return request<SessionsEnded>(`${sessionsPath(userId)}/${encodeURIComponent(sessionId)}`, { method: 'DELETE' });
}

export function signOutEverywhere(userId: string): Promise<SessionsEnded> {
  return request<SessionsEnded>(sessionsPath(userId), { method: 'DELETE' });
}
