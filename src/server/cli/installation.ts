/**
 * `latchkey migrate` and `latchkey setup-link`: the schema, and the way to the first Administrator.
 */
import type { Command } from 'commander';
import { migrateToLatest } from '../db/migrate.js';
import { issueSetupLink } from '../services/setup.js';
import { assertSchemaIsCurrent, describeDatabase, withDatabase, type Cli } from './context.js';

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

export function addMigrateCommand(program: Command, cli: Cli): void {
  program
    .command('migrate')
    .description('Bring the database schema up to date and print the migrations that ran.')
    .addHelpText('after', '\nThe server also does this at start; run it yourself before an upgrade you want to watch.')
    .action(() => migrateCommand(cli));
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

export function addSetupLinkCommand(program: Command, cli: Cli): void {
  program
    .command('setup-link')
    .description('Print a fresh one-time link to create the first Administrator (only while no account exists).')
    .addHelpText(
      'after',
      '\nA new link replaces the one printed at start-up. The link is built on LATCHKEY_PUBLIC_URL.',
    )
    .action(() => setupLinkCommand(cli));
}
