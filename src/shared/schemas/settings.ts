import { z } from 'zod';
import { SESSION_TIMEOUT_MAX, SESSION_TIMEOUT_MIN } from './users.js';

/** A new installation's Maximum Session Timeout (minutes); migration 0009 stores it. */
export const DEFAULT_MAX_SESSION_TIMEOUT_MINUTES = 60;

/**
 * The range of Log retention (days). At least a week: security logs deleted sooner would rarely
 * survive until anyone looks into an incident. At most ten years; longer is "keep forever".
 */
export const LOG_RETENTION_MIN_DAYS = 7;
export const LOG_RETENTION_MAX_DAYS = 3650;

/** The installation's settings as the API shows them (GET /api/v1/settings, to every signed-in account). */
export const InstallationSettingsSchema = z.object({
  /**
   * The longest inactivity timeout any account may have, in minutes. Accounts choose at or below
   * it, and a session ends after min(its account's Session Timeout, this) minutes without activity.
   */
  maxSessionTimeoutMinutes: z.number(),
  /**
   * How many days of login history and system events are kept; older entries are deleted in the
   * background. null: kept forever (the default).
   */
  logRetentionDays: z.number().int().nullable(),
  /**
   * Whether people with a Latchkey password may ask for a reset link by email from the sign-in page
   * ("Forgot password?"; shown only when email is configured). On by default.
   */
  selfServicePasswordReset: z.boolean(),
  updatedAt: z.string(),
  /** What the caller may do with these settings (computed by the server; the UI only reads it). */
  can: z.object({ update: z.boolean() }),
});
export type InstallationSettings = z.infer<typeof InstallationSettingsSchema>;

/** PATCH /api/v1/settings: Administrators only (administration:manage_settings). */
export const UpdateInstallationSettingsSchema = z
  .object({
    maxSessionTimeoutMinutes: z
      .number({ error: 'Maximum session timeout must be a number of minutes.' })
      .int('Maximum session timeout must be a whole number of minutes.')
      .min(SESSION_TIMEOUT_MIN, `Maximum session timeout must be at least ${SESSION_TIMEOUT_MIN} minutes.`)
      .max(SESSION_TIMEOUT_MAX, `Maximum session timeout must be at most ${SESSION_TIMEOUT_MAX} minutes (12 hours).`),
    /** Days of logs to keep, or null to keep them forever. */
    logRetentionDays: z
      .number({ error: 'Log retention must be a number of days, or null to keep the logs forever.' })
      .int('Log retention must be a whole number of days.')
      .min(LOG_RETENTION_MIN_DAYS, `Log retention must be at least ${LOG_RETENTION_MIN_DAYS} days.`)
      .max(LOG_RETENTION_MAX_DAYS, `Log retention must be at most ${LOG_RETENTION_MAX_DAYS} days (10 years).`)
      .nullable(),
    selfServicePasswordReset: z.boolean({ error: 'Self-service password reset must be true or false.' }),
  })
  .partial()
  .strict();
export type UpdateInstallationSettings = z.infer<typeof UpdateInstallationSettingsSchema>;

/** The message refusing a Session Timeout above the installation's maximum (server and UI say the same). */
export function sessionTimeoutAboveMaximumMessage(maxMinutes: number): string {
  return `Session Timeout must be at most ${maxMinutes} minutes (this installation's maximum).`;
}

/** The Session Timeout fields' description (New User, Account Settings), naming the maximum. */
export function sessionTimeoutDescription(maxMinutes: number): string {
  return `Inactivity before sign-out: at least ${SESSION_TIMEOUT_MIN}, at most ${maxMinutes} minutes (this installation's maximum).`;
}
