import { USER_SORT_COLUMNS, type UserSortColumn } from '../../../shared/schemas/users.js';
import type { UserListParams } from '../../api/users.js';

export const PAGE_SIZES = [10, 25, 50, 100] as const;
const DEFAULTS: UserListParams = { search: '', sort: 'email', order: 'asc', page: 1, pageSize: 25 };

/**
 * The list's search, sort and page live in the address (?search=&sort=&order=&page=&pageSize=),
 * so Back from a user's page returns to the same view and a view can be bookmarked.
 */
export function readListParams(searchParams: URLSearchParams): UserListParams {
  const sort = searchParams.get('sort');
  const order = searchParams.get('order');
  const page = Number(searchParams.get('page'));
  const pageSize = Number(searchParams.get('pageSize'));
  return {
    search: searchParams.get('search') ?? DEFAULTS.search,
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
