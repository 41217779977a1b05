/** Your own multi-factor authentication: authenticator apps, passkeys and recovery codes. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SIGNED_IN, SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED } from '../auth/access.js';
import { actorOf, contextOf } from '../auth/gate.js';
import { clientOf } from './context.js';
import type { AppDeps } from '../app-deps.js';
import { assertCurrentPassword } from '../services/account-security.js';
import { relyingPartyFor } from '../services/passkeys.js';
import {
  confirmTotpEnrollment,
  getOwnMfaStatus,
  regenerateRecoveryCodes,
  registerPasskey,
  removeOwnFactor,
  startPasskeyRegistration,
  startTotpEnrollment,
  type CurrentPasswordCheck,
  type MfaContext,
} from '../services/mfa.js';
import { rotateRequestSession } from './session-cookie.js';
import { ERROR_RESPONSES } from '../../shared/schemas/common.js';
import {
  ConfirmedTotpSchema,
  ConfirmTotpSchema,
  MfaStatusSchema,
  PasskeyCreationOptionsSchema,
  PasswordConfirmationSchema,
  RecoveryCodesSchema,
  RegisteredPasskeySchema,
  RegisterPasskeySchema,
  StartPasskeyRegistrationSchema,
  StartTotpEnrollmentSchema,
  TotpEnrollmentSchema,
} from '../../shared/schemas/mfa.js';

const FactorParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const mfaRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db, config, sessionCookie }) => {
  const relyingParty = relyingPartyFor(config.publicUrl);
  const mfaContextOf = (request: FastifyRequest): MfaContext => ({
    ...contextOf(request),
    userAgent: clientOf(request).userAgent,
    secretKey: config.secretKey,
    relyingParty,
  });
  /** Checks the current password again; a re-authentication, so this session is rotated after it. */
  const passwordCheck =
    (request: FastifyRequest, reply: FastifyReply): CurrentPasswordCheck =>
    async (target, currentPassword) => {
      await assertCurrentPassword(
        db,
        {
          actor: actorOf(request),
          ip: request.ip,
          userAgent: String(request.headers['user-agent'] ?? ''),
          loginDelayStepMs: config.loginDelayStepMs,
        },
        target,
        currentPassword,
      );
      await rotateRequestSession(db, request, reply, sessionCookie);
    };

  app.get(
    '/api/v1/me/mfa',
    {
      config: { access: SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED },
      schema: {
        tags: ['Multi-factor authentication'],
        summary: 'Your authenticators (date added, last use) and how many recovery codes are left',
        description: 'Never a secret.',
        response: { 200: MfaStatusSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => getOwnMfaStatus(db, actorOf(request)),
  );

  app.post(
    '/api/v1/me/mfa/totp',
    {
      config: { access: SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED },
      schema: {
        tags: ['Multi-factor authentication'],
        summary: 'Start setting up an authenticator app',
        description:
          'Returns a new secret (text, otpauth:// URI and QR code) in this response only. Needs `currentPassword`, ' +
          'except right after signing in to an account that must set up MFA. Not active until confirmed.',
        body: StartTotpEnrollmentSchema,
        response: { 201: TotpEnrollmentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const enrollment = await startTotpEnrollment(
        db,
        mfaContextOf(request),
        request.body,
        passwordCheck(request, reply),
      );
      return reply.code(201).send(enrollment);
    },
  );

  app.post(
    '/api/v1/me/mfa/totp/confirm',
    {
      config: { access: SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED },
      schema: {
        tags: ['Multi-factor authentication'],
        summary: 'Confirm the authenticator app with a code from it',
        description:
          'Activates it. For your first authenticator, the response holds ten single-use recovery codes: shown this once.',
        body: ConfirmTotpSchema,
        response: { 200: ConfirmedTotpSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => confirmTotpEnrollment(db, mfaContextOf(request), request.body),
  );

  app.post(
    '/api/v1/me/mfa/passkeys/options',
    {
      config: { access: SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED },
      schema: {
        tags: ['Multi-factor authentication'],
        summary: 'Start adding a passkey: WebAuthn creation options',
        description:
          'For @simplewebauthn/browser startRegistration() (or navigator.credentials.create()). Needs ' +
          '`currentPassword`, except right after signing in to an account that must set up MFA. The challenge is ' +
          'single-use and expires after 5 minutes; asking again replaces it.',
        body: StartPasskeyRegistrationSchema,
        response: { 200: PasskeyCreationOptionsSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) =>
      startPasskeyRegistration(db, mfaContextOf(request), request.body, passwordCheck(request, reply)),
  );

  app.post(
    '/api/v1/me/mfa/passkeys',
    {
      config: { access: SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED },
      schema: {
        tags: ['Multi-factor authentication'],
        summary: "Add a passkey: the authenticator's answer to the creation options, and a name",
        description:
          "Verified against the challenge from POST /api/v1/me/mfa/passkeys/options, this site's origin and " +
          'domain. For your first authenticator, the response holds ten single-use recovery codes: shown this once.',
        body: RegisterPasskeySchema,
        response: { 201: RegisteredPasskeySchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const registered = await registerPasskey(db, mfaContextOf(request), request.body);
      return reply.code(201).send(registered);
    },
  );

  app.delete(
    '/api/v1/me/mfa/factors/:id',
    {
      config: { access: SIGNED_IN },
      schema: {
        tags: ['Multi-factor authentication'],
        summary: 'Remove one of your authenticators (current password needed)',
        description: 'The last one cannot be removed while MFA is on; an Administrator can reset it.',
        params: FactorParamsSchema,
        body: PasswordConfirmationSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await removeOwnFactor(db, mfaContextOf(request), request.params.id, request.body, passwordCheck(request, reply));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/me/mfa/recovery-codes',
    {
      config: { access: SIGNED_IN },
      schema: {
        tags: ['Multi-factor authentication'],
        summary: 'Make new recovery codes (the old ones stop working; current password needed)',
        body: PasswordConfirmationSchema,
        response: { 200: RecoveryCodesSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => ({
      recoveryCodes: await regenerateRecoveryCodes(
        db,
        mfaContextOf(request),
        request.body,
        passwordCheck(request, reply),
      ),
    }),
  );
};
