import { RECORD_SORT_COLUMNS, type RecordSortColumn } from '../../../shared/schemas/records.js';
import type { RecordListParams } from '../../api/records.js';

export const PAGE_SIZES = [10, 25, 50, 100] as const;
const DEFAULTS: RecordListParams = { search: '', typeId: '', sort: 'name', order: 'asc', page: 1, pageSize: 25 };

/**
 * The list's search, type filter, sort and page live in the address, so Back from a record returns
 * to the same view and a view can be bookmarked.
 */
export function readListParams(searchParams: URLSearchParams): RecordListParams {
  const sort = searchParams.get('sort');
  const page = Number(searchParams.get('page'));
  const pageSize = Number(searchParams.get('pageSize'));
  return {
    search: searchParams.get('search') ?? DEFAULTS.search,
    typeId: searchParams.get('typeId') ?? DEFAULTS.typeId,
    sort: (RECORD_SORT_COLUMNS as readonly string[]).includes(sort ?? '') ? (sort as RecordSortColumn) : DEFAULTS.sort,
    order: searchParams.get('order') === 'desc' ? 'desc' : 'asc',
    page: Number.isInteger(page) && page >= 1 ? page : DEFAULTS.page,
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULTS.pageSize,
  };
}

export function writeListParams(params: RecordListParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS) as (keyof RecordListParams)[]) {
    if (params[key] !== DEFAULTS[key] && params[key] !== '') out.set(key, String(params[key]));
  }
  return out;
}
