import type { AccountSettings, CreateUserInput, ListUsersQuery, MfaStatus, User } from '../../shared/schemas/users.js';
import { request, requestFile } from './client.js';

export type UserListParams = Pick<ListUsersQuery, 'sort' | 'order' | 'page' | 'pageSize'> & {
  search: string;
  /** '' = every account. */
  mfa: '' | MfaStatus;
};
export interface UserList {
  users: User[];
  total: number;
  page: number;
  pageSize: number;
}

export function listUsers(params: UserListParams, signal?: AbortSignal): Promise<UserList> {
  return request<UserList>('/api/v1/users', {
    query: { ...params, search: params.search.trim(), mfa: params.mfa || undefined },
    signal,
  });
}

/** The CSV export of the list with the same search and sort (every page, not only the one shown). */
export function exportUsersCsv(
  params: Pick<UserListParams, 'search' | 'mfa' | 'sort' | 'order'>,
): Promise<{ blob: Blob; filename: string }> {
  return requestFile('/api/v1/users/export.csv', {
    query: { search: params.search.trim(), mfa: params.mfa || undefined, sort: params.sort, order: params.order },
  });
}

export function getUser(id: string, signal?: AbortSignal): Promise<User> {
  return request<User>(`/api/v1/users/${encodeURIComponent(id)}`, { signal });
}

export function createUser(input: CreateUserInput): Promise<User> {
  return request<User>('/api/v1/users', { method: 'POST', body: input });
}

export function updateUserSettings(id: string, changes: AccountSettings): Promise<User> {
  return request<User>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: changes });
}

/** Enables or disables an account (for SSO accounts, which have no Password & Security tab). */
export function setAccountStatus(id: string, accountStatus: User['accountStatus']): Promise<User> {
  return request<User>(`/api/v1/users/${encodeURIComponent(id)}/account-status`, {
    method: 'PUT',
    body: { accountStatus },
  });
}

/** Ends the account's sign-in lock (after too many failed attempts) now. */
export function unlockSignIn(id: string): Promise<void> {
  return request<void>(`/api/v1/users/${encodeURIComponent(id)}/sign-in-lock`, { method: 'DELETE' });
}

export function deleteUser(id: string): Promise<void> {
  return request<void>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** The groups fetcher lives with the other security group requests; re-exported for the Users pages. */
export { listSecurityGroups } from './security-groups.js';
