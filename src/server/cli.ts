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
 *
 * This module is the program and its exit codes; each command, its options, help and work, is in
 * cli/ (context.ts has what they share, password-input.ts the reading of a password).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { AppError } from './app-error.js';
import { ConfigError } from './config.js';
import { addCreateUserCommand, addResetPasswordCommand } from './cli/accounts.js';
import { CliError, type Cli, type CliIo } from './cli/context.js';
import { addMigrateCommand, addSetupLinkCommand } from './cli/installation.js';
import { addSeedCommand } from './cli/seed.js';

export type { CliIo } from './cli/context.js';

function packageVersion(): string {
  // dist/server/cli.js and src/server/cli.ts both sit two levels below package.json: this stays in
  // the entry module, where the path is the same from source and from the bundle.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
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

  // In the order --help lists them.
  addMigrateCommand(program, cli);
  addCreateUserCommand(program, cli);
  addResetPasswordCommand(program, cli);
  addSetupLinkCommand(program, cli);
  addSeedCommand(program, cli);
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
