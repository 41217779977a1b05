import { RECORD_SORT_COLUMNS, type RecordSortColumn } from '../../../shared/schemas/records.js';
import type { RecordListParams } from '../../api/records.js';

export const PAGE_SIZES = [10, 25, 50, 100] as const;
const DEFAULTS = { search: '', typeId: '', sort: 'name', order: 'asc', pageSize: 25 } as const;

/**
 * The list's search, type filter, sort and page (its cursor) live in the address, so Back from a
 * record returns to the same page, and a reload or a bookmark shows it again.
 */
export function readListParams(searchParams: URLSearchParams): RecordListParams {
  const sort = searchParams.get('sort');
  const pageSize = Number(searchParams.get('pageSize'));
  const cursor = searchParams.get('cursor');
  return {
    search: searchParams.get('search') ?? DEFAULTS.search,
    typeId: searchParams.get('typeId') ?? DEFAULTS.typeId,
    sort: (RECORD_SORT_COLUMNS as readonly string[]).includes(sort ?? '') ? (sort as RecordSortColumn) : DEFAULTS.sort,
    order: searchParams.get('order') === 'desc' ? 'desc' : 'asc',
    ...(cursor ? { cursor } : {}),
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULTS.pageSize,
  };
}

export function writeListParams(params: RecordListParams): URLSearchParams {
  const out = new URLSearchParams();
  if (params.search !== '') out.set('search', params.search);
  if (params.typeId !== '') out.set('typeId', params.typeId);
  if (params.sort !== DEFAULTS.sort) out.set('sort', params.sort);
  if (params.order !== DEFAULTS.order) out.set('order', params.order);
  if (params.cursor) out.set('cursor', params.cursor);
  if (params.pageSize !== DEFAULTS.pageSize) out.set('pageSize', String(params.pageSize));
  return out;
}
