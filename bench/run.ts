/**
 * `npm run bench`: the real app on a temporary SQLite database with 100,000 accounts, measured
 * with autocannon. The server runs in this process; the load runs in a worker thread so the two
 * do not share an event loop. Everything is removed at the end, also on failure or Ctrl-C.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { openDatabase, type Db } from '../src/server/db/connection.js';
import type { UserTable } from '../src/server/db/schema.js';
import { migrateToLatest } from '../src/server/db/migrate.js';
import { hashPassword } from '../src/server/security/password-hashing.js';
import { ADMINISTRATOR_GROUP_ID, SYSTEM_GROUP_IDS } from '../src/shared/permissions.js';

const ACCOUNTS = 100_000;
const DURATION_S = 5;
const CONNECTIONS = 10;
const ADMIN_EMAIL = 'admin@bench.latchkey.test';
// Generated per run: this database lives for a minute and is then deleted.
const PASSWORD = `bench-${randomBytes(12).toString('base64url')}`;

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen'];
const GROUPS = [
  SYSTEM_GROUP_IDS.regularUser,
  SYSTEM_GROUP_IDS.regularUserNoDelete,
  SYSTEM_GROUP_IDS.readOnlyUser,
  SYSTEM_GROUP_IDS.orchestrationUser,
];

interface Scenario {
  name: string;
  path: string;
  /** How the request authenticates: nothing, the browser's session cookie, or a script's API token. */
  auth: 'none' | 'session' | 'token';
}

const SCENARIOS: Scenario[] = [
  { name: 'baseline: health (no auth, no DB)', path: '/api/health', auth: 'none' },
  { name: 'me (session + permissions)', path: '/api/v1/me', auth: 'session' },
  { name: 'me (API token + permissions)', path: '/api/v1/me', auth: 'token' },
  { name: 'users list, page 1', path: '/api/v1/users?pageSize=25', auth: 'session' },
  { name: 'users search "user5"', path: '/api/v1/users?search=user5&pageSize=25', auth: 'session' },
  { name: 'users deep page 2000', path: '/api/v1/users?page=2000&pageSize=25', auth: 'session' },
];

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

interface Credentials {
  cookie: string;
  token: string;
}

function headersFor(scenario: Scenario, credentials: Credentials): Record<string, string> {
  if (scenario.auth === 'session') return { cookie: credentials.cookie };
  if (scenario.auth === 'token') return { authorization: `Bearer ${credentials.token}` };
  return {};
}

/** Checks that a scenario answers 200 (a benchmark of error pages would be meaningless). */
async function describeResponse(baseUrl: string, scenario: Scenario, credentials: Credentials): Promise<string> {
  const response = await fetch(baseUrl + scenario.path, { headers: headersFor(scenario, credentials) });
  if (response.status !== 200)
    throw new Error(`${scenario.path} answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { total?: number; users?: unknown[] };
  return body.total === undefined ? '' : `${body.users?.length ?? 0} of ${body.total.toLocaleString('en-US')}`;
}

/** A plain-text table: the first two columns (names) left-aligned, the numbers right-aligned. */
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

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));
  let db: Db | undefined;
  let app: FastifyInstance | undefined;
  let cleanedUp = false;
  const cleanUp = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    await app?.close();
    await db?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const config = loadConfig({
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_SECRET_KEY: randomBytes(32).toString('hex'),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      LATCHKEY_LOGIN_DELAY_STEP_MS: '0',
    });
    db = openDatabase(config.database);
    await migrateToLatest(db);

    const seedStart = performance.now();
    await seedAccounts(db, ACCOUNTS);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    app = await buildApp({ db, config });
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const cookie = await signIn(baseUrl);
    const credentials = { cookie, token: await generateToken(baseUrl, cookie) };

    console.log(
      `Latchkey benchmark: SQLite, ${(ACCOUNTS + 1).toLocaleString('en-US')} accounts, Node ${process.version}, ` +
        `${os.cpus().length} CPU(s), ${CONNECTIONS} connections, ${DURATION_S} s per scenario`,
    );
    console.log(
      `Seeded ${ACCOUNTS.toLocaleString('en-US')} accounts in ${seedSeconds.toFixed(2)} s (one transaction, one shared argon2id hash)\n`,
    );

    const rows = [['Scenario', 'Request', 'Rows', 'Requests/s', 'p50 ms', 'p99 ms', 'Errors']];
    for (const scenario of SCENARIOS) {
      const rowsShown = await describeResponse(baseUrl, scenario, credentials);
      const result = await autocannon({
        url: baseUrl + scenario.path,
        headers: headersFor(scenario, credentials),
        connections: CONNECTIONS,
        duration: DURATION_S,
        workers: 1,
      });
      const failures = result.errors + result.timeouts + result.non2xx;
      rows.push([
        scenario.name,
        `GET ${scenario.path}`,
        rowsShown,
        Math.round(result.requests.average).toLocaleString('en-US'),
        result.latency.p50.toFixed(1),
        result.latency.p99.toFixed(1),
        String(failures),
      ]);
      process.stderr.write(`  measured ${scenario.path}\n`);
    }
    console.log(formatTable(rows));
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

await main();
