/**
 * What makes data synthetic, and the refusal to seed beside real data: every synthetic account has
 * an email in SEED_DOMAIN (or a subdomain of it, for a second run), so seeded data is always
 * recognisable.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Db } from '../../db/connection.js';
import { ADMINISTRATOR_GROUP_ID } from '../../../shared/permissions.js';

/** The email domain reserved for synthetic accounts (.test is reserved by RFC 2606: it never delivers mail). */
export const SEED_DOMAIN = 'seed.latchkey.test';
/** The password of every seeded native account (documented in the README). */
export const SEED_PASSWORD = 'latchkey-seed-password';

export class SeedRefused extends Error {
  override name = 'SeedRefused';
}

/** True for an email of a synthetic account. */
export function isSyntheticEmail(email: string): boolean {
  const normalized = email.toLowerCase();
  return normalized.endsWith(`@${SEED_DOMAIN}`) || normalized.endsWith(`.${SEED_DOMAIN}`);
}

async function nonSyntheticAccounts(db: Kysely<Database>): Promise<{ email: string; security_group_id: string }[]> {
  return db
    .selectFrom('users')
    .select(['email', 'security_group_id'])
    .where((eb) =>
      eb.and([
        eb('email_normalized', 'not like', `%@${SEED_DOMAIN}`),
        eb('email_normalized', 'not like', `%.${SEED_DOMAIN}`),
      ]),
    )
    .limit(3)
    .execute();
}

/**
 * Seeding is refused beside real accounts: a fresh installation has none, or only the first
 * Administrator made by setup (seeding a demo right after setup works). Anything more is refused
 * unless forced.
 */
export async function checkSeedable(db: Kysely<Database>): Promise<void> {
  const real = await nonSyntheticAccounts(db);
  const onlyFirstAdministrator = real.length === 1 && real[0]!.security_group_id === ADMINISTRATOR_GROUP_ID;
  if (real.length === 0 || onlyFirstAdministrator) return;
  const shown = real.slice(0, 2).map((r) => r.email);
  throw new SeedRefused(
    `This database holds accounts that are not synthetic (${shown.join(', ')}${real.length > 2 ? ', …' : ''}). ` +
      'Seeding adds thousands of accounts with a published password; it is meant for demos and benchmarks. ' +
      'Run it on an empty installation (or one with only its first Administrator), or add --force.',
  );
}

/** Whether synthetic accounts exist already (a later run then takes a fresh subdomain). */
export async function hasSyntheticAccounts(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where((eb) =>
      eb.or([eb('email_normalized', 'like', `%@${SEED_DOMAIN}`), eb('email_normalized', 'like', `%.${SEED_DOMAIN}`)]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
