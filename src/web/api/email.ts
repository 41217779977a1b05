import { useQuery } from '@tanstack/react-query';
import type { EmailStatus } from '../../shared/schemas/email.js';
import { request } from './client.js';
import { queryKeys } from './query-keys.js';

export function getEmailStatus(signal?: AbortSignal): Promise<EmailStatus> {
  return request<EmailStatus>('/api/v1/email', { signal });
}

/** SMTP settings, queue depth and recent messages (Administrators only). */
export function useEmailStatus() {
  return useQuery({ queryKey: queryKeys.email, queryFn: ({ signal }) => getEmailStatus(signal) });
}
