/** The bench's command-line options and fixed settings, read once. */
import { randomBytes } from 'node:crypto';
import { SEED_PASSWORD } from '../../src/server/services/seed/index.js';

export function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
export function countOption(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number (got "${raw}").`);
  return Number(raw);
}

/** The data set of the list figures: a million accounts, records and tasks and ten million log entries by default. */
export const SCALE = {
  accounts: countOption('--accounts', 1_000_000),
  records: countOption('--records', 1_000_000),
  tasks: countOption('--tasks', 1_000_000),
  events: countOption('--events', 10_000_000),
};
/**
 * Requests per list figure (fewer when a figure is too slow to take that many in LIST_BUDGET_MS).
 * 200: the p99 of 50 requests is, by nearest rank, the slowest of them (one slow request decides
 * it); of 200, the third slowest.
 */
export const SAMPLES = countOption('--samples', 200);
export const LIST_BUDGET_MS = 30_000;
export const EXPORT_TIMEOUT_MS = 300_000;
export const WITH_AUTH = !process.argv.includes('--no-auth');
export const POSTGRES_ONLY = process.argv.includes('--postgres-only');
export const MEASURE_S = 5;
export const WARM_UP_S = 1;
/** Alternating rounds per ratio (see compare()), each this long. */
export const ROUNDS = 5;
export const ROUND_S = 2;
export const STORM_S = 10;
export const STORM_SIGN_INS = 20;
export const STORM_TOKEN_CONNECTIONS = 5;
/** The storm's script, judged at a busy script's pace: 5 × 50 = 250 token calls a second. */
export const STORM_TOKEN_RATE_PER_CONNECTION = 50;
export const AUTH_CONNECTIONS = 50;
export const SERVER_CORE = '0';
export const LOAD_CORE = '1';
// Every seeded native account's password (`latchkey seed`); these databases are deleted at the end.
export const PASSWORD = SEED_PASSWORD;
export const SECRET_KEY = randomBytes(32).toString('hex');
