import { AUDIT_CATEGORIES, isAuditAction } from '../../../shared/audit-actions.js';
import type { AuditFilters, LoginFilters, Paging } from '../../api/logs.js';
import { localDayBoundary } from '../../format/date-time.js';

export const LOG_PAGE_SIZES = [25, 50, 100, 200] as const;
export type LogTab = 'events' | 'logins';

/** What the address holds: the tab, its filters (dates as YYYY-MM-DD) and the page's cursor. */
export interface LogParams extends Paging {
  tab: LogTab;
  actor: string;
  target: string;
  category: string;
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
  category: '',
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
    category: get('category') in AUDIT_CATEGORIES ? get('category') : '',
    action: isAuditAction(get('action')) ? get('action') : '',
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

/**
 * A picked day's first and last millisecond in the viewer's time zone, as the API's ISO UTC time:
 * "From 7 December" means the viewer's 7 December, wherever UTC's day begins.
 */
export const startOfDay = (date: string) => (date ? localDayBoundary(date, 'start') : undefined);
export const endOfDay = (date: string) => (date ? localDayBoundary(date, 'end') : undefined);

export function auditFilters(p: LogParams): AuditFilters & Paging {
  return {
    actor: p.actor,
    target: p.target,
    category: p.category,
    action: p.action,
    from: startOfDay(p.fromDate),
    to: endOfDay(p.toDate),
    cursor: p.cursor,
    pageSize: p.pageSize,
  };
}

export function loginFilters(p: LogParams): LoginFilters & Paging {
  return {
    email: p.email,
    result: p.result,
    from: startOfDay(p.fromDate),
    to: endOfDay(p.toDate),
    cursor: p.cursor,
    pageSize: p.pageSize,
  };
}

/** A failure reason code as words: `wrong_password` → "Wrong password". */
export function describeReason(reason: string | null): string {
  if (!reason) return '—';
  const words = reason.replace(/[_.]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
