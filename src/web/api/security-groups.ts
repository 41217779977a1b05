import type {
  CreateSecurityGroupInput,
  SecurityGroup,
  UpdateSecurityGroupInput,
} from '../../shared/schemas/security-groups.js';
import { request } from './client.js';

export async function listSecurityGroups(signal?: AbortSignal): Promise<SecurityGroup[]> {
  return (await request<{ groups: SecurityGroup[] }>('/api/v1/security-groups', { signal })).groups;
}

export function getSecurityGroup(id: string, signal?: AbortSignal): Promise<SecurityGroup> {
  return request<SecurityGroup>(`/api/v1/security-groups/${encodeURIComponent(id)}`, { signal });
}

export function createSecurityGroup(input: CreateSecurityGroupInput): Promise<SecurityGroup> {
  return request<SecurityGroup>('/api/v1/security-groups', { method: 'POST', body: input });
}

export function updateSecurityGroup(id: string, changes: UpdateSecurityGroupInput): Promise<SecurityGroup> {
  return request<SecurityGroup>(`/api/v1/security-groups/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body: changes,
  });
}

export function deleteSecurityGroup(id: string): Promise<void> {
  return request<void>(`/api/v1/security-groups/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
