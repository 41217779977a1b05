import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requires, SIGNED_IN } from '../auth/access.js';
import { actorOf, contextOf } from '../auth/gate.js';
import type { AppDeps } from '../app-deps.js';
import { readInstallationSettings, updateInstallationSettings } from '../services/installation-settings.js';
import { ERROR_RESPONSES } from '../../shared/schemas/common.js';
import { InstallationSettingsSchema, UpdateInstallationSettingsSchema } from '../../shared/schemas/settings.js';
import { presentInstallationSettings } from '../presenters/settings.js';

export const settingsRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.get(
    '/api/v1/settings',
    {
      // Everyone signed in: the Session Timeout fields show the maximum they may choose.
      config: { access: SIGNED_IN },
      schema: {
        tags: ['Settings'],
        summary: "The installation's settings (Maximum Session Timeout, Log retention)",
        description:
          'Open to every signed-in account. `maxSessionTimeoutMinutes` is the longest Session Timeout an account ' +
          "may have; a session ends after min(its account's Session Timeout, this) minutes without activity. " +
          '`logRetentionDays` is how many days of login history and system events are kept (null: forever). ' +
          '`can.update` says whether the caller may change the settings.',
        response: { 200: InstallationSettingsSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => presentInstallationSettings(await readInstallationSettings(db), actorOf(request)),
  );

  app.patch(
    '/api/v1/settings',
    {
      config: { access: requires('administration:manage_settings') },
      schema: {
        tags: ['Settings'],
        summary: "Change the installation's settings (Administrators only)",
        description:
          'Audited as `settings.updated` (from → to). Lowering the Maximum Session Timeout takes effect on the next ' +
          'request of every session, on every node; accounts with a longer Session Timeout keep their stored value ' +
          'but are capped at the maximum, and may not save a new value above it. Setting `logRetentionDays` (7 to ' +
          '3650, or null to keep forever) makes every node delete older log entries in the background, in small ' +
          'batches, within the hour; each run that deletes any is recorded as `logs.retention_applied`.',
        body: UpdateInstallationSettingsSchema,
        response: { 200: InstallationSettingsSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const settings = await updateInstallationSettings(db, contextOf(request), request.body);
      return presentInstallationSettings(settings, actor);
    },
  );
};
