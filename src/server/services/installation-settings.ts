/**
 * The installation's own settings (one row of installation_settings): read where a rule needs
 * them (one small primary-key read), and changed only by an Administrator. The session check
 * reads the maximum timeout with the session; a credential cached with it is dropped on every node
 * when the row changes (migration 0010), so a change holds on the next request everywhere.
 */
import type { Kysely } from 'kysely';
import type { Database, InstallationSettingsTable } from '../db/schema.js';
import { nowIso } from '../clock.js';
import { fieldError } from '../app-error.js';
import {
  DEFAULT_MAX_SESSION_TIMEOUT_MINUTES,
  sessionTimeoutAboveMaximumMessage,
  type UpdateInstallationSettings,
} from '../../shared/schemas/settings.js';
import { diffFields, recordAudit } from './audit.js';
import type { ActorContext } from '../request-context.js';

/** The Session Timeout a new account gets when nobody chooses one. */
const DEFAULT_ACCOUNT_SESSION_TIMEOUT_MINUTES = 60;

/** The one row's primary key (migration 0009 creates it). */
export const INSTALLATION_SETTINGS_ID = 'installation';

/** The settings row; the defaults if it is somehow missing (a hand-edited database), never an error. */
export async function readInstallationSettings(db: Kysely<Database>): Promise<InstallationSettingsTable> {
  const row = await db
    .selectFrom('installation_settings')
    .selectAll()
    .where('id', '=', INSTALLATION_SETTINGS_ID)
    .executeTakeFirst();
  return (
    row ?? {
      id: INSTALLATION_SETTINGS_ID,
      max_session_timeout_minutes: DEFAULT_MAX_SESSION_TIMEOUT_MINUTES,
      log_retention_days: null,
      self_service_password_reset: 1,
      updated_at: new Date(0).toISOString(),
    }
  );
}

/**
 * Refuses a Session Timeout above the installation's maximum, as a field error naming the maximum.
 * Used by New User (API and CLI) and by Account Settings when the timeout is being changed.
 */
export async function assertSessionTimeoutWithinMaximum(db: Kysely<Database>, minutes: number): Promise<void> {
  const { max_session_timeout_minutes: max } = await readInstallationSettings(db);
  if (minutes > max) throw fieldError('sessionTimeoutMinutes', sessionTimeoutAboveMaximumMessage(max));
}

/** A new account's Session Timeout when nobody chose one (first Administrator, SSO sign-up): an hour, or the maximum if lower. */
export async function defaultSessionTimeoutMinutes(db: Kysely<Database>): Promise<number> {
  const { max_session_timeout_minutes: max } = await readInstallationSettings(db);
  return Math.min(DEFAULT_ACCOUNT_SESSION_TIMEOUT_MINUTES, max);
}

/** Saves the settings an Administrator changed, with one `settings.updated` audit entry (from → to). */
export async function updateInstallationSettings(
  db: Kysely<Database>,
  ctx: ActorContext,
  input: UpdateInstallationSettings,
): Promise<InstallationSettingsTable> {
  return db.transaction().execute(async (trx) => {
    const current = await readInstallationSettings(trx);
    // Compared and audited by the API's field names, which are what an Administrator reads in the log.
    const diff = diffFields(
      {
        maxSessionTimeoutMinutes: current.max_session_timeout_minutes,
        logRetentionDays: current.log_retention_days,
        selfServicePasswordReset: current.self_service_password_reset === 1,
      },
      input,
    );
    if (Object.keys(diff).length === 0) return current;

    const next: InstallationSettingsTable = {
      ...current,
      max_session_timeout_minutes: input.maxSessionTimeoutMinutes ?? current.max_session_timeout_minutes,
      log_retention_days: input.logRetentionDays === undefined ? current.log_retention_days : input.logRetentionDays,
      self_service_password_reset:
        input.selfServicePasswordReset === undefined
          ? current.self_service_password_reset
          : Number(input.selfServicePasswordReset),
      updated_at: nowIso(),
    };
    // Insert-or-update: the row exists after migration 0009, but a missing one must not make saving fail.
    await trx
      .insertInto('installation_settings')
      .values(next)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          max_session_timeout_minutes: next.max_session_timeout_minutes,
          log_retention_days: next.log_retention_days,
          self_service_password_reset: next.self_service_password_reset,
          updated_at: next.updated_at,
        }),
      )
      .execute();
    await recordAudit(trx, { actor: ctx.actor, action: 'settings.updated', details: { changes: diff }, ip: ctx.ip });
    return next;
  });
}
