import { isCursor } from './paging.js';
import {
  ACCOUNT_STATUSES,
  MFA_STATUSES,
  MUST_CHANGE_PASSWORD_FILTERS,
  USER_SORT_COLUMNS,
  USER_TYPES,
  type AccountStatus,
  type MfaStatus,
  type MustChangePasswordFilter,
  type UserSortColumn,
  type UserType,
} from './user-list.js';

/**
 * The users list as its address holds it, and the API request for it. Shared: the web's list reads
 * its address with these, and the server, sending the list's page, names the same request for the
 * browser to start at once (src/server/page-preloads.ts); both must build the identical URL.
 */

/** The list as the address holds it: '' for "any" in each filter. */
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

export const PAGE_SIZES = [10, 25, 50, 100] as const;
const DEFAULTS: UserListParams = {
  search: '',
  securityGroupId: '',
  accountStatus: '',
  userType: '',
  mfa: '',
  mustChangePassword: '',
  sort: 'email',
  order: 'asc',
  cursor: undefined,
  pageSize: 25,
};

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | '' =>
  (values as readonly string[]).includes(value ?? '') ? (value as T) : '';

/**
 * The list's search, filters, sort and page live in the address (?search=&securityGroupId=&
 * accountStatus=&userType=&mfa=&mustChangePassword=&sort=&order=&cursor=&pageSize=), so Back from a user's page returns
 * to the same view and a view, the page shown included, can be bookmarked or reloaded.
 */
export function readListParams(searchParams: URLSearchParams): UserListParams {
  const sort = searchParams.get('sort');
  const cursor = searchParams.get('cursor');
  const pageSize = Number(searchParams.get('pageSize'));
  return {
    search: searchParams.get('search') ?? DEFAULTS.search,
    securityGroupId: searchParams.get('securityGroupId') ?? DEFAULTS.securityGroupId,
    accountStatus: oneOf<AccountStatus>(ACCOUNT_STATUSES, searchParams.get('accountStatus')),
    userType: oneOf<UserType>(USER_TYPES, searchParams.get('userType')),
    mfa: oneOf<MfaStatus>(MFA_STATUSES, searchParams.get('mfa')),
    mustChangePassword: oneOf<MustChangePasswordFilter>(
      MUST_CHANGE_PASSWORD_FILTERS,
      searchParams.get('mustChangePassword'),
    ),
    sort: (USER_SORT_COLUMNS as readonly string[]).includes(sort ?? '') ? (sort as UserSortColumn) : DEFAULTS.sort,
    order: searchParams.get('order') === 'desc' ? 'desc' : 'asc',
    // A cursor that cannot be one is dropped here (the first page) rather than sent to be refused.
    cursor: cursor && isCursor(cursor) ? cursor : undefined,
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULTS.pageSize,
  };
}

export function writeListParams(params: UserListParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS) as (keyof UserListParams)[]) {
    const value = params[key];
    if (value !== undefined && value !== DEFAULTS[key] && value !== '') out.set(key, String(value));
  }
  return out;
}

/** The filters and sort as the API's query fields (undefined: absent). */
export function userListFilterQuery(
  params: Omit<UserListParams, 'cursor' | 'pageSize'>,
): Record<string, string | undefined> {
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

/** GET /api/v1/users for one page of the list: always the same URL for the same view. */
export function userListUrl(params: UserListParams): string {
  const query = new URLSearchParams();
  const fields = { ...userListFilterQuery(params), cursor: params.cursor, pageSize: String(params.pageSize) };
  for (const [key, value] of Object.entries(fields)) if (value) query.set(key, value);
  return `/api/v1/users?${query.toString()}`;
}
