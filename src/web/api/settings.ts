import { useQuery } from '@tanstack/react-query';
import type { InstallationSettings, UpdateInstallationSettings } from '../../shared/schemas/settings.js';
import { SESSION_TIMEOUT_MAX } from '../../shared/schemas/users.js';
import { request } from './client.js';
import { queryKeys } from './query-keys.js';

export function getInstallationSettings(signal?: AbortSignal): Promise<InstallationSettings> {
  return request<InstallationSettings>('/api/v1/settings', { signal });
}

export function updateInstallationSettings(changes: UpdateInstallationSettings): Promise<InstallationSettings> {
  return request<InstallationSettings>('/api/v1/settings', { method: 'PATCH', body: changes });
}

export function useInstallationSettings() {
  return useQuery({ queryKey: queryKeys.settings, queryFn: ({ signal }) => getInstallationSettings(signal) });
}

/**
 * The longest Session Timeout the Session Timeout fields offer: the installation's maximum, read
 * from the server (until it has answered, the absolute limit; the server decides either way).
 */
export function useMaxSessionTimeout(): number {
  return useInstallationSettings().data?.maxSessionTimeoutMinutes ?? SESSION_TIMEOUT_MAX;
}
