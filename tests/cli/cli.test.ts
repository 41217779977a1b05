/**
 * The `latchkey` CLI against a real database (SQLite in a temp directory, or a fresh PostgreSQL
 * schema of this file's own when LATCHKEY_TEST_DATABASE_URL is set), with effects checked in the
 * database and through the real app's sign-in route.
 *
 * The program runs in-process (runCli with in-memory streams and its own environment): starting
 * a Node process per command cost seconds each. Only the last tests start a real process, the
 * installed bin/latchkey.js on the compiled build, to prove the command itself works.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { runCli } from '../../src/server/cli.js';
import { loadConfig } from '../../src/server/config.js';
import { openDatabase, type Db } from '../../src/server/db/connection.js';
import { MIGRATIONS } from '../../src/server/db/migrations/index.js';
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

/** The same configuration for the CLI and for the app the test signs in through (never process.env). */
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

/** Collects what is written to it, as the text a user would see. */
class Output extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void) {
    this.text += String(chunk);
    this.onText?.(this.text);
    done();
  }
  onText?: (text: string) => void;
}

/** A terminal's input: what the CLI asks for passwords on, in raw mode, without echo. */
class FakeTerminal extends PassThrough {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  /** Whether echo was off each time a prompt was shown. */
  readonly rawAtPrompt: boolean[] = [];
  setRawMode(mode: boolean) {
    this.rawModes.push(mode);
    return this;
  }
}

/** The keys of a typed text: a terminal sends an escape sequence (an arrow key) as one chunk. */
// eslint-disable-next-line no-control-regex -- the escape character is what it looks for
const keysOf = (text: string): string[] => text.match(/\u001b\[[\d;]*[A-Za-z~]|./gsu) ?? [];

interface CliOptions {
  /** Piped to stdin, which is then not a terminal: the CLI must never wait for a prompt. */
  input?: string;
  /** Instead of a pipe, a terminal on which each answer is typed, key by key, once its password prompt is shown. */
  typed?: string[];
  env?: Record<string, string>;
}

/** Runs `latchkey <args>` in-process, as bin/latchkey.js does, with in-memory streams. */
async function cli(args: string[], options: CliOptions = {}): Promise<CliResult & { terminal?: FakeTerminal }> {
  const stdout = new Output();
  const stderr = new Output();
  let stdin: PassThrough;
  let terminal: FakeTerminal | undefined;
  if (options.typed) {
    terminal = stdin = new FakeTerminal();
    const answers = options.typed;
    let answered = 0;
    stderr.onText = (text) => {
      // Each prompt ("New password: ", "Confirm new password: ") is answered once it is shown,
      // a moment later and one key at a time, as a person types.
      const shown = text.split('password: ').length - 1;
      for (; answered < shown; answered += 1) {
        terminal!.rawAtPrompt.push(terminal!.rawModes.at(-1) === true);
        const answer = answers[answered] ?? '';
        setImmediate(() => keysOf(answer).forEach((key) => terminal!.write(key)));
      }
    };
  } else {
    stdin = new PassThrough();
    stdin.end(options.input ?? '');
  }
  const code = await runCli(args, { stdin, stdout, stderr, env: { ...env, ...options.env } });
  return { code, stdout: stdout.text, stderr: stderr.text, terminal };
}

/** Runs the installed command, bin/latchkey.js (the compiled build), as a real child process. */
function runInstalled(args: string[], options: { input?: string } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, ['bin/latchkey.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
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

// runCli reports by its return value: it must never end the process it runs in.
const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
  throw new Error(`process.exit(${String(code)}) was called`);
});

beforeAll(async () => {
  if (postgresUrl) {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  }
  db = openDatabase(loadConfig(env).database);
});

afterEach(() => {
  expect(exit).not.toHaveBeenCalled();
});

afterAll(async () => {
  exit.mockRestore();
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
describe('latchkey CLI', () => {
  it('refuses to work on a database that has not been migrated', async () => {
    const result = await cli(['setup-link']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Error: The database schema is not up to date (${Object.keys(MIGRATIONS).length} migration(s) pending). Run "latchkey migrate" first.`,
    );
  });

  it('migrate applies the migrations and says so, then finds nothing to do', async () => {
    const first = await cli(['migrate']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const name of Object.keys(MIGRATIONS)) expect(first.stdout).toContain(`Applied migration ${name}\n`);
    expect(first.stdout).not.toContain(env.LATCHKEY_SECRET_KEY);

    const second = await cli(['migrate']);
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
    const result = await cli(['setup-link'], { env: { LATCHKEY_PUBLIC_URL: 'https://latchkey.example.test' } });
    expect(result.code).toBe(0);
    const token = /https:\/\/latchkey\.example\.test\/setup#token=([\w-]{43})/.exec(result.stdout)?.[1];
    expect(token).toBeDefined();
    const rows = await db.selectFrom('setup_tokens').select('token_hash').execute();
    expect(rows).toEqual([{ token_hash: hashSecret(token!) }]);
  });

  it('create-user refuses a weak piped password with the policy message and creates nothing', async () => {
    const auditBefore = await count('audit_events');
    const result = await cli(createUserArgs(ADMIN_EMAIL, 'Administrator', ['--password-stdin']), {
      input: 'too short\n',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Error: Password must be at least 12 characters.');
    expect(await count('users')).toBe(0);
    expect(await count('audit_events')).toBe(auditBefore);

    const common = await cli(createUserArgs(ADMIN_EMAIL, 'Administrator', ['--password-stdin']), {
      input: 'password1234\n',
    });
    expect(common.code).toBe(1);
    expect(common.stderr.trim()).toBe('Error: This password is on a list of commonly used passwords.');
    expect(await count('users')).toBe(0);

    const productName = await cli(createUserArgs(ADMIN_EMAIL, 'Administrator', ['--password-stdin']), {
      input: 'Latchkey2026!!\n',
    });
    expect(productName.code).toBe(1);
    expect(productName.stderr.trim()).toBe('Error: Too easy to guess: it is mostly the product name.');
    expect(await count('users')).toBe(0);
    expect(await count('audit_events')).toBe(auditBefore);
  });

  it('create-user will not wait for a password on a stdin that is not a terminal, and takes none as an argument', async () => {
    const noFlag = await cli(createUserArgs(ADMIN_EMAIL, 'Administrator'), { input: `${FIRST_PASSWORD}\n` });
    expect(noFlag.code).toBe(1);
    expect(noFlag.stderr).toContain('pipe it in and add --password-stdin');

    const asArgument = await cli(createUserArgs(ADMIN_EMAIL, 'Administrator', ['--password', FIRST_PASSWORD]));
    expect(asArgument.code).toBe(1);
    expect(asArgument.stderr).toContain("unknown option '--password'");
    expect(await count('users')).toBe(0);
  });

  it('create-user makes the first account an Administrator from the first line of stdin, through the same service', async () => {
    const result = await cli(
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
    const result = await cli(['setup-link']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('An account exists already');
    expect(result.stdout).not.toContain('#token=');
  });

  it('create-user names the group by ID or exact name and validates fields as the API does', async () => {
    const unknown = await cli(createUserArgs('x@example.test', 'administrators', ['--password-stdin']), {
      input: `${FIRST_PASSWORD}\n`,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No security group "administrators"');
    expect(unknown.stderr).toContain('"Read Only User"');

    const badEmail = await cli(createUserArgs('not-an-email', 'Read Only User', ['--password-stdin']), {
      input: `${FIRST_PASSWORD}\n`,
    });
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr.trim()).toBe('Error: --email: Enter a valid email address, such as name@example.com.');

    const badTimeout = await cli(
      createUserArgs('x@example.test', 'Read Only User', ['--timeout', '1', '--password-stdin']),
      {
        input: `${FIRST_PASSWORD}\n`,
      },
    );
    expect(badTimeout.code).toBe(1);
    expect(badTimeout.stderr.trim()).toBe('Error: --timeout: Session Timeout must be at least 5 minutes.');

    // Not above the installation's Maximum Session Timeout (60 by default).
    const longTimeout = await cli(
      createUserArgs('x@example.test', 'Read Only User', ['--timeout', '120', '--password-stdin']),
      { input: `${FIRST_PASSWORD}\n` },
    );
    expect(longTimeout.code).toBe(1);
    expect(longTimeout.stderr.trim()).toBe(
      "Error: --timeout: Session Timeout must be at most 60 minutes (this installation's maximum).",
    );

    const duplicate = await cli(createUserArgs(ADMIN_EMAIL.toUpperCase(), 'Read Only User', ['--password-stdin']), {
      input: `${FIRST_PASSWORD}\n`,
    });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr.trim()).toBe('Error: An account with this email already exists.');

    const byId = await cli(createUserArgs('regular@example.test', SYSTEM_GROUP_IDS.regularUser, ['--password-stdin']), {
      input: `${FIRST_PASSWORD}\n`,
    });
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

    const result = await cli(['reset-password', '--email', ADMIN_EMAIL.toUpperCase(), '--password-stdin'], {
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
    const result = await cli(
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
    const result = await cli(['reset-password', '--email', ADMIN_EMAIL, '--password-stdin'], {
      input: 'ada@example.test\n',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Error: Too easy to guess: it is mostly your email address.');
    const weak = await cli(['reset-password', '--email', ADMIN_EMAIL, '--password-stdin'], {
      input: 'Latchkey2026!!\n',
    });
    expect(weak.code).toBe(1);
    expect(weak.stderr.trim()).toBe('Error: Too easy to guess: it is mostly the product name.');
    expect((await userByEmail(ADMIN_EMAIL))!.password_hash).toBe(before.password_hash);
    expect(await count('audit_events')).toBe(auditBefore);
    expect(await count('sessions')).toBeGreaterThan(0);
  });

  it('reset-password refuses an SSO account: its identity provider manages it', async () => {
    const created = await cli(createUserArgs('sso@example.test', 'Read Only User', ['--sso', '--provider', 'Okta']));
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('SSO via Okta');
    const sso = (await userByEmail('sso@example.test'))!;
    expect(sso).toMatchObject({ user_type: 'sso', sso_provider: 'Okta', password_hash: null });

    const result = await cli(['reset-password', '--email', 'sso@example.test', '--password-stdin'], {
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

    const withoutProvider = await cli(createUserArgs('sso2@example.test', 'Read Only User', ['--sso']));
    expect(withoutProvider.code).toBe(1);
    expect(withoutProvider.stderr.trim()).toBe('Error: --sso needs --provider <name> (the identity provider).');
  });

  it('reset-password names an unknown account', async () => {
    const result = await cli(['reset-password', '--email', 'nobody@example.test', '--password-stdin'], {
      input: `${NEW_PASSWORD}\n`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Error: No account with the email nobody@example.test.');
  });

  it('reports a configuration error in one line with a non-zero exit', async () => {
    const result = await cli(['migrate'], { env: { DATABASE_URL: 'mysql://localhost/latchkey' } });
    expect(result.code).toBe(78);
    expect(result.stderr.trim()).toBe(
      'Configuration error: DATABASE_URL must start with postgres:// (PostgreSQL) or sqlite: (a SQLite file).',
    );
  });

  it('has --help for the program and every command', async () => {
    const main = await cli(['--help']);
    expect(main.code).toBe(0);
    for (const command of ['migrate', 'create-user', 'reset-password', 'setup-link'])
      expect(main.stdout).toContain(command);
    for (const command of ['migrate', 'create-user', 'reset-password', 'setup-link']) {
      const help = await cli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: latchkey ${command}`);
    }
  });

  it('create-user asks for the password twice on a terminal, without echo, and Backspace and Ctrl-U edit it', async () => {
    const result = await cli(createUserArgs('typed@example.test', 'Read Only User'), {
      // Backspace (DEL, or ^H) removes a character, ^U the whole line; arrow keys are ignored.
      typed: [
        `wrong\u0015${FIRST_PASSWORD.slice(0, -1)}x\u007f${FIRST_PASSWORD.slice(-1)}\r`,
        `${FIRST_PASSWORD}Z\b\u001b[D\r`,
      ],
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('New password: \nConfirm new password: \n');
    expect(result.stdout).toContain('Created typed@example.test (Read Only User, native)');
    expect(result.stdout + result.stderr).not.toContain(FIRST_PASSWORD);
    // Raw mode (no echo) for each prompt, and the terminal left as it was found.
    expect(result.terminal!.rawModes).toEqual([true, false, true, false]);
    expect(result.terminal!.rawAtPrompt).toEqual([true, true]);
    const user = (await userByEmail('typed@example.test'))!;
    expect(await verifyPassword(user.password_hash, FIRST_PASSWORD)).toBe(true);
  });

  it('reset-password on a terminal refuses two different passwords, and Ctrl-C cancels; neither changes anything', async () => {
    const before = (await userByEmail(ADMIN_EMAIL))!;
    const auditBefore = await count('audit_events');

    const mismatch = await cli(['reset-password', '--email', ADMIN_EMAIL], {
      typed: [`${NEW_PASSWORD}\r`, `${NEW_PASSWORD}!\r`],
    });
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toBe('New password: \nConfirm new password: \nError: The passwords do not match.\n');

    const cancelled = await cli(['reset-password', '--email', ADMIN_EMAIL], { typed: ['secr\u0003'] });
    expect(cancelled.code).toBe(130);
    expect(cancelled.stderr).toBe('New password: \nError: Cancelled.\n');
    expect(cancelled.terminal!.rawModes).toEqual([true, false]);

    expect((await userByEmail(ADMIN_EMAIL))!.password_hash).toBe(before.password_hash);
    expect(await count('audit_events')).toBe(auditBefore);
  });

  // The installed command runs the compiled build: `npm test` builds it first. These two start
  // real processes: the real streams, arguments, environment and exit code of bin/latchkey.js.
  const compiled = existsSync(path.join(ROOT, 'dist/server/cli.js'));
  const requireAll = process.env.LATCHKEY_REQUIRE_ALL_SUITES === '1';
  const builtMessage = 'dist/server/cli.js is missing: run npm run build:server';

  it.skipIf(!compiled && !requireAll)('bin/latchkey.js runs the compiled CLI', async () => {
    expect(compiled, builtMessage).toBe(true);
    const [version, result] = await Promise.all([runInstalled(['--version']), runInstalled(['setup-link'])]);
    const { version: expected } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(version).toEqual({ code: 0, stdout: `${expected}\n`, stderr: '' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('An account exists already');
  });

  it.skipIf(!compiled && !requireAll)(
    'bin/latchkey.js reads a piped password from its stdin and exits with the code of a refusal',
    async () => {
      expect(compiled, builtMessage).toBe(true);
      const before = (await userByEmail(ADMIN_EMAIL))!;
      const result = await runInstalled(['reset-password', '--email', ADMIN_EMAIL, '--password-stdin'], {
        input: 'ada@example.test\n',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('Error: Too easy to guess: it is mostly your email address.\n');
      expect((await userByEmail(ADMIN_EMAIL))!.password_hash).toBe(before.password_hash);
    },
  );
});
