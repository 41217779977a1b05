import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/connection.js';
import { onePage, pageWithTotal, type PageRequest } from '../db/paging.js';
import type { AuditEventTable, LoginHistoryTable } from '../db/schema.js';
import type { AuditQuery, LoginHistoryQuery } from '../../shared/schemas/logs.js';

export type AuditEventRow = Omit<AuditEventTable, 'id'> & { id: number };
export type LoginAttemptRow = Omit<LoginHistoryTable, 'id'> & { id: number };

/**
 * Case-insensitive prefix match on an email stored as typed: lower() of the column LIKE the
 * lower-cased, escaped prefix. No range comparison: without an index on lower(email) it would gain
 * nothing, and under a PostgreSQL linguistic collation (en_US, say) a text range is not a prefix
 * test. LIKE compares characters on both databases, so the answer is exact.
 */
function emailPrefix(column: string, prefix: string): Expression<SqlBool> {
  const escaped = prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${escaped + '%'} escape '\\'`;
}

/** The query's offset datetimes as stored: ISO-8601 UTC text, which compares in time order. */
function toUtcIso(value: string): string {
  return new Date(value).toISOString();
}

function timeFilters(column: string, query: { from?: string | undefined; to?: string | undefined }) {
  const filters: Expression<SqlBool>[] = [];
  if (query.from) filters.push(sql<SqlBool>`${sql.ref(column)} >= ${toUtcIso(query.from)}`);
  if (query.to) filters.push(sql<SqlBool>`${sql.ref(column)} <= ${toUtcIso(query.to)}`);
  return filters;
}

function auditFilters(query: Omit<AuditQuery, 'page' | 'pageSize'>): Expression<SqlBool>[] {
  const filters = timeFilters('occurred_at', query);
  if (query.actor) filters.push(emailPrefix('actor_email', query.actor));
  if (query.target) filters.push(emailPrefix('target_email', query.target));
  if (query.action) filters.push(sql<SqlBool>`${sql.ref('action')} = ${query.action}`);
  return filters;
}

function loginFilters(query: Omit<LoginHistoryQuery, 'page' | 'pageSize'>): Expression<SqlBool>[] {
  const filters = timeFilters('occurred_at', query);
  if (query.email) filters.push(emailPrefix('email', query.email));
  if (query.result) filters.push(sql<SqlBool>`${sql.ref('success')} = ${query.result === 'success' ? 1 : 0}`);
  return filters;
}

/** System events, newest first, one page of them and how many match in all. */
export async function listAuditEvents(
  db: Db,
  query: Omit<AuditQuery, 'page' | 'pageSize'> & PageRequest,
): Promise<{ events: AuditEventRow[]; total: number }> {
  const filters = auditFilters(query);
  const matching = db.selectFrom('audit_events').$if(filters.length > 0, (qb) => qb.where((eb) => eb.and(filters)));
  const { rows, total } = await pageWithTotal(
    matching.selectAll().orderBy('occurred_at', 'desc').orderBy('id', 'desc').$call(onePage(query)),
    matching,
  );
  return { events: rows.map((row) => ({ ...row, id: Number(row.id) })), total };
}

/** Login history (every sign-in attempt), newest first, one page of it and how many match in all. */
export async function listLoginAttempts(
  db: Db,
  query: Omit<LoginHistoryQuery, 'page' | 'pageSize'> & PageRequest,
): Promise<{ attempts: LoginAttemptRow[]; total: number }> {
  const filters = loginFilters(query);
  const matching = db.selectFrom('login_history').$if(filters.length > 0, (qb) => qb.where((eb) => eb.and(filters)));
  const { rows, total } = await pageWithTotal(
    matching.selectAll().orderBy('occurred_at', 'desc').orderBy('id', 'desc').$call(onePage(query)),
    matching,
  );
  return { attempts: rows.map((row) => ({ ...row, id: Number(row.id) })), total };
}
