import { z } from 'zod';
import { SESSION_TIMEOUT_MAX, SESSION_TIMEOUT_MIN } from './users.js';

/** A new installation's Maximum Session Timeout (minutes); migration 0009 stores it. */
export const DEFAULT_MAX_SESSION_TIMEOUT_MINUTES = 60;

/** The installation's settings as the API shows them (GET /api/v1/settings, to every signed-in account). */
export const InstallationSettingsSchema = z.object({
  /**
   * The longest inactivity timeout any account may have, in minutes. Accounts choose at or below
   * it, and a session ends after min(its account's Session Timeout, this) minutes without activity.
   */
  maxSessionTimeoutMinutes: z.number(),
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
