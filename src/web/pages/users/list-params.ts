import { isCursor } from '../../../shared/paging.js';
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
} from '../../../shared/user-list.js';
import type { UserListParams } from '../../api/users.js';

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
