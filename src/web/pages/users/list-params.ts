import { MFA_STATUSES, USER_SORT_COLUMNS, type MfaStatus, type UserSortColumn } from '../../../shared/schemas/users.js';
import type { UserListParams } from '../../api/users.js';

export const PAGE_SIZES = [10, 25, 50, 100] as const;
const DEFAULTS: UserListParams = { search: '', mfa: '', sort: 'email', order: 'asc', page: 1, pageSize: 25 };

/**
 * The list's search, sort and page live in the address (?search=&mfa=&sort=&order=&page=&pageSize=),
 * so Back from a user's page returns to the same view and a view can be bookmarked.
 */
export function readListParams(searchParams: URLSearchParams): UserListParams {
  const sort = searchParams.get('sort');
  const mfa = searchParams.get('mfa');
  const order = searchParams.get('order');
  const page = Number(searchParams.get('page'));
  const pageSize = Number(searchParams.get('pageSize'));
  return {
    search: searchParams.get('search') ?? DEFAULTS.search,
    mfa: (MFA_STATUSES as readonly string[]).includes(mfa ?? '') ? (mfa as MfaStatus) : DEFAULTS.mfa,
    sort: (USER_SORT_COLUMNS as readonly string[]).includes(sort ?? '') ? (sort as UserSortColumn) : DEFAULTS.sort,
    order: order === 'desc' ? 'desc' : 'asc',
    page: Number.isInteger(page) && page >= 1 ? page : DEFAULTS.page,
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULTS.pageSize,
  };
}

export function writeListParams(params: UserListParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS) as (keyof UserListParams)[]) {
    if (params[key] !== DEFAULTS[key] && params[key] !== '') out.set(key, String(params[key]));
  }
  return out;
}
