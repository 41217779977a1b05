/**
 * The `latchkey` CLI, run as a real child process against a real database (SQLite in a temp
 * directory, or a fresh PostgreSQL schema when LATCHKEY_TEST_DATABASE_URL is set), with effects
 * checked in the database and through the real app's sign-in route.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { openDatabase, type Db } from '../../src/server/db/connection.js';
import { verifyPassword } from '../../src/server/security/password-hashing.js';
import { hashSecret } from '../../src/server/security/secrets.js';
import { ADMINISTRATOR_GROUP_ID, SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN_EMAIL = 'ada@example.test';
const FIRST_PASSWORD = 'correct horse battery staple 42';
const NEW_PASSWORD = 'a brand new passphrase 77';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const postgresUrl = process.env.LATCHKEY_TEST_DATABASE_URL ?? '';
const schema = `lk_cli_${randomBytes(6).toString('hex')}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'latchkey-cli-test-'));

/** The same configuration for the CLI and for the app the test signs in through. */
const env: Record<string, string> = {
  LATCHKEY_DATA_DIR: dataDir,
  LATCHKEY_SECRET_KEY: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'silent',
  LATCHKEY_LOGIN_DELAY_STEP_MS: '0',
  PORT: '3999',
  // The CLI can only be pointed at a schema through DATABASE_URL: libpq's `options` parameter.
  ...(postgresUrl
    ? {
        DATABASE_URL: `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      }
    : {}),
};

/** Runs `latchkey <args>` from source (tsx) or, with `compiled`, the installed bin/latchkey.js. */
function runCli(
  args: string[],
  options: { input?: string; env?: Record<string, string>; compiled?: boolean } = {},
): Promise<CliResult> {
  const entry = options.compiled ? ['bin/latchkey.js'] : ['--import', 'tsx', 'src/server/cli.ts'];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // Not a terminal: the CLI must never wait for a prompt here.
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function createUserArgs(email: string, group: string, extra: string[] = []): string[] {
  return ['create-user', '--email', email, '--first-name', 'Test', '--last-name', 'Person', '--group', group, ...extra];
}

let db: Db;
let app: FastifyInstance;

async function signIn(email: string, password: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: { 'x-latchkey-csrf': '1' },
    payload: { email, password },
  });
}

async function userByEmail(email: string) {
  return db.selectFrom('users').selectAll().where('email_normalized', '=', email.toLowerCase()).executeTakeFirst();
}

async function count(table: 'users' | 'audit_events' | 'sessions' | 'setup_tokens'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  if (postgresUrl) {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  }
  db = openDatabase(loadConfig(env).database);
});

afterAll(async () => {
  await app?.close();
  await db?.destroy();
  if (postgresUrl) {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

// The tests below build on each other, in order: one database, as an operator would use it.
describe('latchkey CLI', { timeout: 120_000 }, () => {
  it('refuses to work on a database that has not been migrated', async () => {
    const result = await runCli(['setup-link']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Error: The database schema is not up to date (1 migration(s) pending). Run "latchkey migrate" first.',
    );
  });

  it('migrate applies the migrations and says so, then finds nothing to do', async () => {
    const first = await runCli(['migrate']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Applied migration 0001-initial');
    expect(first.stdout).not.toContain(env.LATCHKEY_SECRET_KEY);

    const second = await runCli(['migrate']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('no migration was needed');
    expect(second.stdout).not.toContain('Applied migration');

    const groups = await db.selectFrom('security_groups').select('id').execute();
    expect(groups.map((g) => g.id)).toContain(ADMINISTRATOR_GROUP_ID);
    // The app the remaining tests sign in through, on the very same database.
    app = await buildApp({ db, config: loadConfig(env) });
    await app.ready();
  });

  it('setup-link prints a one-time link on LATCHKEY_PUBLIC_URL while no account exists', async () => {
    const result = await runCli(['setup-link'], { env: { LATCHKEY_PUBLIC_URL: 'https://latchkey.example.test' } });
    expect(result.code).toBe(0);
    const token = /https:\/\/latchkey\.example\.test\/setup#token=([\w-]{43})/.exec(result.stdout)?.[1];
    expect(token).toBeDefined();
    const rows = await db.selectFrom('setup_tokens').select('token_hash').execute();
    expect(rows).toEqual([{ token_hash: hashSecret(token!) }]);
  });

  it('create-user refuses a weak piped password with the policy message and creates nothing', async () => {
    const auditBefore = await count('audit_events');
    const result = await runCli(createUserArgs(ADMIN_EMAIL, 'Administrator', ['--password-stdin']), {
      input: 'too short\n',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Error: Password must be at least 12 characters.');
    expect(await count('users')).toBe(0);
    expect(await count('audit_events')).toBe(auditBefore);

    const common = await runCli(createUserArgs(ADMIN_EMAIL, 'Administrator', ['--password-stdin']), {
      input: 'password1234\n',
    });
    expect(common.code).toBe(1);
    expect(common.stderr.trim()).toBe('Error: This password is too common. Choose something harder to guess.');
    expect(await count('users')).toBe(0);
  });

  it('create-user will not wait for a password on a stdin that is not a terminal, and takes none as an argument', async () => {
    const noFlag = await runCli(createUserArgs(ADMIN_EMAIL, 'Administrator'), { input: `${FIRST_PASSWORD}\n` });
    expect(noFlag.code).toBe(1);
    expect(noFlag.stderr).toContain('pipe it in and add --password-stdin');

    const asArgument = await runCli(createUserArgs(ADMIN_EMAIL, 'Administrator', ['--password', FIRST_PASSWORD]));
    expect(asArgument.code).toBe(1);
    expect(asArgument.stderr).toContain("unknown option '--password'");
    expect(await count('users')).toBe(0);
  });

  it('create-user makes the first account an Administrator from the first line of stdin, through the same service', async () => {
    const result = await runCli(
      createUserArgs(ADMIN_EMAIL, 'Administrator', [
        '--title',
        'Platform Owner',
        '--telephone',
        '+1 555 0100',
        '--timeout',
        '30',
        '--password-stdin',
      ]),
      // Only the first line is the password; what follows is ignored.
      { input: `${FIRST_PASSWORD}\nsomething else\n` },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Created ${ADMIN_EMAIL} (Administrator, native)`);
    expect(result.stdout).not.toContain(FIRST_PASSWORD);

    const user = await userByEmail(ADMIN_EMAIL);
    expect(user).toMatchObject({
      security_group_id: ADMINISTRATOR_GROUP_ID,
      user_type: 'native',
      status: 'enabled',
      title: 'Platform Owner',
      telephone: '+1 555 0100',
      session_timeout_minutes: 30,
    });
    expect(user!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(user!.password_hash, FIRST_PASSWORD)).toBe(true);

    const audit = await db.selectFrom('audit_events').selectAll().where('target_user_id', '=', user!.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_user_id: null, actor_email: null, target_email: ADMIN_EMAIL, ip: 'cli' });
    expect(audit[0]!.details).not.toContain(FIRST_PASSWORD);

    expect((await signIn(ADMIN_EMAIL, FIRST_PASSWORD)).statusCode).toBe(200);
  });

  it('setup-link says an account exists once one does', async () => {
    const result = await runCli(['setup-link']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('An account exists already');
    expect(result.stdout).not.toContain('#token=');
  });

  it('create-user names the group by ID or exact name and validates fields as the API does', async () => {
    const unknown = await runCli(createUserArgs('x@example.test', 'administrators', ['--password-stdin']), {
      input: `${FIRST_PASSWORD}\n`,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No security group "administrators"');
    expect(unknown.stderr).toContain('"Read Only User"');

    const badEmail = await runCli(createUserArgs('not-an-email', 'Read Only User', ['--password-stdin']), {
      input: `${FIRST_PASSWORD}\n`,
    });
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr.trim()).toBe('Error: --email: Enter a valid email address, such as name@example.com.');

    const badTimeout = await runCli(
      createUserArgs('x@example.test', 'Read Only User', ['--timeout', '1', '--password-stdin']),
      {
        input: `${FIRST_PASSWORD}\n`,
      },
    );
    expect(badTimeout.code).toBe(1);
    expect(badTimeout.stderr.trim()).toBe('Error: --timeout: Session Timeout must be at least 5 minutes.');

    const duplicate = await runCli(createUserArgs(ADMIN_EMAIL.toUpperCase(), 'Read Only User', ['--password-stdin']), {
      input: `${FIRST_PASSWORD}\n`,
    });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr.trim()).toBe('Error: An account with this email already exists.');

    const byId = await runCli(
      createUserArgs('regular@example.test', SYSTEM_GROUP_IDS.regularUser, ['--password-stdin']),
      { input: `${FIRST_PASSWORD}\n` },
    );
    expect(byId.code).toBe(0);
    expect((await userByEmail('regular@example.test'))?.security_group_id).toBe(SYSTEM_GROUP_IDS.regularUser);
    expect(await count('users')).toBe(2);
  });

  it('reset-password sets a new hash, ends every session of the account and records user.password_reset by cli', async () => {
    const before = (await userByEmail(ADMIN_EMAIL))!;
    const signedIn = await signIn(ADMIN_EMAIL, FIRST_PASSWORD);
    const cookie = signedIn.cookies.find((c) => c.name.endsWith('latchkey_session'))!;
    const cookieHeader = `${cookie.name}=${cookie.value}`;
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: cookieHeader } })).statusCode).toBe(
      200,
    );
    const otherUser = (await userByEmail('regular@example.test'))!;
    expect((await signIn(otherUser.email, FIRST_PASSWORD)).statusCode).toBe(200);
    const otherSessions = await db
      .selectFrom('sessions')
      .select('id_hash')
      .where('user_id', '=', otherUser.id)
      .execute();

    const result = await runCli(['reset-password', '--email', ADMIN_EMAIL.toUpperCase(), '--password-stdin'], {
      input: `${NEW_PASSWORD}\n`,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Set a new password for ${ADMIN_EMAIL}; ended 2 session(s).`);

    const after = (await userByEmail(ADMIN_EMAIL))!;
    expect(after.password_hash).not.toBe(before.password_hash);
    expect(after.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(after.password_hash, NEW_PASSWORD)).toBe(true);
    expect(await verifyPassword(after.password_hash, FIRST_PASSWORD)).toBe(false);

    // Every session of that account has ended, on the next request; other accounts keep theirs.
    expect(await db.selectFrom('sessions').select('id_hash').where('user_id', '=', before.id).execute()).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: cookieHeader } })).statusCode).toBe(
      401,
    );
    expect(await db.selectFrom('sessions').select('id_hash').where('user_id', '=', otherUser.id).execute()).toEqual(
      otherSessions,
    );

    expect((await signIn(ADMIN_EMAIL, FIRST_PASSWORD)).statusCode).toBe(401);
    expect((await signIn(ADMIN_EMAIL, NEW_PASSWORD)).statusCode).toBe(200);

    const audit = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('target_user_id', '=', before.id)
      .where('action', '=', 'user.password_reset')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_user_id: null, target_email: ADMIN_EMAIL, ip: 'cli' });
    expect(JSON.parse(audit[0]!.details)).toEqual({ by: 'cli', sessionsEnded: 2 });
    expect(audit[0]!.details).not.toContain(NEW_PASSWORD);
  });

  it('reset-password --must-change-password marks the account for a forced change', async () => {
    const result = await runCli(
      ['reset-password', '--email', 'regular@example.test', '--must-change-password', '--password-stdin'],
      {
        input: `${NEW_PASSWORD}\n`,
      },
    );
    expect(result.code).toBe(0);
    expect((await userByEmail('regular@example.test'))?.must_change_password).toBe(1);
  });

  it('reset-password applies the password policy and changes nothing when it refuses', async () => {
    const before = (await userByEmail(ADMIN_EMAIL))!;
    const auditBefore = await count('audit_events');
    const result = await runCli(['reset-password', '--email', ADMIN_EMAIL, '--password-stdin'], {
      input: 'ada@example.test\n',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Error: Password must not be your email address or your name.');
    expect((await userByEmail(ADMIN_EMAIL))!.password_hash).toBe(before.password_hash);
    expect(await count('audit_events')).toBe(auditBefore);
    expect(await count('sessions')).toBeGreaterThan(0);
  });

  it('reset-password refuses an SSO account: its identity provider manages it', async () => {
    const created = await runCli(createUserArgs('sso@example.test', 'Read Only User', ['--sso', '--provider', 'Okta']));
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('SSO via Okta');
    const sso = (await userByEmail('sso@example.test'))!;
    expect(sso).toMatchObject({ user_type: 'sso', sso_provider: 'Okta', password_hash: null });

    const result = await runCli(['reset-password', '--email', 'sso@example.test', '--password-stdin'], {
      input: `${NEW_PASSWORD}\n`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Error: sso@example.test is managed by its identity provider (Okta): it has no local password to reset.',
    );
    expect((await userByEmail('sso@example.test'))!.password_hash).toBeNull();
    const resets = await db
      .selectFrom('audit_events')
      .select('id')
      .where('target_user_id', '=', sso.id)
      .where('action', '=', 'user.password_reset')
      .execute();
    expect(resets).toEqual([]);

    const withoutProvider = await runCli(createUserArgs('sso2@example.test', 'Read Only User', ['--sso']));
    expect(withoutProvider.code).toBe(1);
    expect(withoutProvider.stderr.trim()).toBe('Error: --sso needs --provider <name> (the identity provider).');
  });

  it('reset-password names an unknown account', async () => {
    const result = await runCli(['reset-password', '--email', 'nobody@example.test', '--password-stdin'], {
      input: `${NEW_PASSWORD}\n`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Error: No account with the email nobody@example.test.');
  });

  it('reports a configuration error in one line with a non-zero exit', async () => {
    const result = await runCli(['migrate'], { env: { DATABASE_URL: 'mysql://localhost/latchkey' } });
    expect(result.code).toBe(78);
    expect(result.stderr.trim()).toBe(
      'Configuration error: DATABASE_URL must start with postgres:// (PostgreSQL) or sqlite: (a SQLite file).',
    );
  });

  it('has --help for the program and every command', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    for (const command of ['migrate', 'create-user', 'reset-password', 'setup-link'])
      expect(main.stdout).toContain(command);
    for (const command of ['migrate', 'create-user', 'reset-password', 'setup-link']) {
      const help = await runCli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: latchkey ${command}`);
    }
  });

  // The installed command runs the compiled build: `npm test` builds it first.
  const compiled = existsSync(path.join(ROOT, 'dist/server/cli.js'));
  const requireAll = process.env.LATCHKEY_REQUIRE_ALL_SUITES === '1';
  it.skipIf(!compiled && !requireAll)('bin/latchkey.js runs the compiled CLI', async () => {
    expect(compiled, 'dist/server/cli.js is missing: run npm run build:server').toBe(true);
    const result = await runCli(['setup-link'], { compiled: true });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('An account exists already');
  });
});
