/** Lists at scale and the CSV export: one client, one request at a time. */
import { performance } from 'node:perf_hooks';
import { SYSTEM_GROUP_IDS } from '../src/shared/permissions.js';
import { USER_SORT_COLUMNS } from '../src/shared/schemas/users.js';
import { type Figure, type Target, formatNumber, judge } from './lib/figures.js';
import { EXPORT_TIMEOUT_MS, LIST_BUDGET_MS, SAMPLES } from './lib/options.js';
import { type Server, rssMegabytes } from './lib/processes.js';

/** p-th percentile by nearest rank. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Answer {
  status: number;
  ms: number;
  body: unknown;
}

export async function timedGet(url: string, cookie: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie, 'x-latchkey-csrf': '1' } });
  const text = await response.text();
  const ms = performance.now() - started;
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: only the status matters then
  }
  return { status: response.status, ms, body };
}

/** The paging answer's cursors (the paging contract: `next`, `previous`). */
export const cursorsOf = (body: unknown) => (body ?? {}) as { next?: string | null; previous?: string | null };

export async function benchLists(target: Target, server: Server, cookie: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  const base = `${server.url}/api/v1`;
  const get = (path: string) => timedGet(`${base}${path}`, cookie);

  /**
   * p50 and p99 of GET path over SAMPLES requests (fewer if they take more than LIST_BUDGET_MS in
   * all: a figure far off its target needs no fifty samples to say so). n/a when the server does
   * not serve it (404, or 400 for a parameter it does not know yet).
   */
  async function sample(name: string, path: string | null, p50Target: number, p99Target?: number): Promise<void> {
    const row = (suffix: string, value: number, bound: number | undefined, note?: string): Figure =>
      judge({
        database: target.database,
        name: `${name} ${suffix}`,
        value,
        unit: 'ms',
        ...(bound === undefined ? {} : { target: { kind: 'at-most' as const, value: bound } }),
        ...(note ? { note } : {}),
      });
    const notServed = (why: string) => {
      figures.push(row('p50', NaN, p50Target, why), row('p99', NaN, p99Target, why));
    };
    if (path === null) return notServed('no cursor to start from');
    const first = await get(path);
    if (first.status !== 200) return notServed(`HTTP ${first.status}`);
    const times: number[] = [];
    const started = performance.now();
    while (times.length < SAMPLES && (times.length < 5 || performance.now() - started < LIST_BUDGET_MS)) {
      const answer = await get(path);
      if (answer.status !== 200) return notServed(`HTTP ${answer.status} on a repeat`);
      times.push(answer.ms);
    }
    times.sort((a, b) => a - b);
    const note = times.length < SAMPLES ? `only ${times.length} requests in ${LIST_BUDGET_MS / 1000} s` : undefined;
    figures.push(
      row('p50', percentile(times, 50), p50Target, note),
      row('p99', percentile(times, 99), p99Target, note),
    );
    process.stderr.write(`    ${target.database}: ${name}: p50 ${percentile(times, 50).toFixed(1)} ms\n`);
  }

  /** First, next, deep (the page before the last) and last page of a list, in its default order. */
  async function pages(label: string, path: string, p50Target = 5, p99Target: number | undefined = 15): Promise<void> {
    const join = path.includes('?') ? '&' : '?';
    const first = await get(path);
    const last = await get(`${path}${join}cursor=last`);
    const next = first.status === 200 ? cursorsOf(first.body).next : null;
    const deep = last.status === 200 ? cursorsOf(last.body).previous : null;
    await sample(`${label}: first page`, path, p50Target, p99Target);
    await sample(`${label}: next page`, next ? `${path}${join}cursor=${next}` : null, p50Target, p99Target);
    await sample(
      `${label}: deep page (before the last)`,
      deep ? `${path}${join}cursor=${deep}` : null,
      p50Target,
      p99Target,
    );
    await sample(`${label}: last page`, `${path}${join}cursor=last`, p50Target, p99Target);
  }

  // Users: paging, every sort both ways, every filter, search.
  await pages('users', '/users?pageSize=25');
  for (const sort of USER_SORT_COLUMNS)
    for (const order of ['asc', 'desc'])
      await sample(`users sorted by ${sort} ${order}`, `/users?sort=${sort}&order=${order}`, 5, 15);
  for (const [filter, query] of [
    ['group Read Only User', `securityGroupId=${SYSTEM_GROUP_IDS.readOnlyUser}`],
    ['status disabled', 'accountStatus=disabled'],
    ['user type SSO', 'userType=sso'],
    ['MFA pending', 'mfa=pending'],
    ['must change password', 'mustChangePassword=yes'],
  ])
    await sample(`users filtered by ${filter}`, `/users?${query}`, 5, 15);
  await sample('setup status (public: anyone may ask)', '/setup', 5, 15);
  await sample('users prefix search "lo"', '/users?search=lo', 5, 15);
  await sample('users substring search "opp"', '/users?search=opp', 25);
  await sample('users substring search "ström"', `/users?search=${encodeURIComponent('ström')}`, 25);
  await sample('users prefix search "ho" by Last Name', '/users?search=ho&sort=lastName', 5, 15);
  await sample('users prefix search "ho" by Last Name, last page', '/users?search=ho&sort=lastName&cursor=last', 5, 15);
  for (const many of ['son', 'ann', 'ing'])
    await sample(`users substring search "${many}" (many matches)`, `/users?search=${many}`, 25);
  await sample('users substring search "son" by Last Name', '/users?search=son&sort=lastName', 25);
  await sample(
    'users substring search "son" by Last Login, newest',
    '/users?search=son&sort=lastLoginAt&order=desc',
    25,
  );

  // Records and tasks: the same rules.
  await pages('records', '/records?pageSize=25');
  for (const sort of ['name', 'type', 'owner', 'createdAt', 'updatedAt'])
    for (const order of ['asc', 'desc'])
      await sample(`records sorted by ${sort} ${order}`, `/records?sort=${sort}&order=${order}`, 5, 15);
  const recordTypes = (await get('/record-types')).body as { types?: { id: string }[] } | null;
  const typeId = recordTypes?.types?.[0]?.id;
  await sample('records filtered by type', typeId ? `/records?typeId=${typeId}` : null, 5, 15);
  await sample('records name search "pc"', '/records?search=pc', 5, 15);
  await pages('tasks', '/tasks?pageSize=25');
  for (const sort of ['title', 'status', 'dueDate', 'assignee', 'createdAt', 'updatedAt'])
    for (const order of ['asc', 'desc'])
      await sample(`tasks sorted by ${sort} ${order}`, `/tasks?sort=${sort}&order=${order}`, 5, 15);
  await sample('tasks filtered by status failed', '/tasks?status=failed', 5, 15);
  await pages('tasks status failed sorted by title', '/tasks?pageSize=25&status=failed&sort=title&order=asc');
  await sample('tasks assigned to me', '/tasks?assigneeId=me', 5, 15);
  await sample('tasks title search "patch" (common word)', '/tasks?search=patch', 25);
  await sample('tasks title search "patch" sorted by title', '/tasks?search=patch&sort=title&order=asc', 25);
  await sample('tasks title search "#12" (~11,000 hits)', `/tasks?search=${encodeURIComponent('#12')}`, 25);
  await sample('tasks title search "#123" (~1,100 hits)', `/tasks?search=${encodeURIComponent('#123')}`, 25);

  // Logs: newest first, by account, by action or result, by a day's range.
  const someone = await get('/logs/logins?pageSize=1&result=success');
  const email = (someone.body as { attempts?: { email: string }[] } | null)?.attempts?.[0]?.email ?? '';
  const day = {
    from: new Date(Date.now() - 40 * 86_400_000).toISOString(),
    to: new Date(Date.now() - 39 * 86_400_000).toISOString(),
  };
  const range = `from=${encodeURIComponent(day.from)}&to=${encodeURIComponent(day.to)}`;
  await pages('system events', '/logs/audit', 10, undefined);
  await sample('system events by account', `/logs/audit?target=${encodeURIComponent(email)}`, 10);
  await sample('system events by action', '/logs/audit?action=user.security_updated', 10);
  // A common category (most of the log) and a rare one (a single event): each action's run read apart.
  await sample('system events by category (common)', '/logs/audit?category=security', 10);
  await sample('system events by category (rare)', '/logs/audit?category=identity-providers', 10);
  await sample(
    'system events by account and category',
    `/logs/audit?actor=${encodeURIComponent(email)}&category=accounts`,
    10,
  );
  await sample('system events in one day', `/logs/audit?${range}`, 10);
  await pages('login history', '/logs/logins', 10, undefined);
  await sample('login history by account', `/logs/logins?email=${encodeURIComponent(email)}`, 10);
  await sample('login history failures', '/logs/logins?result=failure', 10);
  await sample('login history in one day', `/logs/logins?${range}`, 10);

  figures.push(...(await benchExport(target, server, cookie)));
  return figures;
}

/** The CSV export of every account: time to the first byte, to the last, and the server's peak RSS. */
export async function benchExport(target: Target, server: Server, cookie: string): Promise<Figure[]> {
  const database = target.database;
  const baseline = rssMegabytes(server.pid);
  let peak = baseline;
  const watch = setInterval(() => (peak = Math.max(peak, rssMegabytes(server.pid))), 100);
  const started = performance.now();
  let firstByteMs = NaN;
  let rows = 0;
  let note: string | undefined;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), EXPORT_TIMEOUT_MS);
  try {
    const response = await fetch(`${server.url}/api/v1/users/export.csv`, {
      headers: { cookie },
      signal: abort.signal,
    });
    if (response.status !== 200 || !response.body) note = `HTTP ${response.status}`;
    else {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - started;
        for (const byte of value) if (byte === 10) rows++;
      }
    }
  } catch (error) {
    note = abort.signal.aborted ? `stopped after ${EXPORT_TIMEOUT_MS / 1000} s` : String(error);
  } finally {
    clearTimeout(timer);
    clearInterval(watch);
  }
  const wholeMs = note ? NaN : performance.now() - started;
  const complete = note ?? `${Math.max(0, rows - 1).toLocaleString('en-US')} accounts`;
  return [
    judge({
      database,
      name: 'CSV export: first byte',
      value: firstByteMs,
      unit: 'ms',
      target: { kind: 'at-most', value: 1000 },
      note: complete,
    }),
    judge({
      database,
      name: 'CSV export: whole file',
      value: wholeMs / 1000,
      unit: 's',
      target: { kind: 'at-most', value: 60 },
      note: complete,
    }),
    judge({
      database,
      name: 'CSV export: server peak RSS',
      value: peak,
      unit: 'MB',
      target: { kind: 'at-most', value: 250 },
      note: `${formatNumber(baseline)} MB before`,
    }),
  ];
}
