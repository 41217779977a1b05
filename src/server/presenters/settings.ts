/** The installation settings as the API shows them. */
import { can, type Actor } from '../auth/actor.js';
import type { InstallationSettingsTable } from '../db/schema.js';
import type { InstallationSettings } from '../../shared/schemas/settings.js';

/** The installation's settings as `viewer` sees them (`can.update`: an Administrator's setting). */
export function presentInstallationSettings(row: InstallationSettingsTable, viewer: Actor): InstallationSettings {
  return {
    maxSessionTimeoutMinutes: row.max_session_timeout_minutes,
    logRetentionDays: row.log_retention_days,
    selfServicePasswordReset: row.self_service_password_reset === 1,
    updatedAt: row.updated_at,
    can: { update: can(viewer, 'administration:manage_settings') },
  };
}
