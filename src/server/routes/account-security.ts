import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requires, SIGNED_IN_EVEN_IF_PASSWORD_CHANGE_REQUIRED } from '../auth/access.js';
import { actorOf, contextOf } from '../auth/gate.js';
import type { AppDeps } from '../app-deps.js';
import {
  changeOwnPassword,
  generateApiToken,
  loadSecurityTab,
  revokeApiToken,
  setAccountStatus,
  updateSecurity,
  type SecurityContext,
} from '../services/account-security.js';
import { ERROR_RESPONSES, IdParamsSchema } from '../../shared/schemas/common.js';
import {
  ChangeOwnPasswordSchema,
  GeneratedApiTokenSchema,
  SecuritySettingsSchema,
  UpdateSecuritySchema,
} from '../../shared/schemas/security.js';
import { AccountStatusChangeSchema, UserSchema } from '../../shared/schemas/users.js';
import { getUser } from '../services/users.js';
import { presentUserInDetail } from '../presenters/accounts.js';
import { presentSecuritySettings } from '../presenters/account-security.js';
import { loadAccountDetail } from '../services/account-detail.js';
import { useNewSession } from './session-cookie.js';
import { clientOf } from './context.js';
import type { FastifyRequest } from 'fastify';

export const accountSecurityRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db, config, sessionCookie }) => {
  const securityContextOf = (request: FastifyRequest): SecurityContext => ({
    ...contextOf(request),
    userAgent: clientOf(request).userAgent,
    loginDelayStepMs: config.loginDelayStepMs,
  });

  app.get(
    '/api/v1/users/:id/security',
    {
      config: { access: requires('users_groups:view', { orSelfParam: 'id' }) },
      schema: {
        tags: ['Password & Security'],
        summary: "An account's Password & Security tab",
        description: '`can` says what the caller may change on this account. Refused (409) for SSO accounts.',
        params: IdParamsSchema,
        response: { 200: SecuritySettingsSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => presentSecuritySettings(await loadSecurityTab(db, request.params.id), actorOf(request)),
  );

  app.patch(
    '/api/v1/users/:id/security',
    {
      // Your own password needs no permission; every other field is checked per field by the
      // service's securityAbilities (the same rules the GET reports in `can`).
      config: { access: requires('users_groups:update', { orSelfParam: 'id' }) },
      schema: {
        tags: ['Password & Security'],
        summary: 'Save the Password & Security tab (the Change button): all of it, or nothing',
        description:
          '`resetPassword` needs `currentPassword` when it is your own password; turning off your own MFA ' +
          '(`mfaEnrolled: false`) needs `currentPassword` too, and is refused while an Administrator requires it. ' +
          'Either gives this browser a new session (a new cookie). `mustChangePassword` is for Administrators only. ' +
          'Disabling an account ends its sessions and deletes its API token at once (enabling it again brings back ' +
          'neither); a password reset ends the sessions.',
        params: IdParamsSchema,
        body: UpdateSecuritySchema,
        response: { 200: SecuritySettingsSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const ctx = securityContextOf(request);
      const { newSession } = await updateSecurity(db, ctx, request.params.id, request.body);
      if (newSession) useNewSession(request, reply, sessionCookie, newSession);
      return presentSecuritySettings(await loadSecurityTab(db, request.params.id), ctx.actor);
    },
  );

  app.put(
    '/api/v1/users/:id/account-status',
    {
      config: { access: requires('users_groups:update') },
      schema: {
        tags: ['Password & Security'],
        summary: 'Enable or disable an account (any account, SSO accounts included)',
        description:
          'The Account Status of the Password & Security tab on its own, for SSO accounts (which have no such tab) ' +
          'and scripts. Never your own account; an Administrator account only as an Administrator; never the last ' +
          'enabled Administrator. Disabling ends its sessions and deletes its API token at once, on every node; ' +
          'enabling it again brings back neither.',
        params: IdParamsSchema,
        body: AccountStatusChangeSchema,
        response: { 200: UserSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const ctx = securityContextOf(request);
      await setAccountStatus(db, ctx, request.params.id, request.body.accountStatus);
      return presentUserInDetail(await loadAccountDetail(db, await getUser(db, request.params.id)), ctx.actor);
    },
  );

  app.post(
    '/api/v1/users/:id/api-token',
    {
      config: { access: requires('administration:generate_api_tokens') },
      schema: {
        tags: ['Password & Security'],
        summary: "Generate (or regenerate) an account's API token",
        description: 'The full token is in this response only. The previous token stops working at once.',
        params: IdParamsSchema,
        response: { 201: GeneratedApiTokenSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const generated = await generateApiToken(db, securityContextOf(request), request.params.id);
      return reply.code(201).header('cache-control', 'no-store').send(generated);
    },
  );

  app.delete(
    '/api/v1/users/:id/api-token',
    {
      config: { access: requires('administration:generate_api_tokens') },
      schema: {
        tags: ['Password & Security'],
        summary: "Revoke an account's API token",
        description:
          "The token is refused from the next request on. Allowed as the tab's `can.revokeApiToken` says (whoever " +
          'may generate it); 404 when the account has no token.',
        params: IdParamsSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await revokeApiToken(db, securityContextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/me/password',
    {
      config: { access: SIGNED_IN_EVEN_IF_PASSWORD_CHANGE_REQUIRED },
      schema: {
        tags: ['Password & Security'],
        summary: 'Change your own password (also the forced change at next login)',
        description:
          'Your other sessions end; this browser gets a new session (a new cookie: the old session ID stops ' +
          'working). A wrong current password counts as a failed sign-in.',
        body: ChangeOwnPasswordSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { newSession } = await changeOwnPassword(db, securityContextOf(request), request.body);
      if (newSession) useNewSession(request, reply, sessionCookie, newSession);
      return reply.code(204).send(null);
    },
  );
};
