import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requires } from '../auth/access.js';
import type { AppDeps } from '../app-deps.js';
import { countEmailsByStatus, recentEmails } from '../services/email-status.js';
import { presentEmailStatus } from '../presenters/email.js';
import { ERROR_RESPONSES } from '../../shared/schemas/common.js';
import { EmailStatusSchema, RECENT_EMAILS_LIMIT } from '../../shared/schemas/email.js';

export const emailRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db, config }) => {
  app.get(
    '/api/v1/email',
    {
      // Recipients and subjects of everyone's security emails: Administrators only.
      config: { access: requires('administration:manage_settings') },
      schema: {
        tags: ['Settings'],
        summary: 'Email delivery: SMTP settings, queue and recent messages (Administrators only)',
        description:
          '`smtp` is null when no SMTP server is configured (LATCHKEY_SMTP_HOST): then nothing is sent. Otherwise ' +
          'its host, port, TLS mode, From address and user name; never the password. `queueDepth` counts messages ' +
          'waiting or being sent, on every node; `failedCount` those given up. `recent` lists the latest ' +
          `${RECENT_EMAILS_LIMIT} messages, newest first, with their status, attempts and last error; never their ` +
          'text, which may have carried a secret and is erased once sent.',
        response: { 200: EmailStatusSchema, ...ERROR_RESPONSES },
      },
    },
    async () => {
      const [counts, recent] = await Promise.all([countEmailsByStatus(db), recentEmails(db)]);
      return presentEmailStatus(config.smtp, counts, recent);
    },
  );
};
