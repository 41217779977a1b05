import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { PUBLIC } from '../auth/access.js';
import type { AppDeps } from '../app-deps.js';
import { enqueueEmail } from '../mail/outbox.js';
import type { RequestContext } from '../request-context.js';
import {
  passwordResetAvailable,
  requestPasswordResetLink,
  resetPasswordWithLink,
  type ResetLinkMail,
} from '../services/password-reset-links.js';
import { ERROR_RESPONSES } from '../../shared/schemas/common.js';
import {
  FORGOT_PASSWORD_ANSWER,
  ForgotPasswordAnswerSchema,
  ForgotPasswordSchema,
  PasswordResetAvailabilitySchema,
  ResetPasswordWithLinkSchema,
} from '../../shared/schemas/password-reset.js';

const TAGS = ['Session'];

/** Nobody is signed in on these routes: only the client's address is known. */
const anonymous = (request: FastifyRequest): RequestContext => ({ actor: null, ip: request.ip });

/** A reset link's email goes through the mail queue, in the transaction that creates the link. */
function resetLinkMail({ outbox }: AppDeps): ResetLinkMail {
  return {
    configured: outbox.configured,
    enqueue: (trx, email) => enqueueEmail(trx, outbox, { ...email, kind: 'password_reset_link' }),
  };
}

export const passwordResetRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { db } = deps;
  const mail = resetLinkMail(deps);

  app.get(
    '/api/v1/auth/forgot-password',
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAGS,
        summary: 'Whether the sign-in page offers "Forgot password?"',
        description:
          'True when email is configured and an Administrator has not turned self-service password reset off ' +
          '(Settings). Says nothing about any account.',
        response: { 200: PasswordResetAvailabilitySchema, ...ERROR_RESPONSES },
      },
    },
    async () => ({ available: await passwordResetAvailable(db, mail) }),
  );

  app.post(
    '/api/v1/auth/forgot-password',
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAGS,
        summary: 'Forgot password: email a single-use link to choose a new one',
        description:
          'Always 202 with the same message, after about the same time, whether or not the email belongs to an ' +
          'account, and whatever the account is: only an enabled account with a Latchkey password gets a link, and ' +
          'only when email is configured and self-service password reset is on. The link works once, for 30 ' +
          'minutes, and ends on any password change. At most 3 requests per email and 20 per client address in ' +
          '15 minutes (counted whether or not an account exists); beyond that, 429 `password_reset_limited` with ' +
          'Retry-After. Audited as `password_reset.requested`.',
        body: ForgotPasswordSchema,
        response: { 202: ForgotPasswordAnswerSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await requestPasswordResetLink(db, anonymous(request), request.body.email, {
        publicUrl: deps.config.publicUrl,
        mail,
      });
      return reply.code(202).send({ message: FORGOT_PASSWORD_ANSWER });
    },
  );

  app.post(
    '/api/v1/auth/reset-password',
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAGS,
        summary: 'Choose a new password with an emailed link',
        description:
          '`token` is the part of the link after `#token=`. The password policy applies (field errors on ' +
          '`newPassword`). Every session of the account ends (its API token stays, as after an Administrator’s ' +
          'reset), "must change password" is cleared, a sign-in lock from wrong passwords ends (audited as ' +
          '`account.unlocked`) and every other link of the account ends. Nobody is signed ' +
          'in: the next sign-in asks for the password and, where the account has one, the second factor. An ' +
          'unknown, expired or used link: 400 `password_reset_link_invalid`, nothing changed. Audited as ' +
          '`user.password_reset` (reset by a link emailed to the account).',
        body: ResetPasswordWithLinkSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await resetPasswordWithLink(db, anonymous(request), request.body);
      return reply.code(204).send(null);
    },
  );
};
