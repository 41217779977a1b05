/**
 * `npm run bench [-- --postgres <url>] [--json <file>]`: Latchkey's speed, measured against a bare
 * Fastify server started in the same run, so every figure comes with its yardstick and a ratio.
 *
 * Every server is a real process (the built dist/server/main.js, as in production, with its default
 * logging) pinned to core 0; the load generator (autocannon, bench/load.mjs) is pinned to core 1,
 * so neither steals the other's CPU. The machine's noise moves both sides of a ratio alike; the
 * absolute numbers are printed too, but the ratios are what the targets (issue 12) are set on.
 *
 * For each database (SQLite always; PostgreSQL with --postgres or LATCHKEY_BENCH_DATABASE_URL, in a
 * database of its own, created and dropped here):
 *   - start-up to the first answered request on an existing database, and idle RSS;
 *   - GET /api/health, GET /api/v1/me by API token and by session cookie, 50 connections each;
 *   - a sign-in storm: 20 connections signing in (20 accounts) for 10 s while 5 connections call
 *     GET /api/v1/me by token, next to what argon2id alone does on the same core;
 *   - the users list at 100,000 accounts (issue 13 sets its targets).
 * Everything it creates is removed at the end, also on failure or Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../src/server/config.js';
import { openDatabase, type Db } from '../src/server/db/connection.js';
import type { UserTable } from '../src/server/db/schema.js';
import { migrateToLatest } from '../src/server/db/migrate.js';
import { hashPassword } from '../src/server/security/password-hashing.js';
import { ADMINISTRATOR_GROUP_ID, SYSTEM_GROUP_IDS } from '../src/shared/permissions.js';

const ACCOUNTS = 100_000;
const MEASURE_S = 5;
const WARM_UP_S = 1;
/** Alternating rounds per ratio (see compare()), each this long. */
const ROUNDS = 5;
const ROUND_S = 2;
const STORM_S = 10;
const STORM_SIGN_INS = 20;
const STORM_TOKEN_CONNECTIONS = 5;
const AUTH_CONNECTIONS = 50;
const LIST_CONNECTIONS = 10;
const SERVER_CORE = '0';
const LOAD_CORE = '1';
const ADMIN_EMAIL = 'admin@bench.latchkey.test';
// Generated per run: these databases live for a few minutes and are then deleted.
const PASSWORD = `bench-${randomBytes(12).toString('base64url')}`;
const SECRET_KEY = randomBytes(32).toString('hex');

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen'];
const GROUPS = [
  SYSTEM_GROUP_IDS.regularUser,
  SYSTEM_GROUP_IDS.regularUserNoDelete,
  SYSTEM_GROUP_IDS.readOnlyUser,
  SYSTEM_GROUP_IDS.orchestrationUser,
];

// ---------------------------------------------------------------------------------------------
// Seeding

function account(i: number, passwordHash: string, now: string): UserTable {
  const first = FIRST_NAMES[i % FIRST_NAMES.length]!;
  const last = LAST_NAMES[(i * 7) % LAST_NAMES.length]!;
  const email = `user${i}@bench.latchkey.test`;
  return {
    id: randomUUID(),
    email,
    email_normalized: email,
    first_name: first,
    last_name: last,
    first_name_normalized: first.toLowerCase(),
    last_name_normalized: last.toLowerCase(),
    title: i % 3 === 0 ? 'Engineer' : '',
    telephone: '',
    security_group_id: GROUPS[i % GROUPS.length]!,
    functional_group: '',
    // Accounts 1–49 stay enabled: the storm signs in as them.
    status: i % 50 === 0 ? 'disabled' : 'enabled',
    user_type: 'native',
    sso_provider: null,
    password_hash: passwordHash,
    must_change_password: 0,
    mfa_enrolled: 0,
    mfa_required_by_other: 0,
    session_timeout_minutes: 60,
    date_format: 'yyyy-mm-dd',
    time_format: '24-hour',
    theme: 'light',
    last_login_at: i % 4 === 0 ? null : new Date(Date.parse(now) - i * 60_000).toISOString(),
    created_at: now,
    updated_at: now,
  };
}

/** One transaction of multi-row inserts, with one argon2id hash shared by every account. */
async function seedAccounts(db: Db, count: number): Promise<void> {
  const passwordHash = await hashPassword(PASSWORD);
  const now = new Date().toISOString();
  // 25 columns × 1,000 rows stays under SQLite's 32,766 bound parameters per statement.
  const batch = 1_000;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('users')
      .values({
        ...account(count, passwordHash, now),
        email: ADMIN_EMAIL,
        email_normalized: ADMIN_EMAIL,
        security_group_id: ADMINISTRATOR_GROUP_ID,
        status: 'enabled',
      })
      .execute();
    for (let start = 0; start < count; start += batch) {
      const rows: UserTable[] = [];
      for (let i = start; i < Math.min(start + batch, count); i++) rows.push(account(i, passwordHash, now));
      await trx.insertInto('users').values(rows).execute();
    }
  });
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

/** A warm-up (discarded), then the measured run. */
async function measure(load: Omit<Load, 'duration'>): Promise<LoadResult> {
  const results = await runSteps([[{ ...load, duration: WARM_UP_S }], [{ ...load, duration: MEASURE_S }]]);
  return results[1]![0]!;
}

// ---------------------------------------------------------------------------------------------
// Credentials

async function signIn(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-latchkey-csrf': '1' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: PASSWORD }),
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
  if (!figure.target) return figure;
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
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2);
}

/** A plain-text table: the first two columns (names) left-aligned, the rest right-aligned. */
function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row, index) => {
      const line = row.map((cell, column) =>
        column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      );
      return index === 0 ? `${line.join('  ')}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line.join('  ');
    })
    .join('\n');
}

function printFigures(figures: Figure[]): void {
  const rows = [['Database', 'Figure', 'Value', 'Baseline (same run)', 'Ratio', 'Target', 'Met']];
  for (const f of figures) {
    rows.push([
      f.database,
      f.name,
      `${formatNumber(f.value)} ${f.unit}`,
      f.baseline ? `${formatNumber(f.baseline.value)} ${f.unit} ${f.baseline.name}` : '',
      f.ratio === undefined ? '' : `${f.ratio.toFixed(3)}×`,
      targetText(f),
      f.met === undefined ? '' : f.met ? 'yes' : 'NO',
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
  /** Ratio targets differ per database (issue 12). */
  authRatio: number;
}

async function benchDatabase(target: Target, bareUrl: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  const add = (figure: Figure) => figures.push(judge(figure));
  const db = target.open();
  try {
    await migrateToLatest(db);
    const seedStart = performance.now();
    await seedAccounts(db, ACCOUNTS);
    process.stderr.write(
      `  ${target.database}: seeded ${ACCOUNTS.toLocaleString('en-US')} accounts in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`,
    );
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
    const cookie = await signIn(server.url);
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

    // The storm: 20 people signing in at once (accounts user1..user20), a script calling by token.
    const bodies = Array.from({ length: STORM_SIGN_INS }, (_, i) =>
      JSON.stringify({ email: `user${i + 1}@bench.latchkey.test`, password: PASSWORD }),
    );
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
        pinned(SERVER_CORE, [
          process.execPath,
          '--import',
          'tsx',
          'bench/argon2-alone.ts',
          '5',
          String(STORM_SIGN_INS),
        ]),
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

    // The users list (issue 13 sets its targets; shown here so both issues read one bench).
    for (const [name, query] of [
      ['users list, page 1', 'pageSize=25'],
      ['users search "user5"', 'search=user5&pageSize=25'],
      ['users deep page 2000', 'page=2000&pageSize=25'],
    ] as const) {
      const list = await measure({
        url: `${server.url}/api/v1/users?${query}`,
        connections: LIST_CONNECTIONS,
        headers: { cookie },
      });
      add({
        database: target.database,
        name: `${name}, ${LIST_CONNECTIONS} conn.`,
        value: list.requestsPerSecond,
        unit: 'req/s',
      });
      add({ database: target.database, name: '  p99 of the same', value: list.p99, unit: 'ms' });
    }
    add({ database: target.database, name: 'RSS after the runs', value: rssMegabytes(server.pid), unit: 'MB' });
  } finally {
    await server.stop();
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
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
        `load on core ${LOAD_CORE} · ${WARM_UP_S} s warm-up + ${MEASURE_S} s per figure · ${(ACCOUNTS + 1).toLocaleString('en-US')} accounts`,
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
