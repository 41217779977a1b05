/**
 * `latchkey create-user` and `latchkey reset-password`: accounts and their passwords, through the
 * same services, validation and password policy as the API, audited as made by "cli".
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { readInstallationSettings } from '../services/installation-settings.js';
import { assertHasLocalPassword, resetPassword } from '../services/passwords.js';
import { createUser, findUserByEmail } from '../services/users.js';
import { ADMINISTRATOR_GROUP_ID } from '../../shared/permissions.js';
import { sessionTimeoutAboveMaximumMessage } from '../../shared/schemas/settings.js';
import { CreateUserSchema, SESSION_TIMEOUT_MAX, SESSION_TIMEOUT_MIN } from '../../shared/schemas/users.js';
import { assertSchemaIsCurrent, CLI_CONTEXT, CliError, withDatabase, type Cli } from './context.js';
import { passwordStdinOption, readNewPassword, type PasswordSource } from './password-input.js';

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

function parseMinutes(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number of minutes.');
  return Number(value);
}

export function addCreateUserCommand(program: Command, cli: Cli): void {
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

export function addResetPasswordCommand(program: Command, cli: Cli): void {
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
}
