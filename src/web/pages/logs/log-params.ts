import { AUDIT_ACTION_LABELS } from '../../../shared/audit-actions.js';
import type { AuditFilters, LoginFilters, Paging } from '../../api/logs.js';

export const LOG_PAGE_SIZES = [25, 50, 100, 200] as const;
export type LogTab = 'events' | 'logins';

/** The known System Events actions, with the words people read. */
export const AUDIT_ACTIONS: Record<string, string> = AUDIT_ACTION_LABELS;

/** What the address holds: the tab, its filters (dates as YYYY-MM-DD) and the page's cursor. */
export interface LogParams extends Paging {
  tab: LogTab;
  actor: string;
  target: string;
  action: string;
  email: string;
  result: '' | 'success' | 'failure';
  fromDate: string;
  toDate: string;
}

const DEFAULTS: LogParams = {
  tab: 'events',
  actor: '',
  target: '',
  action: '',
  email: '',
  result: '',
  fromDate: '',
  toDate: '',
  cursor: undefined,
  pageSize: 50,
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A tab opened afresh: its own unfiltered first page (the page size stays as chosen). */
export function openTab(tab: LogTab): Partial<LogParams> {
  const { pageSize: _keep, ...unfiltered } = DEFAULTS;
  return { ...unfiltered, tab };
}

/**
 * The tab, filters and page live in the address (?tab=&actor=&…&cursor=&pageSize=), so a view can
 * be bookmarked, survives a reload, and Back returns to it. The server checks the cursor.
 */
export function readLogParams(searchParams: URLSearchParams): LogParams {
  const get = (key: string) => searchParams.get(key) ?? '';
  const cursor = searchParams.get('cursor');
  const pageSize = Number(searchParams.get('pageSize'));
  const result = get('result');
  return {
    tab: get('tab') === 'logins' ? 'logins' : 'events',
    actor: get('actor'),
    target: get('target'),
    action: get('action') in AUDIT_ACTIONS ? get('action') : '',
    email: get('email'),
    result: result === 'success' || result === 'failure' ? result : '',
    fromDate: DATE.test(get('from')) ? get('from') : '',
    toDate: DATE.test(get('to')) ? get('to') : '',
    cursor: cursor || undefined,
    pageSize: (LOG_PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULTS.pageSize,
  };
}

export function writeLogParams(params: LogParams): URLSearchParams {
  const out = new URLSearchParams();
  const urlKey: Partial<Record<keyof LogParams, string>> = { fromDate: 'from', toDate: 'to' };
  for (const key of Object.keys(DEFAULTS) as (keyof LogParams)[]) {
    if (params[key] !== DEFAULTS[key] && params[key] !== '' && params[key] !== undefined)
      out.set(urlKey[key] ?? key, String(params[key]));
  }
  return out;
}

/** The start of a day (UTC) as the API's ISO time, or nothing. */
export const startOfDayUtc = (date: string) => (date ? `${date}T00:00:00.000Z` : undefined);
/** The end of a day (UTC) as the API's ISO time, or nothing. */
export const endOfDayUtc = (date: string) => (date ? `${date}T23:59:59.999Z` : undefined);

export function auditFilters(p: LogParams): AuditFilters & Paging {
  return {
    actor: p.actor,
    target: p.target,
    action: p.action,
    from: startOfDayUtc(p.fromDate),
    to: endOfDayUtc(p.toDate),
    cursor: p.cursor,
    pageSize: p.pageSize,
  };
}

export function loginFilters(p: LogParams): LoginFilters & Paging {
  return {
    email: p.email,
    result: p.result,
    from: startOfDayUtc(p.fromDate),
    to: endOfDayUtc(p.toDate),
    cursor: p.cursor,
    pageSize: p.pageSize,
  };
}

/** A change as one short line: "status: enabled → disabled", "email: a@x". */
export function describeDetails(details: Record<string, unknown>): string {
  const show = (value: unknown): string => {
    if (value === null || value === undefined || value === '') return '—';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return JSON.stringify(value);
  };
  // `{ changes: { field: { from, to } } }` reads as its fields.
  const { changes, ...rest } = details;
  const flat =
    changes && typeof changes === 'object' && !Array.isArray(changes)
      ? { ...(changes as Record<string, unknown>), ...rest }
      : details;
  return Object.entries(flat)
    .map(([key, value]) => {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const change = value as Record<string, unknown>;
        if ('from' in change || 'to' in change) return `${key}: ${show(change.from)} → ${show(change.to)}`;
        if ('old' in change || 'new' in change) return `${key}: ${show(change.old)} → ${show(change.new)}`;
      }
      if (Array.isArray(value) && value.length === 2) return `${key}: ${show(value[0])} → ${show(value[1])}`;
      return `${key}: ${show(value)}`;
    })
    .join('; ');
}

/** A failure reason code as words: `wrong_password` → "Wrong password". */
export function describeReason(reason: string | null): string {
  if (!reason) return '—';
  const words = reason.replace(/[_.]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
