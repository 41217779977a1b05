import { sql, type Expression, type Kysely, type QueryExecutorProvider, type SelectQueryBuilder } from 'kysely';
import type { Database, RowCountTable } from './schema.js';
import { CURSOR_LAST, type Total } from '../../shared/schemas/paging.js';
import { fieldError } from '../app-error.js';

/* ------------------------------------------------------------------------------------------------
 * Keyset (cursor) paging: the contract of src/shared/schemas/paging.ts.
 *
 * A page is read straight from the sort's index, starting just past the row a cursor names, so
 * page 40,000 of a million rows costs what page 1 costs; OFFSET would read and drop every row
 * before it. Rows inserted or deleted between two requests never make a page repeat or skip one.
 * ---------------------------------------------------------------------------------------------- */

/** What a cursor may hold as a sort value or ID: what the key's column type needs. */
export type KeyKind = 'text' | 'integer';
export type KeyValue = string | number;

/**
 * One sort of a list, as the keyset reads it. The sort key must never be NULL (coalesce a nullable
 * column to a value that sorts where NULLs should) and must be written exactly as in its index,
 * `(key, id)`, so that both the ORDER BY and the "past this row" condition are served by it.
 */
export interface KeysetSort<R> {
  /** Names the sort and its direction ("lastName:asc"); a cursor made under another is refused. */
  name: string;
  key: Expression<unknown>;
  keyKind: KeyKind;
  keyOf(row: R): KeyValue;
  /** The unique tie-breaker (the primary key), sorted in the key's direction. */
  id: Expression<unknown>;
  idKind: KeyKind;
  idOf(row: R): KeyValue;
  order: 'asc' | 'desc';
  /**
   * Compare past the cursor as a range on the key plus a tie-break rather than as one row value
   * (see `beyond`): for a key that SQLite indexes as an expression (`lower(title)`), whose index it
   * cannot seek by row value.
   */
  rangeOnKey?: boolean;
  /**
   * Reads up to `limit` rows of `query` strictly past `at` (from the start when null) in `order`.
   * Only for a sort no single index can serve in one range (its key in another table, say); by
   * default: `query` past `at` (see `beyond`), ordered and limited. A reader that can honour a key
   * range (`range`, as `orderedPast` does) says so with `readsKeyRange`; others refuse one.
   */
  read?: (
    query: unknown,
    at: { key: KeyValue; id: KeyValue } | null,
    order: 'asc' | 'desc',
    limit: number,
    range: KeyRange,
  ) => Promise<R[]>;
  readsKeyRange?: boolean;
}

/** Sort-key bounds, both inclusive. */
export type KeyRange = { min?: KeyValue | undefined; max?: KeyValue | undefined };

export interface KeysetRequest {
  cursor?: string;
  pageSize: number;
  /**
   * Only rows whose sort key lies in this range, both ends inclusive (a time range, say). Given
   * here rather than in the query's WHERE so that it merges with the cursor's bound into one
   * range: SQLite uses one lower and one upper bound of an index, and of two upper bounds (the
   * range's end and the cursor) it may pick the looser one and read every row in between.
   */
  keyRange?: KeyRange;
}

export interface KeysetPage<R> {
  rows: R[];
  next: string | null;
  previous: string | null;
}

type Position = { kind: 'first' } | { kind: 'last' } | { kind: 'after' | 'before'; key: KeyValue; id: KeyValue };

/**
 * One page of `query` (its FROM, joins, WHERE and selection; no ORDER BY or LIMIT) in `sort`'s
 * order, where `request.cursor` says. Also tells whether there is a page before and after it,
 * each by a one-row probe of the index rather than by counting.
 */
export async function keysetPage<DB, TB extends keyof DB, R>(
  query: SelectQueryBuilder<DB, TB, R>,
  sort: KeysetSort<R>,
  request: KeysetRequest,
): Promise<KeysetPage<R>> {
  const position = decodeCursor(request.cursor, sort);
  const forward = position.kind === 'first' || position.kind === 'after';
  const readOrder = forward ? sort.order : opposite(sort.order);

  const range = request.keyRange ?? {};
  if (sort.read && !sort.readsKeyRange && (range.min !== undefined || range.max !== undefined))
    throw new Error('A sort with its own reader takes no key range.');
  const found = await readPast(
    query,
    sort,
    position.kind === 'after' || position.kind === 'before' ? position : null,
    readOrder,
    request.pageSize + 1,
    range,
  );
  const more = found.length > request.pageSize;
  const rows = found.slice(0, request.pageSize);
  if (!forward) rows.reverse();

  // The rows at the page's two edges, or, for an empty page, the cursor's own position.
  const firstPosition = rows.length > 0 ? positionOf(sort, rows[0]!) : position;
  const lastPosition = rows.length > 0 ? positionOf(sort, rows[rows.length - 1]!) : position;
  const exists = async (edge: Position, direction: 'asc' | 'desc') =>
    edge.kind === 'after' || edge.kind === 'before'
      ? (await readPast(query, sort, edge, direction, 1, range)).length > 0
      : false;

  let hasNext: boolean;
  let hasPrevious: boolean;
  if (position.kind === 'first') [hasPrevious, hasNext] = [false, more];
  else if (position.kind === 'last') [hasPrevious, hasNext] = [more, false];
  else if (position.kind === 'after')
    [hasPrevious, hasNext] = [await exists(firstPosition, opposite(sort.order)), more];
  else [hasPrevious, hasNext] = [more, await exists(lastPosition, sort.order)];

  return {
    rows,
    next: hasNext ? encodeCursor(sort, 'after', lastPosition) : null,
    // Past the end (its rows deleted since): nothing follows the cursor, so the page before is
    // the last page, which also holds the cursor's own row if it is still there.
    previous: !hasPrevious
      ? null
      : rows.length === 0 && position.kind === 'after'
        ? CURSOR_LAST
        : encodeCursor(sort, 'before', firstPosition),
  };
}

function readPast<DB, TB extends keyof DB, R>(
  query: SelectQueryBuilder<DB, TB, R>,
  sort: KeysetSort<R>,
  at: { key: KeyValue; id: KeyValue } | null,
  order: 'asc' | 'desc',
  limit: number,
  range: KeyRange,
): Promise<R[]> {
  if (sort.read) return sort.read(query, at, order, limit, range);
  return orderedPast(query, sort, at, order, range).limit(limit).execute();
}

/**
 * `query`'s rows strictly past `at` (all, when null) within `range`, in `order` of `sort` (its own
 * reader, if any, ignored): what keysetPage reads, before its LIMIT. For a sort's own reader.
 */
export function orderedPast<DB, TB extends keyof DB, O, R>(
  query: SelectQueryBuilder<DB, TB, O>,
  sort: KeysetSort<R>,
  at: { key: KeyValue; id: KeyValue } | null,
  order: 'asc' | 'desc',
  range: KeyRange = {},
): SelectQueryBuilder<DB, TB, O> {
  let read = query;
  if (at) read = read.where(beyond(sort, at, order, range));
  else if (range.min !== undefined || range.max !== undefined) read = read.where(within(sort, range));
  return ordered(read, sort, order);
}

function ordered<DB, TB extends keyof DB, O, R>(
  query: SelectQueryBuilder<DB, TB, O>,
  sort: KeysetSort<R>,
  order: 'asc' | 'desc',
) {
  return query.orderBy(sort.key as never, order).orderBy(sort.id as never, order);
}

/**
 * Rows strictly past `(key, id)` in `order`, within `range`. By default a row-value comparison,
 * which both databases answer by seeking the `(key, id)` index straight to that row (a range on
 * the key alone seeks only to the key, then filters a run of ties by ID: deep in "enabled" of a
 * million accounts, the whole run). SQLite cannot seek an expression index (`lower(title), id`)
 * by row value: a sort on one sets `rangeOnKey`, and reads a range of the key plus the tie-break.
 * The cursor's bound and the range's bound on the same side are merged into one: SQLite uses one
 * lower and one upper bound of an index, and of two it may pick the looser.
 */
export function beyond<R>(
  sort: KeysetSort<R>,
  at: { key: KeyValue; id: KeyValue },
  order: 'asc' | 'desc',
  range: KeyRange = {},
) {
  const [from, to] = order === 'asc' ? [range.min, range.max] : [range.max, range.min];
  const [orEqual, strictly] = order === 'asc' ? [sql.raw('>='), sql.raw('>')] : [sql.raw('<='), sql.raw('<')];
  const key = bound(at.key, sort.keyKind);
  const id = bound(at.id, sort.idKind);
  // A cursor before the range's start (made before the range changed) starts at the range instead.
  const cursorFirst = from === undefined || (order === 'asc' ? at.key >= from : at.key <= from);
  const start = !cursorFirst
    ? sql`${sort.key} ${orEqual} ${bound(from, sort.keyKind)}`
    : sort.rangeOnKey
      ? sql`${sort.key} ${orEqual} ${key} and (${sort.key} ${strictly} ${key} or ${sort.id} ${strictly} ${id})`
      : sql`(${sort.key}, ${sort.id}) ${strictly} (${key}, ${id})`;
  const end =
    to === undefined
      ? sql``
      : sql` and ${sort.key} ${order === 'asc' ? sql.raw('<=') : sql.raw('>=')} ${bound(to, sort.keyKind)}`;
  return sql<boolean>`(${start}${end})`;
}

/**
 * Rows at or before `(key, id)` in `order`: the other end of a stretch that starts past a cursor
 * (see `beyond`), written the same way so the index range stops there.
 */
export function upTo<R>(sort: KeysetSort<R>, end: { key: KeyValue; id: KeyValue }, order: 'asc' | 'desc') {
  const [orEqual, strictly] = order === 'asc' ? [sql.raw('<='), sql.raw('<')] : [sql.raw('>='), sql.raw('>')];
  const key = bound(end.key, sort.keyKind);
  const id = bound(end.id, sort.idKind);
  return sort.rangeOnKey
    ? sql<boolean>`(${sort.key} ${orEqual} ${key} and (${sort.key} ${strictly} ${key} or ${sort.id} ${orEqual} ${id}))`
    : sql<boolean>`((${sort.key}, ${sort.id}) ${orEqual} (${key}, ${id}))`;
}

/**
 * A cursor's value as a query parameter. Integers go as bigint: a cursor may hold any safe integer,
 * and PostgreSQL would type the parameter after a 32-bit column and refuse a larger value with an
 * error; an int4 column compared with an int8 value still reads its index.
 */
function bound(value: KeyValue, kind: KeyKind) {
  return kind === 'integer' ? sql`cast(${value} as bigint)` : sql`${value}`;
}

/** Rows whose key lies in `range` (at least one end given). */
function within<R>(sort: KeysetSort<R>, range: KeyRange) {
  const bounds = [
    ...(range.min === undefined ? [] : [sql`${sort.key} >= ${bound(range.min, sort.keyKind)}`]),
    ...(range.max === undefined ? [] : [sql`${sort.key} <= ${bound(range.max, sort.keyKind)}`]),
  ];
  return sql<boolean>`(${sql.join(bounds, sql` and `)})`;
}

function opposite(order: 'asc' | 'desc'): 'asc' | 'desc' {
  return order === 'asc' ? 'desc' : 'asc';
}

function positionOf<R>(sort: KeysetSort<R>, row: R): Position {
  return { kind: 'after', key: sort.keyOf(row), id: sort.idOf(row) };
}

function encodeCursor<R>(sort: KeysetSort<R>, direction: 'after' | 'before', at: Position): string {
  if (at.kind !== 'after' && at.kind !== 'before') throw new Error('A cursor needs a row position.');
  return Buffer.from(JSON.stringify([direction === 'after' ? 'a' : 'b', sort.name, at.key, at.id])).toString(
    'base64url',
  );
}

const CURSOR_INVALID =
  'This page link is not valid (it may belong to a list sorted another way). Start again from the first page.';

/** The position a cursor names; anything a client may have made up is a 400, never a database error. */
function decodeCursor<R>(cursor: string | undefined, sort: KeysetSort<R>): Position {
  if (cursor === undefined || cursor === '') return { kind: 'first' };
  if (cursor === CURSOR_LAST) return { kind: 'last' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw fieldError('cursor', CURSOR_INVALID);
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    (parsed[0] !== 'a' && parsed[0] !== 'b') ||
    parsed[1] !== sort.name ||
    !fitsKind(parsed[2], sort.keyKind) ||
    !fitsKind(parsed[3], sort.idKind)
  )
    throw fieldError('cursor', CURSOR_INVALID);
  return { kind: parsed[0] === 'a' ? 'after' : 'before', key: parsed[2] as KeyValue, id: parsed[3] as KeyValue };
}

function fitsKind(value: unknown, kind: KeyKind): boolean {
  return kind === 'integer' ? Number.isSafeInteger(value) : typeof value === 'string' && value.length <= 512;
}

/* ------------------------------------------------------------------------------------------------
 * Totals
 * ---------------------------------------------------------------------------------------------- */

/**
 * A page read in two steps — each row's sort key and ID first (an index alone can often answer),
 * then the rows themselves by ID — put back together: in the order found, each with the key the
 * page was cut by. A row deleted between the two reads is left out.
 */
export function inOrderFound<R extends { id: string }>(
  found: readonly { id: string; sort_key: unknown }[],
  rows: readonly R[],
): (R & { sort_key: string | number })[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return found.flatMap((row) => {
    const full = byId.get(row.id);
    return full ? [{ ...full, sort_key: row.sort_key as string | number }] : [];
  });
}

/** Up to how many matching rows a list counts exactly on each request. */
export const TOTAL_COUNT_LIMIT = 10_000;

/**
 * How many rows `matching` (a list's FROM and WHERE, no selection) holds: exact up to `limit`,
 * else "more than `limit`". Counting stops at limit + 1 rows, so a request never reads a million.
 */
export async function countUpTo<DB, TB extends keyof DB>(
  // Any Kysely instance: `matching` may alias its tables (`records as r`), which changes its DB type.
  db: QueryExecutorProvider,
  matching: SelectQueryBuilder<DB, TB, object>,
  limit = TOTAL_COUNT_LIMIT,
): Promise<Total> {
  const capped = matching.select(sql<number>`1`.as('one')).limit(limit + 1);
  // Kysely cannot type a selection from a generic subquery, so the count is written in SQL.
  const { rows } = await sql<{ count: number | string }>`select count(*) as count from (${capped}) as capped`.execute(
    db,
  );
  const n = Number(rows[0]?.count ?? 0);
  return n > limit ? { count: limit, exact: false } : { count: n, exact: true };
}

/**
 * How many rows a whole table holds, exactly, from the counter its triggers keep (migration
 * 0016): the total of an unfiltered list, in one read at any size.
 */
export async function tableRowCount(db: Kysely<Database>, table: RowCountTable['table_name']): Promise<Total> {
  const row = await db
    .selectFrom('row_counts')
    .select('row_count')
    .where('table_name', '=', table)
    .executeTakeFirstOrThrow();
  return { count: Number(row.row_count), exact: true };
}
