/**
 * `latchkey`: administration from the command line, for the operator of the machine (whoever can
 * run it can read the database anyway). It reads the same configuration as the server and goes
 * through the same services, so the password policy, hashing and audit entries are the same.
 *
 * Passwords are never taken as arguments: process lists and shell history would leak them. They
 * are asked for on the terminal without echo, or read from the first line of stdin with
 * --password-stdin.
 *
 * runCli() is the whole program, run in-process on the streams and environment it is given: it
 * never touches process.stdin/stdout/stderr/env and never exits the process. bin/latchkey.js
 * hands it the real ones and leaves with the code it returns; the tests hand it in-memory ones.
 */
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AppError } from './app-error.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type Db } from './db/connection.js';
import { listPendingMigrations, migrateToLatest } from './db/migrate.js';
import { assertHasLocalPassword, resetPassword } from './services/passwords.js';
import { issueSetupLink } from './services/setup.js';
import { createUser, findUserByEmail } from './services/users.js';
import type { RequestContext } from './request-context.js';
import { readInstallationSettings } from './services/installation-settings.js';
import { SEED_DOMAIN, SEED_PASSWORD, SeedRefused, seed } from './services/seed/index.js';
import { ADMINISTRATOR_GROUP_ID } from '../shared/permissions.js';
import { CreateUserSchema, SESSION_TIMEOUT_MAX, SESSION_TIMEOUT_MIN } from '../shared/schemas/users.js';
import { sessionTimeoutAboveMaximumMessage } from '../shared/schemas/settings.js';

/** Who the audit log says made a change from the command line: no account, from "cli". */
const CLI_CONTEXT: RequestContext = { actor: null, ip: 'cli' };

/** A problem to report in one line, with the exit code to leave with. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What the program reads and writes: the process's own streams and environment, or a test's. */
export interface CliIo {
  /** A terminal (isTTY and setRawMode) is asked for passwords without echo; anything else is read with --password-stdin. */
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  /** The environment the configuration is read from (loadConfig), as process.env. */
  env: Record<string, string | undefined>;
}

/** One run of the program: its streams, and a line printer on its stdout. */
interface Cli {
  io: CliIo;
  say: (line: string) => void;
}

function packageVersion(): string {
  // dist/server/cli.js and src/server/cli.ts both sit two levels below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Where the data lives, without credentials (a DATABASE_URL may carry a password). */
function describeDatabase(config: Config): string {
  if (config.database.kind === 'sqlite') return `SQLite ${config.database.file}`;
  const url = new URL(config.database.url);
  return `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

async function withDatabase<T>(cli: Cli, work: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(cli.io.env);
  const db = openDatabase(config.database);
  try {
    return await work(db, config);
  } finally {
    await db.destroy();
  }
}

/** Refuses to work on a schema older than this build; migrating stays an explicit step. */
async function assertSchemaIsCurrent(db: Db): Promise<void> {
  const pending = await listPendingMigrations(db);
  if (pending.length > 0) {
    throw new CliError(
      `The database schema is not up to date (${pending.length} migration(s) pending). Run "latchkey migrate" first.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a password

interface PasswordSource {
  passwordStdin?: boolean;
}

/** The first line of stdin, without its line ending (spaces are kept: they can be part of a password). */
function readFirstLineOfStdin(input: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const finish = (line: string) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      // Nothing more is read: let the process end even if the writer keeps the pipe open.
      input.destroy();
      resolve(line.replace(/\r$/, ''));
    };
    const onData = (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline !== -1) finish(buffered.slice(0, newline));
    };
    const onEnd = () => finish(buffered);
    const onError = (error: Error) => reject(error);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
  });
}

type Terminal = Readable & { setRawMode: (mode: boolean) => unknown };

const isTerminal = (input: CliIo['stdin']): input is Terminal =>
  input.isTTY === true && typeof input.setRawMode === 'function';

/** Asks for a secret on the terminal without echoing it (raw mode; Backspace and Ctrl-U edit, Ctrl-C cancels). */
function promptHidden(input: Terminal, output: Writable, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const done = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: string) => {
      if (chunk.startsWith('\u001b')) return; // arrow keys and other escape sequences
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          done();
          resolve(value);
          return;
        }
        if (char === '\u0003' || (char === '\u0004' && value === '')) {
          done();
          reject(new CliError('Cancelled.', 130));
          return;
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char === '\u0015') value = '';
        else if (char >= ' ') value += char;
      }
    };
    // Echo off before the prompt shows: keys typed (or pasted) as soon as it does are not echoed.
    input.setEncoding('utf8');
    input.setRawMode(true);
    output.write(prompt);
    input.resume();
    input.on('data', onData);
  });
}

async function readNewPassword({ io }: Cli, source: PasswordSource): Promise<string> {
  let password: string;
  const { stdin } = io;
  if (source.passwordStdin) {
    password = await readFirstLineOfStdin(stdin);
  } else if (isTerminal(stdin)) {
    password = await promptHidden(stdin, io.stderr, 'New password: ');
    const confirmation = await promptHidden(stdin, io.stderr, 'Confirm new password: ');
    if (password !== confirmation) throw new CliError('The passwords do not match.');
  } else {
    throw new CliError(
      'stdin is not a terminal, so the password cannot be asked for: pipe it in and add --password-stdin.',
    );
  }
  if (password === '') throw new CliError('The password is empty.');
  return password;
}

const passwordStdinOption = () =>
  new Option('--password-stdin', 'read the password from the first line of stdin instead of asking for it');

// ---------------------------------------------------------------------------------------------
// Commands

async function migrateCommand(cli: Cli): Promise<void> {
  const { say } = cli;
  await withDatabase(cli, async (db, config) => {
    const applied = await migrateToLatest(db);
    say(`Database: ${describeDatabase(config)}`);
    if (applied.length === 0) say('The schema is up to date; no migration was needed.');
    for (const name of applied) say(`Applied migration ${name}`);
    say('System security groups are in step with this version.');
  });
}

interface CreateUserOptions extends PasswordSource {
  email: string;
  firstName: string;
  lastName: string;
  group: string;
  title?: string;
  telephone?: string;
  functionalGroup?: string;
  timeout: number;
  sso?: boolean;
  provider?: string;
}

/** The command-line option each CreateUserSchema field comes from, to name it in messages. */
const OPTION_OF_FIELD: Record<string, string> = {
  email: '--email',
  firstName: '--first-name',
  lastName: '--last-name',
  title: '--title',
  telephone: '--telephone',
  functionalGroup: '--functional-group',
  sessionTimeoutMinutes: '--timeout',
  securityGroupId: '--group',
};

async function createUserCommand(cli: Cli, options: CreateUserOptions): Promise<void> {
  if (options.sso && !options.provider) throw new CliError('--sso needs --provider <name> (the identity provider).');
  if (!options.sso && options.provider) throw new CliError('--provider is only for SSO accounts: add --sso.');

  await withDatabase(cli, async (db) => {
    await assertSchemaIsCurrent(db);
    const group = await db
      .selectFrom('security_groups')
      .select(['id', 'name'])
      .where((eb) => eb.or([eb('id', '=', options.group), eb('name', '=', options.group)]))
      .executeTakeFirst();
    if (!group) {
      const names = (await db.selectFrom('security_groups').select('name').orderBy('name').execute()).map(
        (g) => g.name,
      );
      throw new CliError(
        `No security group "${options.group}". Use an ID or one of: ${names.map((n) => `"${n}"`).join(', ')}.`,
      );
    }
    // The same validation as the API's New User request (email format, lengths, telephone, timeout).
    const parsed = CreateUserSchema.safeParse({
      email: options.email,
      firstName: options.firstName,
      lastName: options.lastName,
      title: options.title ?? '',
      telephone: options.telephone ?? '',
      functionalGroup: options.functionalGroup ?? '',
      userType: options.sso ? 'sso' : 'native',
      securityGroupId: group.id,
      sessionTimeoutMinutes: options.timeout,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0] ?? '');
      throw new CliError(`${OPTION_OF_FIELD[field] ?? field}: ${issue.message}`);
    }
    // The installation's Maximum Session Timeout (createUser checks it too; this names the option).
    const { max_session_timeout_minutes: maxTimeout } = await readInstallationSettings(db);
    if (parsed.data.sessionTimeoutMinutes > maxTimeout)
      throw new CliError(`--timeout: ${sessionTimeoutAboveMaximumMessage(maxTimeout)}`);
    // Read the password only once the rest is known to be acceptable.
    const password = options.sso ? undefined : await readNewPassword(cli, options);
    const user = await createUser(db, CLI_CONTEXT, {
      ...parsed.data,
      password,
      confirmPassword: password,
      ssoProvider: options.sso ? options.provider! : null,
    });
    cli.say(
      `Created ${user.email} (${user.group_name}, ${user.user_type === 'sso' ? `SSO via ${user.sso_provider}` : 'native'}), ID ${user.id}.`,
    );
    const administrators = await db
      .selectFrom('users')
      .select('id')
      .where('security_group_id', '=', ADMINISTRATOR_GROUP_ID)
      .where('status', '=', 'enabled')
      .executeTakeFirst();
    if (!administrators) {
      cli.io.stderr.write(
        'Note: no enabled Administrator exists yet, and the setup link stops working once an account exists.\n' +
          'Create one with: latchkey create-user --group Administrator ...\n',
      );
    }
  });
}

interface ResetPasswordOptions extends PasswordSource {
  email: string;
  mustChangePassword?: boolean;
}

async function resetPasswordCommand(cli: Cli, options: ResetPasswordOptions): Promise<void> {
  const { say } = cli;
  await withDatabase(cli, async (db) => {
    await assertSchemaIsCurrent(db);
    const user = await findUserByEmail(db, options.email);
    if (!user) throw new CliError(`No account with the email ${options.email}.`);
    assertHasLocalPassword(user); // before asking for a password that could never be used
    const password = await readNewPassword(cli, options);
    const { sessionsEnded } = await resetPassword(db, CLI_CONTEXT, user.id, password, {
      keepSessionIdHash: null,
      ...(options.mustChangePassword ? { mustChangePassword: true } : {}),
    });
    say(`Set a new password for ${user.email}; ended ${sessionsEnded} session(s).`);
    if (options.mustChangePassword) say('They must choose a new password at their next sign-in.');
  });
}

async function setupLinkCommand(cli: Cli): Promise<void> {
  const { say } = cli;
  await withDatabase(cli, async (db, config) => {
    await assertSchemaIsCurrent(db);
    const link = await issueSetupLink(db, config.publicUrl);
    if (!link) {
      say('An account exists already, so there is no setup link. Sign in, or use "latchkey create-user".');
      return;
    }
    say('Open this one-time link to create the first Administrator (it works once, for 24 hours):');
    say(`  ${link}`);
    say('Any earlier setup link no longer works.');
  });
}

interface SeedOptions {
  accounts: number;
  records?: number;
  tasks?: number;
  events?: number;
  force?: boolean;
}

async function seedCommand(cli: Cli, options: SeedOptions): Promise<void> {
  const { say } = cli;
  await withDatabase(cli, async (db, config) => {
    // As the server does at start: a fresh data directory is the usual place to seed.
    await migrateToLatest(db);
    const counts = {
      accounts: options.accounts,
      records: options.records ?? options.accounts,
      tasks: options.tasks ?? options.accounts,
      events: options.events ?? options.accounts * 10,
    };
    say(`Database: ${describeDatabase(config)}`);
    say(
      `Seeding ${counts.accounts.toLocaleString('en-US')} accounts, ${counts.records.toLocaleString('en-US')} records, ` +
        `${counts.tasks.toLocaleString('en-US')} tasks and ${counts.events.toLocaleString('en-US')} log entries…`,
    );
    const started = performance.now();
    let report;
    try {
      report = await seed(db, {
        ...counts,
        force: options.force === true,
        secretKey: config.secretKey,
        say: (line) => say(`  ${line}`),
      });
    } catch (error) {
      if (error instanceof SeedRefused) throw new CliError(error.message);
      throw error;
    }
    say(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s. Synthetic accounts are at @${report.domain}.`);
    if (report.signInEmail)
      say(`Sign in as ${report.signInEmail} (an Administrator) with the password: ${SEED_PASSWORD}`);
  });
}

// ---------------------------------------------------------------------------------------------
// The program

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 100_000_000)
    throw new InvalidArgumentError('must be a whole number from 0 to 100,000,000.');
  return Number(value);
}

function parseMinutes(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number of minutes.');
  return Number(value);
}

const CONFIG_HELP = `
Configuration comes from the same environment variables as the server: LATCHKEY_DATA_DIR
(default ./data, holding the SQLite database), DATABASE_URL (postgres://… to use PostgreSQL),
LATCHKEY_SECRET_KEY, LATCHKEY_PUBLIC_URL and the rest (see .env.example). Run it with the same
environment as the server, or it works on a different database.`;

function buildProgram(cli: Cli): Command {
  const { stdout, stderr } = cli.io;
  const program = new Command()
    // Set first, so that every command inherits them: Commander writes help, the version and its
    // own errors to the given streams, and throws a CommanderError where it would call process.exit.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      // A terminal's width, or Commander's own default of 80 columns.
      getOutHelpWidth: () => (stdout.isTTY && stdout.columns ? stdout.columns : 80),
      getErrHelpWidth: () => (stderr.isTTY && stderr.columns ? stderr.columns : 80),
      // No help text is styled; saying so keeps Commander from reading process.env for NO_COLOR.
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .name('latchkey')
    .description(
      'Administer a Latchkey installation: migrations, accounts, passwords, the setup link and synthetic data.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', CONFIG_HELP);

  program
    .command('migrate')
    .description('Bring the database schema up to date and print the migrations that ran.')
    .addHelpText('after', '\nThe server also does this at start; run it yourself before an upgrade you want to watch.')
    .action(() => migrateCommand(cli));

  program
    .command('create-user')
    .description('Create an account in a security group (the first account may be an Administrator).')
    .requiredOption('--email <email>', 'email address, which is also the login ID')
    .requiredOption('--first-name <name>', 'first name')
    .requiredOption('--last-name <name>', 'last name')
    .requiredOption('--group <group>', 'security group: its ID or exact name, e.g. "Administrator"')
    .option('--title <title>', 'job title')
    .option('--telephone <number>', 'telephone number')
    .option('--functional-group <name>', 'functional group')
    .option(
      '--timeout <minutes>',
      `session timeout: minutes of inactivity before sign-out (${SESSION_TIMEOUT_MIN}-${SESSION_TIMEOUT_MAX}, ` +
        "and at most the installation's Maximum Session Timeout, 60 unless an Administrator changed it)",
      parseMinutes,
      60,
    )
    .addOption(
      new Option('--sso', 'an SSO account: no local password, its identity provider signs it in').conflicts(
        'passwordStdin',
      ),
    )
    .option('--provider <name>', 'the identity provider of an --sso account, e.g. Okta')
    .addOption(passwordStdinOption())
    .addHelpText(
      'after',
      `
The password of a native account is asked for twice on the terminal (not shown), or read from
the first line of stdin with --password-stdin. It is never an argument. The password policy is
the same as in the web UI.

Examples:
  latchkey create-user --email ada@example.com --first-name Ada --last-name Lovelace --group Administrator
  printf '%s\\n' "$PASSWORD" | latchkey create-user --email bot@example.com --first-name Runbook \\
      --last-name Bot --group "Orchestration User" --password-stdin
  latchkey create-user --email sam@example.com --first-name Sam --last-name Lee --group "Read Only User" \\
      --sso --provider Okta`,
    )
    .action((options: CreateUserOptions) => createUserCommand(cli, options));

  program
    .command('reset-password')
    .description("Set a new password for a native account and end all of that account's sessions.")
    .requiredOption('--email <email>', 'the account to reset')
    .option('--must-change-password', 'also require a new password at their next sign-in')
    .addOption(passwordStdinOption())
    .addHelpText(
      'after',
      `
The new password is asked for twice on the terminal (not shown), or read from the first line of
stdin with --password-stdin. SSO accounts are refused: their identity provider manages them.
The change is recorded in the audit log as user.password_reset by "cli".`,
    )
    .action((options: ResetPasswordOptions) => resetPasswordCommand(cli, options));

  program
    .command('setup-link')
    .description('Print a fresh one-time link to create the first Administrator (only while no account exists).')
    .addHelpText(
      'after',
      '\nA new link replaces the one printed at start-up. The link is built on LATCHKEY_PUBLIC_URL.',
    )
    .action(() => setupLinkCommand(cli));

  program
    .command('seed')
    .description('Fill the installation with realistic synthetic data, for demos and benchmarks.')
    .requiredOption('--accounts <n>', 'synthetic accounts to add', parseCount)
    .option('--records <n>', 'records to add, owned by them (default: as many as accounts)', parseCount)
    .option('--tasks <n>', 'tasks to add, on those records (default: as many as accounts)', parseCount)
    .option(
      '--events <n>',
      'log entries to add over the last year: 60 % login history, 40 % audit events (default: 10 per account)',
      parseCount,
    )
    .option('--force', 'seed even though the database holds accounts that are not synthetic')
    .addHelpText(
      'after',
      `
Accounts are spread over every security group (and a few custom "Seeded: …" groups it adds),
statuses, native and SSO accounts (of a disabled identity provider "Seeded Okta" it adds), MFA
states, titles, telephones and last sign-ins; their names come from many languages (Å, ß, é, Ł…).
Every synthetic email ends in @${SEED_DOMAIN} (a later run uses a fresh subdomain of it).

Every seeded native account has the password "${SEED_PASSWORD}" (one argon2id hash, shared:
hashing a million passwords would take hours). Some are Administrators: never seed an
installation people rely on. That is why seeding refuses a database holding any account that is
not synthetic, except a single Administrator (the first one, made by setup); --force overrides.

Examples:
  latchkey seed --accounts 1000
  latchkey seed --accounts 1000000 --records 1000000 --tasks 0 --events 10000000`,
    )
    .action((options: SeedOptions) => seedCommand(cli, options));

  return program;
}

/**
 * Runs `latchkey <argv>` (the arguments after the command name) and returns the exit code; every
 * expected failure is one line on io.stderr. Nothing here exits the process or reads its streams.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const cli: Cli = { io, say: (line) => io.stdout.write(`${line}\n`) };
  try {
    await buildProgram(cli).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    // --help, --version and usage errors: Commander has written what there is to say.
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 78; // EX_CONFIG, as the server
    }
    if (error instanceof AppError || error instanceof CliError) {
      io.stderr.write(`Error: ${error.message}\n`);
      return error instanceof CliError ? error.exitCode : 1;
    }
    // Anything else is a bug or an outage (database unreachable): show all of it.
    io.stderr.write(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
