/** Route samples for the installation settings; see ../route-samples.ts for what a sample must be. */
import { requires, SIGNED_IN } from '../../../src/server/auth/access.js';
import { readInstallationSettings } from '../../../src/server/services/installation-settings.js';
import type { RouteSample } from '../route-samples.js';

export const SETTINGS_ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/settings': { access: SIGNED_IN, build: () => ({}) },
  'GET /api/v1/email': { access: requires('administration:manage_settings'), build: () => ({}) },
  // A real change each time, never below 60 minutes, so the other samples' accounts (timeout 30-60)
  // and sessions stay valid whatever order the matrix runs in.
  'PATCH /api/v1/settings': {
    access: requires('administration:manage_settings'),
    audits: ['settings.updated'],
    build: async (ctx) => {
      const current = (await readInstallationSettings(ctx.t.db)).max_session_timeout_minutes;
      return { body: { maxSessionTimeoutMinutes: current >= 720 ? 60 : current + 1 } };
    },
  },
};
