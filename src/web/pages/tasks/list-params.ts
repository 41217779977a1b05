import { TASK_SORT_COLUMNS, type TaskSortColumn } from '../../../shared/schemas/tasks.js';
import { TASK_STATUSES, type TaskStatus } from '../../../shared/task-status.js';
import type { TaskListParams } from '../../api/tasks.js';

export const PAGE_SIZES = [10, 25, 50, 100] as const;
const DEFAULTS = { sort: 'updatedAt', order: 'desc', pageSize: 25 } as const;

/**
 * The list's filters, sort and page (its cursor) live in the address, so Back from a task returns
 * to the same page, and a reload or a bookmark shows it again.
 */
export function readListParams(searchParams: URLSearchParams): TaskListParams {
  const sort = searchParams.get('sort');
  const pageSize = Number(searchParams.get('pageSize'));
  const cursor = searchParams.get('cursor');
  const status = (searchParams.get('status') ?? '')
    .split(',')
    .filter((s): s is TaskStatus => (TASK_STATUSES as readonly string[]).includes(s));
  return {
    search: searchParams.get('search') ?? '',
    status,
    mine: searchParams.get('mine') === '1',
    sort: (TASK_SORT_COLUMNS as readonly string[]).includes(sort ?? '') ? (sort as TaskSortColumn) : DEFAULTS.sort,
    order: searchParams.get('order') === 'asc' ? 'asc' : 'desc',
    ...(cursor ? { cursor } : {}),
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULTS.pageSize,
  };
}

export function writeListParams(params: TaskListParams): URLSearchParams {
  const out = new URLSearchParams();
  if (params.search !== '') out.set('search', params.search);
  if (params.status.length > 0) out.set('status', params.status.join(','));
  if (params.mine) out.set('mine', '1');
  if (params.sort !== DEFAULTS.sort) out.set('sort', params.sort);
  if (params.order !== DEFAULTS.order) out.set('order', params.order);
  if (params.cursor) out.set('cursor', params.cursor);
  if (params.pageSize !== DEFAULTS.pageSize) out.set('pageSize', String(params.pageSize));
  return out;
}
