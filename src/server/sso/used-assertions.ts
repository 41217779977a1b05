/**
 * The SAML assertions already accepted, so that each signs in once. A captured assertion replayed
 * within its validity window would otherwise pass every signature and time check again; the
 * database's primary key decides, so a replay is refused on any node.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { isUniqueViolation } from '../db/portable.js';
import { isoFromMs, nowIso } from '../clock.js';
import { hashSecret } from '../security/secrets.js';
import { SsoSignInError } from './sign-in.js';

/**
 * Remembers an accepted assertion ID (hashed with the provider ID) until it would expire anyway;
 * throws SsoSignInError when it was already used: a captured assertion cannot sign in twice, on
 * any node (the database's primary key decides).
 */
export async function recordSamlAssertionUse(
  db: Kysely<Database>,
  providerId: string,
  assertionId: string,
  acceptedUntilMs: number,
): Promise<void> {
  await db.deleteFrom('sso_used_assertions').where('expires_at', '<=', nowIso()).execute();
  try {
    await db
      .insertInto('sso_used_assertions')
      .values({
        assertion_id_hash: hashSecret(`${providerId}:${assertionId}`),
        provider_id: providerId,
        expires_at: isoFromMs(acceptedUntilMs),
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new SsoSignInError('expired', 'sso_replayed_assertion: this assertion was already used');
    throw error;
  }
}
