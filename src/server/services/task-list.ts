/**
 * The Tasks list and its CSV export: the sorts read from their indexes, the title search (a
 * trigram index, walked within bounds), the filters, keyset pages and totals. One task is read
 * and changed in tasks.ts.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Db } from '../db/connection.js';
import {
  countUpTo,
  inOrderFound,
  keysetPage,
  orderedPast,
  tableRowCount,
  type KeyRange,
  type KeysetPage,
  type KeysetSort,
} from '../db/paging.js';
import { inSnapshot, keysetBatches } from '../db/snapshot-stream.js';
import type { Database } from '../db/schema.js';
import { isPostgres, unindexed } from '../db/portable.js';
import type { Actor } from '../auth/actor.js';
import { type TaskStatus } from '../../shared/task-status.js';
import type { ListTasksQuery, TaskFilters, TaskSortColumn } from '../../shared/schemas/tasks.js';
import type { Total } from '../../shared/schemas/paging.js';
import { withRecordAndAssignee, type TaskRow } from './tasks.js';

/** Workflow order, so "sort by status" reads Not Started, In Progress, then the end states (tasks.status_rank). */
const STATUS_RANKS: Record<TaskStatus, number> = {
  not_started: 0,
  in_progress: 1,
  failed: 2,
  complete: 3,
  cancelled: 4,
};

/** A task as the list reads it: with its record and assignee, and the value its sort orders by. */
export type TaskListRow = TaskRow & { sort_key: string | number };

/**
 * What each column sorts by, written exactly as its index (migration 0012) so that the index
 * serves a page: text by code point on both databases ("C" on PostgreSQL); the status in workflow
 * order and the due date with none as the smallest value (generated columns); the assignee by the
 * copy of "first last email" each task keeps ('' for nobody).
 */
function taskSortKey(sort: TaskSortColumn, postgres: boolean): RawBuilder<string | number> {
  const text = (column: string) =>
    postgres ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`;
  switch (sort) {
    case 'title':
      return text('t.title_normalized');
    case 'status':
      return sql<number>`${sql.ref('t.status_rank')}`;
    case 'dueDate':
      return text('t.due_sort');
    case 'assignee':
      return text('t.assignee_sort');
    case 'createdAt':
      return text('t.created_at');
    case 'updatedAt':
      return text('t.updated_at');
  }
}

function taskSort(sort: TaskSortColumn, order: 'asc' | 'desc', postgres: boolean): KeysetSort<TaskListRow> {
  return {
    name: `${sort}:${order}`,
    key: taskSortKey(sort, postgres),
    keyKind: sort === 'status' ? 'integer' : 'text',
    keyOf: (row) => row.sort_key,
    id: sql.ref('t.id'),
    idKind: 'text',
    idOf: (row) => row.id,
    order,
  };
}

/** The FTS5 trigram index finds texts of 3 characters or more; a shorter search is read as it is. */
const TRIGRAM = 3;

/**
 * Up to how many matches of a search a page fetches them all and sorts them. Each is a look-up of
 * a task by its ID (~10 µs at a million tasks, ~100 ms for 10,000); beyond, walking the sort's
 * index is quicker (see `Reading`).
 */
const SEARCH_FETCH_LIMIT = 1_000;

/**
 * How a page reads the tasks that match, chosen from how many match (the count comes first):
 * - 'fetch': few match; their filter's index (or the search index) finds them all, then they are
 *   sorted. A status filter sorted by title is a range of (status, title, id) whatever the count.
 * - 'walk': many match (more than the count's limit: at least 1 in 100 at a million tasks); the
 *   sort's index is read in order and each task checked, so a page needs ~100 rows read per row
 *   shown at most. The filters are written so that no index serves them (see `unindexed`).
 * - 'member' (SQLite, a search with 1,000 to 10,000 matches): as 'walk', but a task is checked by
 *   its ID against the search index's matches, read once into a set: the ID is in every sort's
 *   index, so no task is read that is not shown, and a page costs a few milliseconds at any depth.
 */
type Reading = 'fetch' | 'walk' | 'member';

/**
 * Titles containing `search` anywhere, in any letter case: `title_normalized` (lower-cased) holds
 * the lower-cased search text. LIKE decides on both databases alike. On PostgreSQL the pg_trgm
 * index serves the LIKE itself; on SQLite the FTS5 trigram table finds the matching tasks (it
 * holds exactly the lower-cased titles and matches a quoted phrase as a substring, so its matches
 * are exactly LIKE's).
 */
function titleContains(db: Kysely<Database>, search: string, reading: Reading) {
  const postgres = isPostgres(db as Kysely<unknown>);
  const text = search.toLowerCase();
  const indexed = reading === 'fetch';
  const title = indexed ? sql.ref('t.title_normalized') : unindexed(db as Kysely<unknown>, 't.title_normalized');
  const like = sql<boolean>`${title} like ${`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;
  if (postgres || reading === 'walk' || [...text].length < TRIGRAM) return like;
  const id = indexed ? sql.ref('t.id') : unindexed(db as Kysely<unknown>, 't.id');
  return sql<boolean>`(${id} in (${searchHits(text)}) and ${like})`;
}

/** SQLite: the IDs of the tasks whose title contains `text` (3 characters or more), from the FTS5 table. */
function searchHits(text: string) {
  const phrase = `"${text.replaceAll('"', '""')}"`;
  return sql`select k.task_id from tasks_search s join tasks_search_keys k on k.n = s.rowid
    where tasks_search match ${phrase}`;
}

/**
 * The tasks a list's filters and search select, no joins (the record and assignee are only read
 * for the page), written for `reading` (see Reading).
 */
function matchingTasks(db: Kysely<Database>, filters: TaskFilters, actor: Actor, reading: Reading = 'fetch') {
  const column = (name: string) => (reading === 'fetch' ? sql.ref(name) : unindexed(db as Kysely<unknown>, name));
  let query = db.selectFrom('tasks as t');
  const statuses = filters.status ?? [];
  if (statuses.length > 0) {
    // One status sorted by title: a range of (status, title, id), at any count and depth.
    const statusTitle = filters.sort === 'title' && statuses.length === 1;
    query = query.where(statusTitle ? sql.ref('t.status') : column('t.status'), 'in', statuses);
  }
  if (filters.assigneeId)
    query = query.where(
      column('t.assignee_user_id'),
      '=',
      filters.assigneeId === 'me' ? actor.user.id : filters.assigneeId,
    );
  if (filters.recordId) query = query.where(column('t.record_id'), '=', filters.recordId);
  if (filters.search) query = query.where(titleContains(db, filters.search, reading));
  return query;
}

/** The tasks a page reads: `matchingTasks`, plus the status filter in the sort's terms (below). */
function pagedTasks(db: Kysely<Database>, filters: TaskFilters, actor: Actor, reading: Reading) {
  const query = matchingTasks(db, filters, actor, reading);
  // Sorted by status, the status filter said again in the sort's own terms, so that the sort's
  // index reads only those statuses. (Not in the count: there the status index alone is quicker.)
  // One status is the page's key range instead (see statusKeyRange).
  if (filters.sort === 'status' && filters.status && filters.status.length > 1)
    return query.where(
      sql.ref('t.status_rank'),
      'in',
      filters.status.map((status) => STATUS_RANKS[status]),
    );
  return query;
}

function listedTasks(db: Kysely<Database>, filters: TaskFilters, actor: Actor, reading: Reading = 'fetch') {
  const sortKey = taskSortKey(filters.sort, isPostgres(db as Kysely<unknown>));
  return withRecordAndAssignee(pagedTasks(db, filters, actor, reading)).select(sortKey.as('sort_key'));
}

/**
 * A keyset reader for a page with many matches ('walk'): the sort's index is walked for the
 * matching tasks' keys and IDs alone, then the page's tasks are read by ID with their record and
 * assignee. Where every column the filters name is in the sort's index (a title search sorted by
 * title), the walk reads no task at all: at a million tasks on PostgreSQL, "patch" sorted by
 * Title walked 400,000 tasks before its first match (~1.6 s) against 400,000 index entries now.
 */
function walkIdsThenRows(
  db: Kysely<Database>,
  filters: TaskFilters,
  actor: Actor,
  sort: KeysetSort<TaskListRow>,
): KeysetSort<TaskListRow>['read'] {
  const key = taskSortKey(filters.sort, isPostgres(db as Kysely<unknown>));
  return async (_query, at, order, limit, range) => {
    const walk = pagedTasks(db, filters, actor, 'walk').select([key.as('sort_key'), 't.id']);
    const found = await orderedPast(walk, sort, at, order, range).limit(limit).execute();
    if (found.length === 0) return [];
    const ids = found.map((row) => row.id);
    const rows = await withRecordAndAssignee(db.selectFrom('tasks as t').where('t.id', 'in', ids)).execute();
    return inOrderFound(found, rows);
  };
}

/**
 * Sorted by status and filtered by one: the key range of that status's rank. As a range it merges
 * with the cursor's bound into one seek of (status_rank, id); as `status_rank in (…)` SQLite reads
 * the whole status from its start on every next page (70,000 Failed tasks: ~20 ms).
 */
function statusKeyRange(filters: TaskFilters): KeyRange | undefined {
  if (filters.sort !== 'status' || filters.status?.length !== 1) return undefined;
  const rank = STATUS_RANKS[filters.status[0]!];
  return { min: rank, max: rank };
}

/**
 * How many tasks the filters select (exact unfiltered; else exact up to TOTAL_COUNT_LIMIT), and so
 * how a page reads them.
 * A search alone on SQLite is counted in the FTS5 table without reading a task (its matches are
 * exactly the list's): counting 10,001 of a common word's 100,000 matches through the tasks took
 * ~0.5 s.
 */
async function countTasks(db: Db, filters: TaskFilters, actor: Actor): Promise<{ total: Total; reading: Reading }> {
  const postgres = isPostgres(db as Kysely<unknown>);
  const text = filters.search?.toLowerCase() ?? '';
  const searchOnly = !filters.status?.length && !filters.assigneeId && !filters.recordId;
  const indexedSearch = !postgres && [...text].length >= TRIGRAM;
  const filtered = !searchOnly || text !== '';
  const total = !filtered
    ? await tableRowCount(db, 'tasks')
    : indexedSearch && searchOnly
      ? await countUpTo(db, db.selectFrom(sql`(${searchHits(text)})`.as('hits')))
      : await countUpTo(db, matchingTasks(db, filters, actor));
  let reading: Reading = 'fetch';
  if (filtered && !total.exact) reading = 'walk';
  else if (indexedSearch && total.count > SEARCH_FETCH_LIMIT) reading = 'member';
  return { total, reading };
}

/** One page of the Tasks list and how many tasks match. Search matches any part of the title, in any letter case. */
export async function listTasks(
  db: Db,
  actor: Actor,
  query: ListTasksQuery,
): Promise<KeysetPage<TaskListRow> & { total: Total }> {
  const sort = taskSort(query.sort, query.order, isPostgres(db as Kysely<unknown>));
  // The count (it stops at 10,001) says first how to read the page.
  const { total, reading } = await countTasks(db, query, actor);
  const keyRange = statusKeyRange(query);
  const pageSort =
    reading === 'walk' ? { ...sort, read: walkIdsThenRows(db, query, actor, sort), readsKeyRange: true } : sort;
  const page = await keysetPage(listedTasks(db, query, actor, reading), pageSort, {
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    pageSize: query.pageSize,
    ...(keyRange ? { keyRange } : {}),
  });
  return { ...page, total };
}

/**
 * Every task the filters select, in the list's order, batch by batch, as they all were at one
 * instant (one snapshot: tasks added, removed or changed meanwhile neither repeat nor go missing).
 */
export function exportTaskBatches(db: Db, actor: Actor, filters: TaskFilters): AsyncGenerator<TaskListRow[]> {
  const sort = taskSort(filters.sort, filters.order, isPostgres(db as Kysely<unknown>));
  return inSnapshot(db, async function* (reader) {
    const { reading } = await countTasks(reader, filters, actor);
    const keyRange = statusKeyRange(filters);
    yield* keysetBatches(listedTasks(reader, filters, actor, reading), sort, keyRange ? { keyRange } : {});
  });
}
