import type { AccountSettings, CreateUserInput, User, UserList } from '../../shared/schemas/users.js';
import type { BulkUserActionInput, BulkUserResult } from '../../shared/schemas/users-bulk.js';
import type { UserImportPreview, UserImportResult } from '../../shared/schemas/users-import.js';
import { request, requestFile } from './client.js';
import type { ExportFormat } from '../../shared/exports.js';
import { userListFilterQuery, userListUrl, type UserListParams } from '../../shared/user-list-address.js';

export type { UserList, UserListParams };

type UserListFilterParams = Omit<UserListParams, 'cursor' | 'pageSize'>;

export function listUsers(params: UserListParams, signal?: AbortSignal): Promise<UserList> {
  return request<UserList>(userListUrl(params), { signal });
}

/** The export (CSV or Excel) of the list with the same search, filters and sort (every account, not only the page shown). */
export function exportUsers(
  params: UserListFilterParams,
  format: ExportFormat,
): Promise<{ blob: Blob; filename: string }> {
  return requestFile(`/api/v1/users/export.${format}`, { query: userListFilterQuery(params) });
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

/** A bulk action on the accounts given: all of them or none (409 bulk_refused lists the refused ones). */
export function bulkUpdateUsers(input: BulkUserActionInput): Promise<BulkUserResult> {
  return request<BulkUserResult>('/api/v1/users/bulk', { method: 'POST', body: input });
}

export function bulkDeleteUsers(userIds: string[]): Promise<{ deleted: number }> {
  return request<{ deleted: number }>('/api/v1/users/bulk-delete', { method: 'POST', body: { userIds } });
}

/** Export selected: the CSV export's columns for just these accounts. */
export function exportSelectedUsersCsv(userIds: string[]): Promise<{ blob: Blob; filename: string }> {
  return requestFile('/api/v1/users/export.csv', { method: 'POST', body: { userIds } });
}

/** The groups fetcher lives with the other security group requests; re-exported for the Users pages. */
export { listSecurityGroups } from './security-groups.js';

export function previewUserImport(csv: string): Promise<UserImportPreview> {
  return request<UserImportPreview>('/api/v1/users/import/preview', { method: 'POST', body: { csv } });
}

export function importUsers(csv: string): Promise<UserImportResult> {
  return request<UserImportResult>('/api/v1/users/import', { method: 'POST', body: { csv } });
}
