import { sql, type Expression, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { Db } from '../db/connection.js';
import { isPostgres } from '../db/portable.js';
import { countUpTo, keysetPage, orderedPast, type KeysetRequest, type KeysetSort } from '../db/paging.js';
import { snapshotBatches } from '../db/snapshot-stream.js';
import type { AuditEventTable, Database, LoginHistoryTable } from '../db/schema.js';
import { fieldError } from '../app-error.js';
import type { Total } from '../../shared/schemas/paging.js';
import type { AuditFilter, LoginHistoryFilter } from '../../shared/schemas/logs.js';
import { auditActionsIn } from '../../shared/audit-actions.js';
import { accountIdsIn, groupIdsIn, parseDetails, type AuditNames } from '../presenters/audit-wording.js';

export type AuditEventRow = Omit<AuditEventTable, 'id'> & { id: number };
export type LoginAttemptRow = Omit<LoginHistoryTable, 'id'> & { id: number };

/*
 * Both logs are read newest first, by (occurred_at, id) descending. Every filter matches one value
 * exactly and is the first column of an index that continues (occurred_at, id) (migration 0013),
 * so a page, wherever it lies, is one range read of that index. The expressions below must stay
 * exactly those of the indexes, or the planner cannot use them.
 */

/**
 * The time as the indexes hold it: ISO-8601 UTC text, which sorts in time order; on PostgreSQL in
 * the "C" collation (byte order, as on SQLite).
 */
export function occurredAt(db: Kysely<Database>): RawBuilder<string> {
  return isPostgres(db as Kysely<unknown>) ? sql<string>`occurred_at collate "C"` : sql<string>`occurred_at`;
}

/** An email column folded as its index folds it: lower() of ASCII letters, on both databases. */
function foldedEmail(db: Kysely<Database>, column: 'actor_email' | 'target_email' | 'email'): RawBuilder<string> {
  return isPostgres(db as Kysely<unknown>)
    ? sql<string>`lower(${sql.ref(column)} collate "C")`
    : sql<string>`lower(${sql.ref(column)})`;
}

/** The value to compare with a folded column: only ASCII letters are lower-cased, as lower() does. */
function foldEmail(email: string): string {
  return email.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function emailIs(db: Kysely<Database>, column: 'actor_email' | 'target_email' | 'email', email: string) {
  return sql<SqlBool>`${foldedEmail(db, column)} = ${foldEmail(email)}`;
}

const TIME_RANGE_REVERSED = 'The end of the time range must not be before its start.';

type TimeRange = { from?: string | undefined; to?: string | undefined };

/**
 * The query's time range as stored (UTC ISO text); a range that ends before it starts is a 400.
 * Exports call it before their first byte: once streaming, an error could no longer be answered.
 */
export function utcTimeRange(query: TimeRange): { from?: string; to?: string } {
  const from = query.from ? new Date(query.from).toISOString() : undefined;
  const to = query.to ? new Date(query.to).toISOString() : undefined;
  if (from && to && from > to) throw fieldError('to', TIME_RANGE_REVERSED);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function timeFilters(db: Kysely<Database>, query: TimeRange) {
  const { from, to } = utcTimeRange(query);
  const filters: Expression<SqlBool>[] = [];
  if (from) filters.push(sql<SqlBool>`${occurredAt(db)} >= ${from}`);
  if (to) filters.push(sql<SqlBool>`${occurredAt(db)} <= ${to}`);
  return filters;
}

/*
 * The time range is a filter of the count, but of a page or an export it is the keyset's key
 * range: there it merges with the cursor's bound on the same side (see KeysetRequest.keyRange).
 * A category is `action IN (…)` for a count and an export; a page reads it action by action.
 */
type Use = 'page' | 'count' | 'export';

function auditFilters(db: Kysely<Database>, query: AuditFilter, use: Use): Expression<SqlBool>[] {
  const filters = use === 'count' ? timeFilters(db, query) : [];
  if (query.actor) filters.push(emailIs(db, 'actor_email', query.actor));
  if (query.target) filters.push(emailIs(db, 'target_email', query.target));
  if (query.action) filters.push(sql<SqlBool>`${sql.ref('action')} = ${query.action}`);
  // A category is a list of actions. Counted and exported as `action IN (…)`; a page reads each
  // action's run of the (action, time) index and merges them (see byCategory), unless one action
  // is asked for anyway.
  if (query.category && (use !== 'page' || query.action))
    filters.push(sql<SqlBool>`${sql.ref('action')} in (${sql.join(auditActionsIn(query.category))})`);
  return filters;
}

function loginFilters(db: Kysely<Database>, query: LoginHistoryFilter, use: Use): Expression<SqlBool>[] {
  const filters = use === 'count' ? timeFilters(db, query) : [];
  if (query.email) filters.push(emailIs(db, 'email', query.email));
  if (query.result) filters.push(sql<SqlBool>`${sql.ref('success')} = ${query.result === 'success' ? 1 : 0}`);
  return filters;
}

/** Newest first: (occurred_at, id) descending; one cursor format for both logs. */
function newestFirst<R extends { occurred_at: string; id: number | string }>(db: Kysely<Database>): KeysetSort<R> {
  return {
    name: 'occurredAt:desc',
    key: occurredAt(db),
    keyKind: 'text',
    keyOf: (row) => row.occurred_at,
    id: sql.ref('id'),
    idKind: 'integer',
    idOf: (row) => Number(row.id),
    order: 'desc',
  };
}

export interface LogPage<R> {
  rows: R[];
  next: string | null;
  previous: string | null;
}

/** The System Events rows matching `filter` (for a page: but for the time range), with no selection. */
export function matchingAuditEvents(db: Db, filter: AuditFilter, use: Use = 'count') {
  const filters = auditFilters(db, filter, use);
  return db.selectFrom('audit_events').$if(filters.length > 0, (qb) => qb.where((eb) => eb.and(filters)));
}

/** The Login History rows matching `filter` (for a page: but for the time range), with no selection. */
export function matchingLoginAttempts(db: Db, filter: LoginHistoryFilter, use: Use = 'count') {
  const filters = loginFilters(db, filter, use);
  return db.selectFrom('login_history').$if(filters.length > 0, (qb) => qb.where((eb) => eb.and(filters)));
}

/** One page of system events, newest first, where the cursor says. */
export async function auditEventPage(
  db: Db,
  filter: AuditFilter,
  request: KeysetRequest,
): Promise<LogPage<AuditEventRow>> {
  const page = matchingAuditEvents(db, filter, 'page').selectAll();
  const sort = newestFirst<AuditEventRow>(db);
  const read = filter.category && !filter.action ? byCategory(db, sort, auditActionsIn(filter.category)) : undefined;
  return withNumericIds(
    await keysetPage(page, read ? { ...sort, read, readsKeyRange: true } : sort, inTimeRange(filter, request)),
  );
}

/**
 * A page of a category's events: `action IN (…)` ordered by time would make either database read
 * the whole time index for a rare category, or sort every event of a common one. Instead each
 * action of the category is read from its own run of the (action, occurred_at, id) index, past
 * the cursor, at most `limit` keys each, in one statement (keys only: the index alone answers),
 * and the runs are merged; then the page's rows are read by primary key. At most actions × limit
 * index entries, wherever the page lies, with or without an actor filter (the actor's (actor,
 * action, time) index serves each run then).
 */
function byCategory(
  db: Db,
  sort: KeysetSort<AuditEventRow>,
  actions: readonly string[],
): NonNullable<KeysetSort<AuditEventRow>['read']> {
  return async (query, at, order, limit, range) => {
    const base = query as ReturnType<ReturnType<typeof matchingAuditEvents>['selectAll']>;
    // One statement: each action's run, keys only (read from the index alone), all runs together.
    const runs = actions.map(
      (action, i) =>
        sql`select * from (${orderedPast(
          base.clearSelect().select(['id', 'occurred_at']).where('action', '=', action),
          sort,
          at,
          order,
          range,
        ).limit(limit)}) as ${sql.id(`run${i}`)}`,
    );
    const { rows: keys } = await sql<{ id: number | string; occurred_at: string }>`${sql.join(
      runs,
      sql` union all `,
    )}`.execute(db);
    const sign = order === 'asc' ? 1 : -1;
    const compare = (a: { id: number | string; occurred_at: string }, b: typeof a) =>
      sign * (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : Number(a.id) - Number(b.id));
    const page = keys.sort(compare).slice(0, limit);
    if (page.length === 0) return [];
    // Then the page's rows, by primary key, in the merged order.
    const rows = await base
      .where(
        'id',
        'in',
        page.map((key) => Number(key.id)),
      )
      .execute();
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    return page.map((key) => byId.get(Number(key.id))).filter((row): row is AuditEventRow => row !== undefined);
  };
}

/**
 * The names of the accounts and security groups a page of events refers to by ID, in one query:
 * actor, target and assignee by their current name (a deleted account has none; its email as
 * recorded at the time still shows), security groups by their current name.
 */
export async function auditNamesFor(db: Db, rows: readonly AuditEventRow[]): Promise<AuditNames> {
  const accountIds = new Set<string>();
  const groupIds = new Set<string>();
  for (const row of rows) {
    if (row.actor_user_id) accountIds.add(row.actor_user_id);
    if (row.target_user_id) accountIds.add(row.target_user_id);
    const details = parseDetails(row.details);
    for (const id of accountIdsIn(row.action, details)) accountIds.add(id);
    for (const id of groupIdsIn(details)) groupIds.add(id);
  }
  const names: { accounts: Map<string, { name: string; email: string }>; groups: Map<string, string> } = {
    accounts: new Map(),
    groups: new Map(),
  };
  if (accountIds.size === 0 && groupIds.size === 0) return names;
  const none = sql`(select null as kind, null as id, null as name, null as email where 1 = 0)`;
  const accounts =
    accountIds.size > 0
      ? sql`(select 'account' as kind, id, trim(first_name || ' ' || last_name) as name, email from users where id in (${sql.join([...accountIds])}))`
      : none;
  const groups =
    groupIds.size > 0
      ? sql`(select 'group' as kind, id, name, null as email from security_groups where id in (${sql.join([...groupIds])}))`
      : none;
  const { rows: found } = await sql<{ kind: string; id: string; name: string; email: string | null }>`
    select * from ${accounts} as a union all select * from ${groups} as g`.execute(db);
  for (const row of found) {
    if (row.kind === 'account') names.accounts.set(row.id, { name: row.name, email: row.email ?? '' });
    else if (row.kind === 'group') names.groups.set(row.id, row.name);
  }
  return names;
}

/** One page of login history (every sign-in attempt), newest first, where the cursor says. */
export async function loginAttemptPage(
  db: Db,
  filter: LoginHistoryFilter,
  request: KeysetRequest,
): Promise<LogPage<LoginAttemptRow>> {
  const page = matchingLoginAttempts(db, filter, 'page').selectAll();
  return withNumericIds(await keysetPage(page, newestFirst(db), inTimeRange(filter, request)));
}

/** A page request limited to the filter's time range (checked: a reversed range is a 400). */
function inTimeRange(filter: TimeRange, request: KeysetRequest): KeysetRequest {
  const { from, to } = utcTimeRange(filter);
  return { cursor: request.cursor, pageSize: request.pageSize, keyRange: { min: from, max: to } };
}

/** A page of system events and how many match (exact up to 10,000). */
export async function listAuditEvents(
  db: Db,
  query: AuditFilter & KeysetRequest,
): Promise<LogPage<AuditEventRow> & { total: Total }> {
  const matching = matchingAuditEvents(db, query);
  const [page, total] = await Promise.all([auditEventPage(db, query, query), countUpTo(db, matching)]);
  return { ...page, total };
}

/** A page of login history and how many attempts match (exact up to 10,000). */
export async function listLoginAttempts(
  db: Db,
  query: LoginHistoryFilter & KeysetRequest,
): Promise<LogPage<LoginAttemptRow> & { total: Total }> {
  const matching = matchingLoginAttempts(db, query);
  const [page, total] = await Promise.all([loginAttemptPage(db, query, query), countUpTo(db, matching)]);
  return { ...page, total };
}

/** PostgreSQL may answer a serial column as text; the API's IDs are numbers. */
function withNumericIds<R extends { id: number | string }>(page: LogPage<R>): LogPage<Omit<R, 'id'> & { id: number }> {
  return { ...page, rows: page.rows.map((row) => ({ ...row, id: Number(row.id) })) };
}

/**
 * Every system event `filter` selects, newest first, batch by batch, as the log was at one instant
 * (one snapshot: entries written or deleted by retention meanwhile neither repeat nor go missing).
 * Call utcTimeRange first: once streaming, a bad range could no longer be answered with a 400.
 */
export function exportAuditEventBatches(db: Db, filter: AuditFilter): AsyncGenerator<AuditEventRow[]> {
  const { from, to } = utcTimeRange(filter);
  return numericIds(
    snapshotBatches(db, {
      query: (reader) => matchingAuditEvents(reader, filter, 'export').selectAll(),
      sort: (reader) => newestFirst<Selectable<AuditEventTable>>(reader),
      keyRange: { min: from, max: to },
    }),
  );
}

/** Every login attempt `filter` selects, newest first, from one snapshot (see exportAuditEventBatches). */
export function exportLoginAttemptBatches(db: Db, filter: LoginHistoryFilter): AsyncGenerator<LoginAttemptRow[]> {
  const { from, to } = utcTimeRange(filter);
  return numericIds(
    snapshotBatches(db, {
      query: (reader) => matchingLoginAttempts(reader, filter, 'page').selectAll(),
      sort: (reader) => newestFirst<Selectable<LoginHistoryTable>>(reader),
      keyRange: { min: from, max: to },
    }),
  );
}

async function* numericIds<R extends { id: number | string }>(
  batches: AsyncGenerator<R[]>,
): AsyncGenerator<Array<Omit<R, 'id'> & { id: number }>> {
  for await (const batch of batches) yield batch.map((row) => ({ ...row, id: Number(row.id) }));
}
