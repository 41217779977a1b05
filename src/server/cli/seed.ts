/**
 * `latchkey seed`: synthetic data for demos and benchmarks (services/seed/), on a database brought
 * up to date first.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { migrateToLatest } from '../db/migrate.js';
import { SEED_DOMAIN, SEED_PASSWORD, SeedRefused, seed } from '../services/seed/index.js';
import { CliError, describeDatabase, withDatabase, type Cli } from './context.js';

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

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 100_000_000)
    throw new InvalidArgumentError('must be a whole number from 0 to 100,000,000.');
  return Number(value);
}

export function addSeedCommand(program: Command, cli: Cli): void {
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
}
