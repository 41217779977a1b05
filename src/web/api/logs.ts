import type { AuditEvent, LoginAttempt } from '../../shared/schemas/logs.js';
import type { PageInfo } from '../../shared/schemas/paging.js';
import { request, requestFile } from './client.js';
import type { ExportFormat } from '../../shared/exports.js';

/** The System Events filters as the page holds them (dates are ISO UTC, converted from the viewer's days). */
export interface AuditFilters {
  actor: string;
  target: string;
  action: string;
  /** A category of actions (src/shared/audit-actions.ts), or '' for any. */
  category?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}
export interface LoginFilters {
  email: string;
  result: '' | 'success' | 'failure';
  from?: string | undefined;
  to?: string | undefined;
}
/** Which page: absent cursor the newest, "last" the oldest, else a cursor an answer gave. */
export interface Paging {
  cursor?: string | undefined;
  pageSize: number;
}

export interface AuditPage extends PageInfo {
  events: AuditEvent[];
}
export interface LoginHistoryPage extends PageInfo {
  attempts: LoginAttempt[];
}

const auditQuery = (f: AuditFilters) => ({
  actor: f.actor.trim(),
  target: f.target.trim(),
  action: f.action,
  category: f.category || undefined,
  from: f.from,
  to: f.to,
});
const loginQuery = (f: LoginFilters) => ({ email: f.email.trim(), result: f.result, from: f.from, to: f.to });

export function listAuditEvents(filters: AuditFilters & Paging, signal?: AbortSignal): Promise<AuditPage> {
  return request<AuditPage>('/api/v1/logs/audit', {
    query: { ...auditQuery(filters), cursor: filters.cursor, pageSize: filters.pageSize },
    signal,
  });
}

export function listLoginAttempts(filters: LoginFilters & Paging, signal?: AbortSignal): Promise<LoginHistoryPage> {
  return request<LoginHistoryPage>('/api/v1/logs/logins', {
    query: { ...loginQuery(filters), cursor: filters.cursor, pageSize: filters.pageSize },
    signal,
  });
}

/** The export (CSV or Excel) with the same filters (every page, not only the one shown). */
export function exportAuditEvents(
  filters: AuditFilters,
  format: ExportFormat,
): Promise<{ blob: Blob; filename: string }> {
  return requestFile(`/api/v1/logs/audit/export.${format}`, { query: auditQuery(filters) });
}

export function exportLoginAttempts(
  filters: LoginFilters,
  format: ExportFormat,
): Promise<{ blob: Blob; filename: string }> {
  return requestFile(`/api/v1/logs/logins/export.${format}`, { query: loginQuery(filters) });
}
