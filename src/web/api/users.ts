import type {
  AccountSettings,
  AccountStatus,
  CreateUserInput,
  MfaStatus,
  MustChangePasswordFilter,
  User,
  UserList,
  UserSortColumn,
  UserType,
} from '../../shared/schemas/users.js';
import type { BulkUserActionInput, BulkUserResult } from '../../shared/schemas/users-bulk.js';
import type { UserImportPreview, UserImportResult } from '../../shared/schemas/users-import.js';
import { request, requestFile } from './client.js';
import type { ExportFormat } from '../../shared/exports.js';

/** The list as the address holds it: '' for "any" in each filter (see pages/users/list-params.ts). */
export interface UserListParams {
  search: string;
  securityGroupId: string;
  accountStatus: '' | AccountStatus;
  userType: '' | UserType;
  mfa: '' | MfaStatus;
  mustChangePassword: '' | MustChangePasswordFilter;
  sort: UserSortColumn;
  order: 'asc' | 'desc';
  /** Absent: the first page; "last": the last page; else a cursor an answer gave. */
  cursor?: string;
  pageSize: number;
}
export type { UserList };

type UserListFilterParams = Omit<UserListParams, 'cursor' | 'pageSize'>;

/** The filters and sort as query fields ('' = absent). */
function filterQuery(params: UserListFilterParams) {
  return {
    search: params.search.trim() || undefined,
    securityGroupId: params.securityGroupId || undefined,
    accountStatus: params.accountStatus || undefined,
    userType: params.userType || undefined,
    mfa: params.mfa || undefined,
    mustChangePassword: params.mustChangePassword || undefined,
    sort: params.sort,
    order: params.order,
  };
}

export function listUsers(params: UserListParams, signal?: AbortSignal): Promise<UserList> {
  return request<UserList>('/api/v1/users', {
    query: { ...filterQuery(params), cursor: params.cursor, pageSize: params.pageSize },
    signal,
  });
}

/** The export (CSV or Excel) of the list with the same search, filters and sort (every account, not only the page shown). */
export function exportUsers(
  params: UserListFilterParams,
  format: ExportFormat,
): Promise<{ blob: Blob; filename: string }> {
  return requestFile(`/api/v1/users/export.${format}`, { query: filterQuery(params) });
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
