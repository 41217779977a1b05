import { sql, type Expression, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { Db } from '../db/connection.js';
import { isPostgres } from '../db/portable.js';
import { countUpTo, keysetPage, type KeysetRequest, type KeysetSort } from '../db/paging.js';
import { snapshotBatches } from '../db/snapshot-stream.js';
import type { AuditEventTable, Database, LoginHistoryTable } from '../db/schema.js';
import { fieldError } from '../app-error.js';
import type { Total } from '../../shared/schemas/paging.js';
import type { AuditFilter, LoginHistoryFilter } from '../../shared/schemas/logs.js';

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
 * The time range is a filter of the count, but of a page it is the keyset's key range: there it
 * merges with the cursor's bound on the same side (see KeysetRequest.keyRange).
 */
type Use = 'page' | 'count';

function auditFilters(db: Kysely<Database>, query: AuditFilter, use: Use): Expression<SqlBool>[] {
  const filters = use === 'count' ? timeFilters(db, query) : [];
  if (query.actor) filters.push(emailIs(db, 'actor_email', query.actor));
  if (query.target) filters.push(emailIs(db, 'target_email', query.target));
  if (query.action) filters.push(sql<SqlBool>`${sql.ref('action')} = ${query.action}`);
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
  return withNumericIds(await keysetPage(page, newestFirst(db), inTimeRange(filter, request)));
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
      query: (reader) => matchingAuditEvents(reader, filter, 'page').selectAll(),
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
