/**
 * `npm run bench [-- --postgres <url>] [--json <file>]`: Latchkey's speed, measured against a bare
 * Fastify server started in the same run, so every figure comes with its yardstick and a ratio.
 *
 * Every server is a real process (the built dist/server/main.js started as `npm start` starts it,
 * Node flags included, with its default logging) pinned to core 0; the load generator (autocannon,
 * bench/load.mjs) is pinned to core 1, so neither steals the other's CPU. The machine's noise moves both sides of a ratio alike; the
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
 *     export of every account, one client, p50 and p99 over 200 requests each.
 * Scales: --accounts, --records, --tasks, --events (e.g. --accounts 100000 --records 100000
 * --tasks 100000 --events 1000000 for a quick run); --samples (per list figure, default 50);
 * --no-auth leaves out the authentication figures; --postgres-only leaves out SQLite (a full-scale
 * PostgreSQL run alone takes most of an hour, most of it seeding). A list figure whose endpoint or parameter the
 * server does not have (yet) prints n/a.
 * Everything it creates is removed at the end, also on failure or Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/server/config.js';
import { openDatabase } from '../src/server/db/connection.js';
import { benchAuthentication, signIn } from './authentication.js';
import { type Figure, type Target, judge, printFigures } from './lib/figures.js';
import {
  LOAD_CORE,
  MEASURE_S,
  SCALE,
  SECRET_KEY,
  SERVER_CORE,
  STORM_SIGN_INS,
  WARM_UP_S,
  POSTGRES_ONLY,
  WITH_AUTH,
  option,
} from './lib/options.js';
import { children, rssMegabytes, startBareFastify, startLatchkey, stopChild, type Server } from './lib/processes.js';
import { benchLists } from './lists.js';

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
// One database

async function benchDatabase(target: Target, bare: Server): Promise<Figure[]> {
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
    if (WITH_AUTH) await benchAuthentication(target, server, cookie, bare, stormEmails, add);
    figures.push(...(await benchLists(target, server, cookie)));
    add({ database: target.database, name: 'RSS after the runs', value: rssMegabytes(server.pid), unit: 'MB' });
  } finally {
    await server.stop();
  }
  return figures;
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
  if (POSTGRES_ONLY && !(option('--postgres') ?? process.env.LATCHKEY_BENCH_DATABASE_URL))
    throw new Error('--postgres-only needs --postgres <url> (or LATCHKEY_BENCH_DATABASE_URL).');

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
    const targets: Target[] = [];
    if (!POSTGRES_ONLY) {
      targets.push({
        database: 'SQLite',
        env: baseEnv,
        open: () => openDatabase(loadConfig(baseEnv).database),
        authRatio: 0.6,
      });
    }
    if (postgresUrl && pgDatabaseUrl) {
      await adminQuery(postgresUrl, `CREATE DATABASE ${pgDatabase}`);
      const env = { ...baseEnv, DATABASE_URL: pgDatabaseUrl };
      targets.push({ database: 'PostgreSQL', env, open: () => openDatabase(loadConfig(env).database), authRatio: 0.4 });
    }
    const figures: Figure[] = [];
    for (const target of targets) figures.push(...(await benchDatabase(target, bare)));
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
