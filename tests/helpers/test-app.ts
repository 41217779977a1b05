/**
 * A real Latchkey for API tests: the real app, the real database (SQLite in a temp directory, or
 * a fresh PostgreSQL schema of its own when LATCHKEY_TEST_DATABASE_URL is set), driven through
 * fastify.inject. Nothing of our own is mocked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/server/app.js';
import { loadConfig, type Config } from '../../src/server/config.js';
import { openDatabase, type Db } from '../../src/server/db/connection.js';
import { migrateToLatest } from '../../src/server/db/migrate.js';
import { createUser } from '../../src/server/services/users.js';
import type { UserWithGroup } from '../../src/server/db/schema.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';

export const TEST_PASSWORD = 'correct horse battery staple 42';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  databaseKind: 'sqlite' | 'postgres';
  /** The PostgreSQL schema of this app (null on SQLite): another node can share it (anotherNode). */
  postgresSchema: string | null;
  close(): Promise<void>;
}

export const usingPostgres = Boolean(process.env.LATCHKEY_TEST_DATABASE_URL);

/**
 * Kysely's migrator asks whether its tables exist by listing the tables of EVERY schema the user
 * may use (has_schema_privilege per schema). When another test file drops its own schema in that
 * instant, PostgreSQL answers 3F000 "schema … does not exist" or 42P01 "relation
 * <other schema>.<table> does not exist" for that other schema. It is a race between parallel test
 * files only (nothing of ours is missing). Kysely runs PostgreSQL migrations in one transaction, so
 * a failed attempt leaves nothing behind: wait for the drop to finish and try again. Every test that
 * migrates or lists migrations goes through here (direct calls failed CI twice).
 */
const OTHER_SCHEMA_DROPPED = new Set(['3F000', '42P01']);

export async function whileOthersDropSchemas<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = ((error as { cause?: { code?: unknown } }).cause ?? {}).code;
      if (typeof code !== 'string' || !OTHER_SCHEMA_DROPPED.has(code) || attempt >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/**
 * Tests write to the database directly (a backdated row, a deleted session) and then send a
 * request at once. On PostgreSQL the app hears of such a write through its listening connection, a
 * moment later; a real client cannot be that fast, a test can. So each test request first waits
 * until the app has heard everything committed before it (the same catch-up a state-changing
 * request does before it answers). What the cache does with what it hears is still tested; the
 * timing between real nodes is tested by tests/multinode/.
 */
function catchUpBeforeEachRequest(app: FastifyInstance): void {
  app.addHook('onRequest', () => app.authenticator.catchUp());
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'latchkey-test-'));
  const pgUrl = process.env.LATCHKEY_TEST_DATABASE_URL;
  const schema = `lk_test_${randomBytes(6).toString('hex')}`;
  if (pgUrl) {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  }
  const config = loadConfig({
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    LATCHKEY_LOGIN_DELAY_STEP_MS: '0',
    ...(pgUrl ? { DATABASE_URL: pgUrl } : {}),
    ...env,
  });
  const db = openDatabase(config.database, pgUrl ? { postgresSchema: schema } : {});
  await whileOthersDropSchemas(() => migrateToLatest(db));
  const app = await buildApp({ db, config });
  catchUpBeforeEachRequest(app);
  await app.ready();
  return {
    app,
    db,
    config,
    databaseKind: pgUrl ? 'postgres' : 'sqlite',
    postgresSchema: pgUrl ? schema : null,
    async close() {
      await app.close();
      await db.destroy();
      if (pgUrl) {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`drop schema ${schema} cascade`);
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A second Latchkey node on the same PostgreSQL database as `t` (its own app and connection pool,
 * as another server behind a load balancer would have), for what must hold across nodes. Its
 * close() leaves the database to `t`.
 */
export async function anotherNode(t: TestApp): Promise<Pick<TestApp, 'app' | 'db'> & { close(): Promise<void> }> {
  if (!t.postgresSchema) throw new Error('a second node needs PostgreSQL (SQLite is one node by design)');
  const db = openDatabase(t.config.database, { postgresSchema: t.postgresSchema });
  const app = await buildApp({ db, config: t.config });
  catchUpBeforeEachRequest(app);
  await app.ready();
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.destroy();
    },
  };
}

let counter = 0;

/** Creates an account directly through the service (as the system), in the given group. */
export async function makeUser(
  t: TestApp,
  groupId: string = SYSTEM_GROUP_IDS.regularUser,
  overrides: Partial<Parameters<typeof createUser>[2]> = {},
): Promise<UserWithGroup> {
  counter += 1;
  const userType = overrides.userType ?? 'native';
  return createUser(
    t.db,
    { actor: null, ip: '127.0.0.1' },
    {
      email: `user${counter}-${randomBytes(3).toString('hex')}@example.test`,
      firstName: 'Test',
      lastName: `User ${counter}`,
      title: '',
      telephone: '',
      userType,
      ...(userType === 'native' ? { password: TEST_PASSWORD, confirmPassword: TEST_PASSWORD } : {}),
      securityGroupId: groupId,
      sessionTimeoutMinutes: 60,
      functionalGroup: '',
      ...overrides,
    },
  );
}

/** The headers the web UI sends with every state-changing request. */
export const UI_HEADERS = { 'x-latchkey-csrf': '1' } as const;

export interface Caller {
  /** Sends a request as this caller (cookie + CSRF header for sessions; bearer header for tokens). */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** The session cookie (`name=value`) it sends now: like a browser, it follows a new session ID. */
  cookie: string | null;
}

/** Signs in through the real sign-in route and returns a caller carrying the session cookie. */
export async function signIn(t: TestApp, email: string, password = TEST_PASSWORD): Promise<Caller> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: UI_HEADERS,
    payload: { email, password },
  });
  if (response.statusCode !== 200)
    throw new Error(`sign-in failed for ${email}: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name.endsWith('latchkey_session'));
  if (!cookie) throw new Error('no session cookie was set');
  return sessionCaller(t, `${cookie.name}=${cookie.value}`);
}

/**
 * A caller with a session cookie. Like a browser, it takes up a new session ID the server sends (a
 * session is rotated after every re-authentication); a cleared cookie (sign-out) is not taken up,
 * so a test can show the old session is refused. To send an old ID on purpose, make a new caller.
 */
export function sessionCaller(t: TestApp, cookie: string): Caller {
  const name = cookie.slice(0, cookie.indexOf('='));
  const caller: Caller = {
    cookie,
    request: async (options) => {
      const response = await t.app.inject({
        ...options,
        headers: { ...UI_HEADERS, cookie: caller.cookie!, ...(options.headers ?? {}) },
      });
      const renewed = response.cookies.find((c) => c.name === name && c.value);
      if (renewed) caller.cookie = `${renewed.name}=${renewed.value}`;
      return response;
    },
  };
  return caller;
}

export function tokenCaller(t: TestApp, token: string): Caller {
  return {
    cookie: null,
    request: (options) =>
      t.app.inject({ ...options, headers: { authorization: `Bearer ${token}`, ...(options.headers ?? {}) } }),
  };
}

/** Signs in a fresh account of the given group. */
export async function signInAs(t: TestApp, groupId: string): Promise<{ user: UserWithGroup; caller: Caller }> {
  const user = await makeUser(t, groupId);
  return { user, caller: await signIn(t, user.email) };
}

/** Everything in the tables a refused request must leave untouched, to compare before and after. */
export async function snapshot(t: TestApp): Promise<string> {
  const tables = ['users', 'security_groups', 'group_permissions', 'api_tokens', 'sessions'] as const;
  const parts: Record<string, unknown> = {};
  for (const table of tables) {
    parts[table] = await t.db
      .selectFrom(table)
      .selectAll()
      .execute()
      .then((rows) => rows.map((row) => JSON.stringify(row)).sort());
  }
  return JSON.stringify(parts);
}
