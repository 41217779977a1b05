import type { Db } from '../db/connection.js';
import { isoFromMs, nowIso, nowMs } from '../clock.js';
import { AppError } from '../app-error.js';
import { generateSecret, hashSecret } from '../security/secrets.js';
import { ADMINISTRATOR_GROUP_ID } from '../../shared/permissions.js';
import { anyAccountExists, createUser } from './users.js';
import type { UserWithGroup } from '../db/schema.js';
import { defaultSessionTimeoutMinutes } from './installation-settings.js';

const SETUP_LINK_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * While no account exists, makes a fresh single-use setup token (replacing any earlier one) and
 * returns the link to print. The token is in the URL fragment, which browsers never send to a
 * server, so it cannot end up in proxy or access logs. Returns null once an account exists.
 */
export async function issueSetupLink(db: Db, publicUrl: URL): Promise<string | null> {
  if (await anyAccountExists(db)) return null;
  const token = generateSecret(32);
  const now = nowMs();
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('setup_tokens').execute();
    await trx
      .insertInto('setup_tokens')
      .values({
        token_hash: hashSecret(token),
        created_at: isoFromMs(now),
        expires_at: isoFromMs(now + SETUP_LINK_LIFETIME_MS),
      })
      .execute();
  });
  return new URL(`/setup#token=${token}`, publicUrl).toString();
}

export async function isSetupRequired(db: Db): Promise<boolean> {
  return !(await anyAccountExists(db));
}

export interface FirstAdministrator {
  email: string;
  firstName: string;
  lastName: string;
  password: string;
  confirmPassword: string;
}

/** Creates the first Administrator through the setup link; the link works once. */
export async function completeSetup(
  db: Db,
  token: string,
  admin: FirstAdministrator,
  ip: string,
): Promise<UserWithGroup> {
  if (!(await isSetupRequired(db))) throw new AppError('setup_not_available');
  // Deleting the token row is the claim: only one request can delete it, so the link works once.
  const claimed = await db
    .deleteFrom('setup_tokens')
    .where('token_hash', '=', hashSecret(token))
    .where('expires_at', '>', nowIso())
    .returningAll()
    .executeTakeFirst();
  if (!claimed) throw new AppError('setup_link_invalid');
  try {
    return await createFirstAdministrator(db, admin, ip);
  } catch (error) {
    // Bad input (a weak password, say) must not burn the link: put the very same row back, with
    // its own expiry (a refused attempt changes nothing, and cannot keep a link alive forever).
    await db
      .insertInto('setup_tokens')
      .values(claimed)
      .onConflict((oc) => oc.column('token_hash').doNothing())
      .execute();
    throw error;
  }
}

/** Used by the setup page, LATCHKEY_BOOTSTRAP_ADMIN_* and the CLI: only while no account exists. */
export async function createFirstAdministrator(db: Db, admin: FirstAdministrator, ip: string): Promise<UserWithGroup> {
  if (!(await isSetupRequired(db))) throw new AppError('setup_not_available');
  return createUser(
    db,
    { actor: null, ip },
    {
      ...admin,
      title: 'Administrator',
      telephone: '',
      userType: 'native',
      securityGroupId: ADMINISTRATOR_GROUP_ID,
      sessionTimeoutMinutes: await defaultSessionTimeoutMinutes(db),
      functionalGroup: '',
    },
    'setup.first_administrator_created',
  );
}
