/** SAML 2.0 sign-in: SP metadata, start (HTTP-Redirect), ACS (HTTP-POST). */
import { parse as parseQueryString } from 'node:querystring';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { AppError } from '../app-error.js';
import { PUBLIC, PUBLIC_CROSS_SITE_POST } from '../auth/access.js';
import {
  buildSamlAuthorizeUrl,
  buildServiceProviderMetadata,
  generateSamlRequestId,
  verifySamlResponse,
} from '../sso/saml.js';
import { recordSamlAssertionUse } from '../sso/used-assertions.js';
import { findIdentityProvider, type IdentityProviderRow } from '../sso/provider-settings.js';
import { consumeSsoFlow, SSO_BINDING_COOKIE, startSsoFlow } from '../sso/flows.js';
import { SsoSignInError } from '../sso/sign-in.js';
import { ERROR_RESPONSES, IdParamsSchema } from '../../shared/schemas/common.js';
import {
  finishSsoSignIn,
  loginErrorUrl,
  refuseSsoSignIn,
  ssoBindingCookieOptions,
  ssoBindingOf,
} from './sso-session.js';

/** A SAMLResponse of a large IdP is tens of KiB; its base64 in a form stays well under this. */
const ACS_BODY_LIMIT = 1024 * 1024;

const StartQuerySchema = z.object({
  /** Where to land in Latchkey afterwards: a path inside the app; anything else becomes "/". */
  returnTo: z.string().max(2000).optional(),
});

const AcsBodySchema = z.object({
  SAMLResponse: z.string().min(1, 'SAMLResponse is required.').max(ACS_BODY_LIMIT),
  /** Echoed by the IdP; never used for anything (the return path comes from the flow). */
  RelayState: z.string().max(2000).optional(),
});

const RedirectResponse = z.null().describe('A redirect (Location header).');

export const ssoSamlRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { db, config } = deps;

  // The IdP's page posts a classic HTML form. Scoped to this plugin: no other route takes forms.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: ACS_BODY_LIMIT },
    (_request, body, done) => {
      done(null, { ...parseQueryString(body as string) });
    },
  );

  async function samlProvider(id: string): Promise<IdentityProviderRow | undefined> {
    const provider = await findIdentityProvider(db, id);
    return provider?.protocol === 'saml' ? provider : undefined;
  }

  app.get(
    '/api/v1/sso/saml/:id/start',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['Single sign-on'],
        summary: 'Start signing in with a SAML identity provider',
        description:
          'Redirects (302) the browser to the identity provider with an AuthnRequest (HTTP-Redirect binding), after ' +
          'starting a single-use sign-in flow (10 minutes) bound to this browser by a cookie. An unknown, non-SAML or ' +
          'disabled provider redirects (303) to /login?sso_error=provider_disabled.',
        params: IdParamsSchema,
        querystring: StartQuerySchema,
        response: { 302: RedirectResponse, 303: RedirectResponse, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const provider = await samlProvider(request.params.id);
      if (!provider) return reply.redirect(loginErrorUrl('provider_disabled'), 303);
      if (provider.enabled !== 1)
        return refuseSsoSignIn(deps, request, reply, {
          provider,
          code: 'provider_disabled',
          reason: 'sso_provider_disabled',
        });
      const requestId = generateSamlRequestId();
      let location: string;
      try {
        // Built before the flow is stored, so a provider with broken settings leaves no flow behind.
        // RelayState carries the provider ID only for the IdP's own logs: the ACS ignores it.
        location = await buildSamlAuthorizeUrl(db, config.publicUrl, provider, {
          requestId,
          relayState: provider.id,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return refuseSsoSignIn(deps, request, reply, {
          provider,
          code: 'failed',
          reason: `sso_provider_misconfigured: ${message}`,
        });
      }
      const flow = await startSsoFlow(db, {
        providerId: provider.id,
        key: requestId,
        binding: ssoBindingOf(request),
        returnTo: request.query.returnTo,
      });
      reply.setCookie(SSO_BINDING_COOKIE, flow.binding, ssoBindingCookieOptions(deps, 'none'));
      return reply.redirect(location, 302);
    },
  );

  app.post(
    '/api/v1/sso/saml/:id/acs',
    {
      // The IdP's page posts this cross-site: the signed assertion and the single-use request ID are
      // the proof, not Origin headers.
      config: { access: PUBLIC_CROSS_SITE_POST },
      bodyLimit: ACS_BODY_LIMIT,
      schema: {
        tags: ['Single sign-on'],
        summary: 'SAML Assertion Consumer Service (HTTP-POST binding)',
        description:
          'Where the identity provider posts its SAMLResponse (application/x-www-form-urlencoded). The assertion must ' +
          'be signed by the configured certificate, be for this Latchkey (audience, recipient), be within its time ' +
          'window, answer a live request of this browser (InResponseTo) and not have been used before. On success: ' +
          'a session cookie and a 303 into the app; on any refusal: a 303 to /login?sso_error=<code> (the reason is in ' +
          'the login history).',
        params: IdParamsSchema,
        body: AcsBodySchema,
        response: { 303: RedirectResponse, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const provider = (await samlProvider(request.params.id)) ?? null;
      try {
        if (!provider) throw new SsoSignInError('failed', 'sso_unknown_provider: no SAML provider with this ID');
        if (provider.enabled !== 1) throw new SsoSignInError('provider_disabled', 'sso_provider_disabled');
        const verified = await verifySamlResponse(db, config.publicUrl, provider, request.body.SAMLResponse);
        // Over HTTPS the binding cookie is SameSite=None and comes along with the IdP's cross-site
        // POST, so it must match. Over plain HTTP it is SameSite=Lax (browsers refuse None without
        // Secure) and is NOT sent on a cross-site POST, so it cannot be checked; the signed,
        // single-use request ID still ties the answer to a request Latchkey made.
        const https = config.publicUrl.protocol === 'https:';
        const flow = await consumeSsoFlow(db, {
          key: verified.requestId,
          providerId: provider.id,
          binding: https ? { cookie: ssoBindingOf(request) } : 'not-checked',
        });
        if (!flow)
          throw new SsoSignInError(
            'expired',
            'sso_unknown_request: the request is unknown, expired, already used or from another browser',
          );
        await recordSamlAssertionUse(db, provider.id, verified.assertionId, verified.acceptedUntilMs);
        return await finishSsoSignIn(deps, request, reply, provider, verified.profile, flow.return_to);
      } catch (error) {
        if (!(error instanceof SsoSignInError)) throw error;
        return refuseSsoSignIn(deps, request, reply, { provider, code: error.code, reason: error.reason });
      }
    },
  );

  app.get(
    '/api/v1/sso/saml/:id/metadata',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['Single sign-on'],
        summary: "Latchkey's SAML service provider metadata for one identity provider",
        description:
          'The XML to give the identity provider administrator: Entity ID, Assertion Consumer Service URL ' +
          '(HTTP-POST) and that assertions must be signed. 404 for an unknown or non-SAML provider.',
        params: IdParamsSchema,
        response: { 200: z.string(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const provider = await samlProvider(request.params.id);
      if (!provider) throw new AppError('not_found');
      return reply
        .type('application/samlmetadata+xml; charset=utf-8')
        .send(await buildServiceProviderMetadata(config.publicUrl, provider));
    },
  );
};
