import type { z } from 'zod';
import type {
  ChangeOwnPasswordSchema,
  GeneratedApiTokenSchema,
  SecuritySettings,
  UpdateSecurity,
} from '../../shared/schemas/security.js';
import { request } from './client.js';

export type GeneratedApiToken = z.infer<typeof GeneratedApiTokenSchema>;
export type ChangeOwnPassword = z.infer<typeof ChangeOwnPasswordSchema>;

const securityPath = (userId: string) => `/api/v1/users/${encodeURIComponent(userId)}/security`;

export function getSecuritySettings(userId: string, signal?: AbortSignal): Promise<SecuritySettings> {
  return request<SecuritySettings>(securityPath(userId), { signal });
}

/** The Change button: everything changed on the tab, in one request (all or nothing). */
export function updateSecuritySettings(userId: string, changes: UpdateSecurity): Promise<SecuritySettings> {
  return request<SecuritySettings>(securityPath(userId), { method: 'PATCH', body: changes });
}

export function generateApiToken(userId: string): Promise<GeneratedApiToken> {
  return request<GeneratedApiToken>(`/api/v1/users/${encodeURIComponent(userId)}/api-token`, { method: 'POST' });
}

/** Revoke: the token stops working from the next request on. */
export function revokeApiToken(userId: string): Promise<void> {
  return request<void>(`/api/v1/users/${encodeURIComponent(userId)}/api-token`, { method: 'DELETE' });
}

export function changeOwnPassword(change: ChangeOwnPassword): Promise<void> {
  return request<void>('/api/v1/me/password', { method: 'POST', body: change });
}
