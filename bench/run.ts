/**
 * `npm run bench [-- --postgres <url>] [--json <file>]`: Latchkey's speed, measured against a bare
 * Fastify server started in the same run, so every figure comes with its yardstick and a ratio.
 *
 * Every server is a real process (the built dist/server/main.js, as in production, with its default
 * logging) pinned to core 0; the load generator (autocannon, bench/load.mjs) is pinned to core 1,
 * so neither steals the other's CPU. The machine's noise moves both sides of a ratio alike; the
 * absolute numbers are printed too, but the ratios are what the targets are set on.
 *
 * For each database (SQLite always; PostgreSQL with --postgres or LATCHKEY_BENCH_DATABASE_URL, in a
 * database of its own, created and dropped here):
 *   - start-up to the first answered request on an existing database, and idle RSS;
 *   - GET /api/health, GET /api/v1/me by API token and by session cookie, 50 connections each;
 *   - a sign-in storm: 20 connections signing in (20 accounts) for 10 s while 5 connections call
 *     GET /api/v1/me by token, next to what argon2id alone does on the same core;
 *   - at 1,000,000 accounts, 1,000,000 records, 1,000,000 tasks and 10,000,000 log entries (seeded
 *     with `latchkey seed`, whose times are figures too): the users, records, tasks and logs lists
 *     (first, next, deep and last page, every sort both ways, every filter, search) and the CSV
 *     export of every account, one client, p50 and p99 over 50 requests each.
 * Scales: --accounts, --records, --tasks, --events (e.g. --accounts 100000 --records 100000
 * --tasks 100000 --events 1000000 for a quick run); --samples (per list figure, default 50);
 * --no-auth leaves out the authentication figures. A list figure whose endpoint or parameter the
 * server does not have (yet) prints n/a.
 * Everything it creates is removed at the end, also on failure or Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../src/server/config.js';
import { openDatabase, type Db } from '../src/server/db/connection.js';
import { SEED_PASSWORD } from '../src/server/services/seed/index.js';
import { SYSTEM_GROUP_IDS } from '../src/shared/permissions.js';
import { USER_SORT_COLUMNS } from '../src/shared/schemas/users.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
function countOption(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number (got "${raw}").`);
  return Number(raw);
}

/** The data set of the list figures: a million accounts, records and tasks and ten million log entries by default. */
const SCALE = {
  accounts: countOption('--accounts', 1_000_000),
  records: countOption('--records', 1_000_000),
  tasks: countOption('--tasks', 1_000_000),
  events: countOption('--events', 10_000_000),
};
/** Requests per list figure (fewer when a figure is too slow to take that many in LIST_BUDGET_MS). */
const SAMPLES = countOption('--samples', 50);
const LIST_BUDGET_MS = 30_000;
const EXPORT_TIMEOUT_MS = 300_000;
const WITH_AUTH = !process.argv.includes('--no-auth');
const MEASURE_S = 5;
const WARM_UP_S = 1;
/** Alternating rounds per ratio (see compare()), each this long. */
const ROUNDS = 5;
const ROUND_S = 2;
const STORM_S = 10;
const STORM_SIGN_INS = 20;
const STORM_TOKEN_CONNECTIONS = 5;
const AUTH_CONNECTIONS = 50;
const SERVER_CORE = '0';
const LOAD_CORE = '1';
// Every seeded native account's password (`latchkey seed`); these databases are deleted at the end.
const PASSWORD = SEED_PASSWORD;
const SECRET_KEY = randomBytes(32).toString('hex');

// ---------------------------------------------------------------------------------------------
// Seeding: the CLI itself, as a person would run it

interface Seeded {
  /** Seconds per part, as the CLI printed them. */
  seconds: Partial<Record<'accounts' | 'records' | 'tasks' | 'events', number>>;
  /** An enabled native Administrator without MFA. */
  adminEmail: string;
}

async function seedWithCli(env: NodeJS.ProcessEnv): Promise<Seeded> {
  const args = ['bin/latchkey.js', 'seed'];
  for (const [part, n] of Object.entries(SCALE)) args.push(`--${part}`, String(n));
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    process.stderr.write(chunk.replace(/^/gm, '    '));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`latchkey seed failed:\n${output}`);
  const seconds: Seeded['seconds'] = {};
  for (const [, part, value] of output.matchAll(/^\s+(accounts|records|tasks|events): [\d,]+ in ([\d.]+) s/gm))
    seconds[part as keyof Seeded['seconds']] = Number(value);
  const adminEmail = /Sign in as (\S+)/.exec(output)?.[1];
  if (!adminEmail) throw new Error(`latchkey seed printed no account to sign in with:\n${output}`);
  return { seconds, adminEmail };
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Children still running, stopped on exit whatever happens. */
const children = new Set<ChildProcess>();

function pinned(core: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn('taskset', ['-c', core, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function collect(child: ChildProcess): Promise<string> {
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${child.spawnargs.join(' ')}: ${err}`)),
    ),
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resident memory of a process, from /proc (Linux). */
function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Server {
  url: string;
  pid: number;
  /** From spawn to the first 200 from GET /api/health (polled every 2 ms). */
  startupMs: number;
  stop(): Promise<void>;
}

async function startPinned(args: string[], env: NodeJS.ProcessEnv, healthPath: string, port: number): Promise<Server> {
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = pinned(SERVER_CORE, args, env);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4000)));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4000)));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited:\n${output}`);
    if (performance.now() - started > 30_000) throw new Error(`${args.join(' ')} did not answer in 30 s:\n${output}`);
    try {
      if ((await fetch(url + healthPath)).status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(2);
  }
  return { url, pid: child.pid!, startupMs: performance.now() - started, stop: () => stopChild(child) };
}

async function startLatchkey(env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  return startPinned(
    [process.execPath, 'dist/server/main.js'],
    { ...env, HOST: '127.0.0.1', PORT: String(port) },
    '/api/health',
    port,
  );
}

async function startBareFastify(): Promise<Server> {
  const port = await freePort();
  return startPinned([process.execPath, 'bench/bare-fastify.mjs', String(port)], process.env, '/', port);
}

interface LoadResult {
  requestsPerSecond: number;
  total: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

interface Load {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  bodies?: string[];
}

/** Runs steps (each: loads at the same time) one after the other, in a load generator on its own core. */
async function runSteps(steps: Load[][]): Promise<LoadResult[][]> {
  const output = await collect(pinned(LOAD_CORE, [process.execPath, 'bench/load.mjs', JSON.stringify(steps)]));
  const results = JSON.parse(output) as LoadResult[][];
  results.forEach((step, i) =>
    step.forEach((result, j) => {
      if (result.errors > 0 || result.non2xx > 0)
        throw new Error(`${steps[i]![j]!.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    }),
  );
  return results;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

interface Comparison {
  /** Medians over the rounds. */
  requestsPerSecond: number;
  p99: number;
  baselineRequestsPerSecond: number;
  /** Median of the rounds' ratios: each round measures both sides within seconds of each other. */
  ratio: number;
}

/**
 * A load and its yardstick, measured in alternating rounds (yardstick, load, yardstick, load, …)
 * after a warm-up of each: this machine's speed drifts by tens of percent within a minute, and a
 * ratio of two runs taken far apart would measure the drift.
 */
async function compare(load: Omit<Load, 'duration'>, baseline: Omit<Load, 'duration'>): Promise<Comparison> {
  const steps: Load[][] = [[{ ...baseline, duration: WARM_UP_S }], [{ ...load, duration: WARM_UP_S }]];
  for (let round = 0; round < ROUNDS; round++)
    steps.push([{ ...baseline, duration: ROUND_S }], [{ ...load, duration: ROUND_S }]);
  const results = (await runSteps(steps)).slice(2).map((step) => step[0]!);
  const baselines = results.filter((_, i) => i % 2 === 0);
  const measured = results.filter((_, i) => i % 2 === 1);
  return {
    requestsPerSecond: median(measured.map((r) => r.requestsPerSecond)),
    p99: median(measured.map((r) => r.p99)),
    baselineRequestsPerSecond: median(baselines.map((r) => r.requestsPerSecond)),
    ratio: median(measured.map((r, i) => r.requestsPerSecond / baselines[i]!.requestsPerSecond)),
  };
}

// ---------------------------------------------------------------------------------------------
// Credentials

async function signIn(baseUrl: string, email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-latchkey-csrf': '1' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((c) => c.includes('latchkey_session='));
  if (!cookie) throw new Error('sign-in set no session cookie');
  return cookie.split(';')[0]!;
}

/** Generates the Administrator's API token through the API, as the Password & Security tab does. */
async function generateToken(baseUrl: string, cookie: string): Promise<string> {
  const headers = { cookie, 'x-latchkey-csrf': '1' };
  const me = (await (await fetch(`${baseUrl}/api/v1/me`, { headers })).json()) as { user: { id: string } };
  const response = await fetch(`${baseUrl}/api/v1/users/${me.user.id}/api-token`, { method: 'POST', headers });
  if (response.status !== 201) throw new Error(`token generation failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

// ---------------------------------------------------------------------------------------------
// Figures

interface Figure {
  database: 'SQLite' | 'PostgreSQL';
  name: string;
  value: number;
  unit: string;
  /** The yardstick measured in the same run, if the target is a ratio. */
  baseline?: { name: string; value: number };
  ratio?: number;
  /** The target: a ratio (≥), or an absolute bound on value (≤ or ≥). */
  target?: { kind: 'ratio-at-least' | 'at-most' | 'at-least'; value: number };
  met?: boolean;
  note?: string;
}

function judge(figure: Figure): Figure {
  // n/a (not served, or stopped): nothing to judge.
  if (!figure.target || Number.isNaN(figure.value)) return figure;
  if (figure.baseline) figure.ratio ??= figure.value / figure.baseline.value;
  const { kind, value } = figure.target;
  figure.met =
    kind === 'ratio-at-least'
      ? (figure.ratio ?? 0) >= value
      : kind === 'at-most'
        ? figure.value <= value
        : figure.value >= value;
  return figure;
}

function targetText(figure: Figure): string {
  if (!figure.target) return '';
  const { kind, value } = figure.target;
  if (kind === 'ratio-at-least') return `≥ ${value.toFixed(2)}×`;
  return `${kind === 'at-most' ? '≤' : '≥'} ${value} ${figure.unit}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2);
}

/** A plain-text table: the first two columns (names) left-aligned, the rest right-aligned. */
function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row, index) => {
      const line = row.map((cell, column) =>
        column < 2 || column === row.length - 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      );
      return index === 0 ? `${line.join('  ')}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line.join('  ');
    })
    .join('\n');
}

function printFigures(figures: Figure[]): void {
  const rows = [['Database', 'Figure', 'Value', 'Baseline (same run)', 'Ratio', 'Target', 'Met', 'Note']];
  for (const f of figures) {
    rows.push([
      f.database,
      f.name,
      Number.isNaN(f.value) ? 'n/a' : `${formatNumber(f.value)} ${f.unit}`,
      f.baseline ? `${formatNumber(f.baseline.value)} ${f.unit} ${f.baseline.name}` : '',
      f.ratio === undefined ? '' : `${f.ratio.toFixed(3)}×`,
      targetText(f),
      f.met === undefined ? '' : f.met ? 'yes' : 'NO',
      f.note ?? '',
    ]);
  }
  console.log(formatTable(rows));
}

// ---------------------------------------------------------------------------------------------
// One database

interface Target {
  database: Figure['database'];
  /** Environment that points Latchkey at this database. */
  env: NodeJS.ProcessEnv;
  /** Opens the same database from this process, for seeding. */
  open(): Db;
  /** Ratio targets differ per database. */
  authRatio: number;
}

async function benchDatabase(target: Target, bareUrl: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  const add = (figure: Figure) => figures.push(judge(figure));
  const seeded = await seedWithCli(target.env);
  // The targets are for a million accounts and ten million events; a smaller run scales them.
  add({
    database: target.database,
    name: `seed: ${SCALE.accounts.toLocaleString('en-US')} accounts`,
    value: seeded.seconds.accounts ?? NaN,
    unit: 's',
    target: { kind: 'at-most', value: (60 * SCALE.accounts) / 1_000_000 },
  });
  for (const part of ['records', 'tasks'] as const)
    add({
      database: target.database,
      name: `seed: ${SCALE[part].toLocaleString('en-US')} ${part}`,
      value: seeded.seconds[part] ?? NaN,
      unit: 's',
    });
  add({
    database: target.database,
    name: `seed: ${SCALE.events.toLocaleString('en-US')} log entries`,
    value: seeded.seconds.events ?? NaN,
    unit: 's',
    target: { kind: 'at-most', value: (300 * SCALE.events) / 10_000_000 },
  });
  // Accounts the storm may sign in as: enabled, native, no MFA (a second factor would stop them).
  const db = target.open();
  let stormEmails: string[];
  try {
    stormEmails = (
      await db
        .selectFrom('users as u')
        .select('u.email')
        .where('u.status', '=', 'enabled')
        .where('u.user_type', '=', 'native')
        .where('u.mfa_enrolled', '=', 0)
        .where((eb) =>
          eb.not(eb.exists(eb.selectFrom('mfa_factors as f').select('f.id').whereRef('f.user_id', '=', 'u.id'))),
        )
        .where('u.email', '!=', seeded.adminEmail)
        .limit(STORM_SIGN_INS)
        .execute()
    ).map((u) => u.email);
  } finally {
    await db.destroy();
  }

  const server = await startLatchkey(target.env);
  try {
    add({
      database: target.database,
      name: 'start-up to first answer (existing database)',
      value: server.startupMs,
      unit: 'ms',
      target: { kind: 'at-most', value: 1000 },
    });
    const cookie = await signIn(server.url, seeded.adminEmail);
    if (WITH_AUTH) await benchAuthentication(target, server, cookie, bareUrl, stormEmails, add);
    figures.push(...(await benchLists(target, server, cookie)));
    add({ database: target.database, name: 'RSS after the runs', value: rssMegabytes(server.pid), unit: 'MB' });
  } finally {
    await server.stop();
  }
  return figures;
}

/** The authentication figures: start-up memory, authentication against bare Fastify, the sign-in storm. */
async function benchAuthentication(
  target: Target,
  server: Server,
  cookie: string,
  bareUrl: string,
  stormEmails: string[],
  add: (figure: Figure) => void,
): Promise<void> {
  const token = await generateToken(server.url, cookie);
  await sleep(2_000);
  add({
    database: target.database,
    name: 'idle RSS after start-up',
    value: rssMegabytes(server.pid),
    unit: 'MB',
    target: { kind: 'at-most', value: 120 },
  });

  const bare = { url: `${bareUrl}/`, connections: AUTH_CONNECTIONS };
  const ratioFigure = (name: string, result: Comparison, ratioTarget: number): Figure => ({
    database: target.database,
    name,
    value: result.requestsPerSecond,
    unit: 'req/s',
    baseline: { name: 'bare Fastify', value: result.baselineRequestsPerSecond },
    ratio: result.ratio,
    target: { kind: 'ratio-at-least', value: ratioTarget },
  });
  const health = await compare({ url: `${server.url}/api/health`, connections: AUTH_CONNECTIONS }, bare);
  add(ratioFigure(`GET /api/health, ${AUTH_CONNECTIONS} conn.`, health, 0.85));
  for (const via of ['API token', 'session cookie'] as const) {
    const headers: Record<string, string> = via === 'API token' ? { authorization: `Bearer ${token}` } : { cookie };
    const me = await compare({ url: `${server.url}/api/v1/me`, connections: AUTH_CONNECTIONS, headers }, bare);
    add(ratioFigure(`GET /api/v1/me by ${via}, ${AUTH_CONNECTIONS} conn.`, me, target.authRatio));
    add({
      database: target.database,
      name: `  p99 of the same`,
      value: me.p99,
      unit: 'ms',
      target: { kind: 'at-most', value: 5 },
    });
  }

  // The storm: 20 people signing in at once (20 seeded accounts), a script calling by token.
  const bodies = stormEmails.map((email) => JSON.stringify({ email, password: PASSWORD }));
  const [storm] = await runSteps([
    [
      {
        url: `${server.url}/api/v1/session`,
        method: 'POST',
        connections: STORM_SIGN_INS,
        duration: STORM_S,
        headers: { 'content-type': 'application/json', 'x-latchkey-csrf': '1' },
        bodies,
      },
      {
        url: `${server.url}/api/v1/me`,
        connections: STORM_TOKEN_CONNECTIONS,
        duration: STORM_S,
        headers: { authorization: `Bearer ${token}` },
      },
    ],
  ]);
  const [signIns, tokenCalls] = storm!;
  const argon2 = JSON.parse(
    await collect(
      pinned(SERVER_CORE, [process.execPath, '--import', 'tsx', 'bench/argon2-alone.ts', '5', String(STORM_SIGN_INS)]),
    ),
  ) as { verifiesPerSecond: number };
  add({
    database: target.database,
    name: `storm: sign-ins/s (${STORM_SIGN_INS} at once, ${STORM_S} s)`,
    value: signIns!.requestsPerSecond,
    unit: '/s',
    baseline: { name: 'argon2id alone, same core', value: argon2.verifiesPerSecond },
    target: { kind: 'ratio-at-least', value: 0.9 },
  });
  add({
    database: target.database,
    name: `storm: token GET /api/v1/me p99 (${STORM_TOKEN_CONNECTIONS} conn.)`,
    value: tokenCalls!.p99,
    unit: 'ms',
    target: { kind: 'at-most', value: 20 },
    note: `${formatNumber(tokenCalls!.requestsPerSecond)} req/s`,
  });
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Lists at scale: one client, one request at a time

/** p-th percentile by nearest rank. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Answer {
  status: number;
  ms: number;
  body: unknown;
}

async function timedGet(url: string, cookie: string): Promise<Answer> {
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
const cursorsOf = (body: unknown) => (body ?? {}) as { next?: string | null; previous?: string | null };

async function benchLists(target: Target, server: Server, cookie: string): Promise<Figure[]> {
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
  ])
    await sample(`users filtered by ${filter}`, `/users?${query}`, 5, 15);
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
async function benchExport(target: Target, server: Server, cookie: string): Promise<Figure[]> {
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

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  if (spawnSync('taskset', ['-c', LOAD_CORE, 'true']).status !== 0)
    throw new Error('The bench pins processes with taskset to cores 0 and 1: it needs util-linux and 2 cores.');
  if (!existsSync('dist/server/main.js')) throw new Error('Run `npm run build` first (npm run bench does).');

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));
  const postgresUrl = option('--postgres') ?? process.env.LATCHKEY_BENCH_DATABASE_URL;
  const jsonFile = option('--json') ?? 'bench/last-run.json';
  const pgDatabase = `lk_bench_${randomBytes(4).toString('hex')}`;
  const pgDatabaseUrl = postgresUrl
    ? Object.assign(new URL(postgresUrl), { pathname: `/${pgDatabase}` }).toString()
    : null;
  let cleanedUp = false;
  const cleanUp = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    await Promise.all([...children].map(stopChild));
    rmSync(dataDir, { recursive: true, force: true });
    if (postgresUrl && pgDatabaseUrl)
      await adminQuery(postgresUrl, `DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`).catch(() => undefined);
  };
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    console.log(
      `Latchkey benchmark · Node ${process.version} · ${os.cpus().length} CPU(s) · server on core ${SERVER_CORE}, ` +
        `load on core ${LOAD_CORE} · ${WARM_UP_S} s warm-up + ${MEASURE_S} s per figure · ` +
        `${SCALE.accounts.toLocaleString('en-US')} accounts, ${SCALE.records.toLocaleString('en-US')} records, ` +
        `${SCALE.tasks.toLocaleString('en-US')} tasks, ${SCALE.events.toLocaleString('en-US')} log entries`,
    );
    // The yardstick runs for the whole bench (idle, it costs nothing): every ratio is taken in
    // alternating rounds against it.
    const bare = await startBareFastify();

    const baseEnv: NodeJS.ProcessEnv = { ...process.env, LATCHKEY_SECRET_KEY: SECRET_KEY, LATCHKEY_DATA_DIR: dataDir };
    delete baseEnv.DATABASE_URL;
    delete baseEnv.LOG_LEVEL;
    const targets: Target[] = [
      {
        database: 'SQLite',
        env: baseEnv,
        open: () => openDatabase(loadConfig(baseEnv).database),
        authRatio: 0.6,
      },
    ];
    if (postgresUrl && pgDatabaseUrl) {
      await adminQuery(postgresUrl, `CREATE DATABASE ${pgDatabase}`);
      const env = { ...baseEnv, DATABASE_URL: pgDatabaseUrl };
      targets.push({ database: 'PostgreSQL', env, open: () => openDatabase(loadConfig(env).database), authRatio: 0.4 });
    }
    const figures: Figure[] = [];
    for (const target of targets) figures.push(...(await benchDatabase(target, bare.url)));
    console.log('');
    printFigures(figures);
    writeFileSync(
      jsonFile,
      JSON.stringify(
        { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, figures },
        null,
        2,
      ) + '\n',
    );
    console.log(`\nWritten to ${jsonFile}.`);
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

await main();
