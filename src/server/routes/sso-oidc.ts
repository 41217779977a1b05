/**
 * OpenID Connect sign-in: start, callback, provider sign-out. All three are public GETs the
 * browser follows; every answer is a redirect (into the app, to the provider, or back to the
 * sign-in page with a generic `sso_error`), never an error page, except 404 for an unknown
 * provider ID. The detailed reason of a refusal goes to the log and the login history only.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { AppError } from '../app-error.js';
import { PUBLIC } from '../auth/access.js';
import { decryptSecret, encryptSecret } from '../security/encryption.js';
import {
  buildOidcAuthorizationRequest,
  buildOidcEndSessionUrl,
  completeOidcAuthorization,
  discoverCached,
  oidcProfileFromClaims,
  type OidcConfiguration,
} from '../sso/oidc.js';
import { hashSecret } from '../security/secrets.js';
import {
  clientSecretOf,
  findIdentityProvider,
  oidcSettingsOf,
  serviceProviderUrls,
  type IdentityProviderRow,
} from '../sso/provider-settings.js';
import { consumeSsoFlow, SSO_BINDING_COOKIE, startSsoFlow } from '../sso/flows.js';
import { ERROR_RESPONSES, IdParamsSchema } from '../../shared/schemas/common.js';
import { finishSsoSignIn, refuseSsoSignIn, ssoBindingCookieOptions, ssoBindingOf } from './sso-session.js';

const TAGS = ['Single sign-on'];
/** Generous for real providers' values, small enough that nothing huge reaches the log. */
const queryValue = z.string().max(4096).optional();
const StartQuerySchema = z.object({ returnTo: z.string().max(2000).optional() });
const CallbackQuerySchema = z.object({
  code: queryValue,
  state: queryValue,
  error: queryValue,
  error_description: queryValue,
});

/**
 * Associated data for a flow's encrypted PKCE verifier: it names the flow (by the hash it is
 * stored under), so a verifier copied into another flow's row does not decrypt there.
 */
function pkceVerifierAad(state: string): string {
  return `sso_login_flows:${hashSecret(state)}:pkce_verifier`;
}

/** The text after `?` exactly as the browser sent it: the library compares what it parses itself. */
function rawQueryOf(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index === -1 ? '' : request.url.slice(index + 1);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function findOidcProvider(deps: AppDeps, id: string): Promise<IdentityProviderRow> {
  const provider = await findIdentityProvider(deps.db, id);
  if (!provider || provider.protocol !== 'oidc') throw new AppError('not_found');
  return provider;
}

function configurationFor(deps: AppDeps, provider: IdentityProviderRow): Promise<OidcConfiguration> {
  const settings = oidcSettingsOf(provider);
  return discoverCached(provider, settings, () => clientSecretOf(provider, deps.config.secretKey));
}

export const ssoOidcRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { db, config } = deps;

  app.get(
    '/api/v1/sso/oidc/:id/start',
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAGS,
        summary: 'Start signing in with an OpenID Connect provider',
        description:
          'Redirects (302) the browser to the provider with an authorization code request (PKCE S256, state, nonce) ' +
          'and sets a cookie binding the sign-in to this browser. `returnTo` is a path inside Latchkey to land on ' +
          'afterwards (anything else lands on /). A disabled provider, or one that cannot be reached, answers 303 ' +
          'to /login?sso_error=….',
        params: IdParamsSchema,
        querystring: StartQuerySchema,
        response: ERROR_RESPONSES,
      },
    },
    async (request, reply) => {
      const provider = await findOidcProvider(deps, request.params.id);
      if (provider.enabled !== 1)
        return refuseSsoSignIn(deps, request, reply, {
          provider,
          code: 'provider_disabled',
          reason: 'sso_provider_disabled',
        });
      const settings = oidcSettingsOf(provider);
      let configuration: OidcConfiguration;
      try {
        configuration = await configurationFor(deps, provider);
      } catch (error) {
        return refuseSsoSignIn(deps, request, reply, {
          provider,
          code: 'failed',
          reason: `sso_discovery_failed: ${messageOf(error)}`,
        });
      }
      const authorization = await buildOidcAuthorizationRequest(configuration, {
        redirectUri: serviceProviderUrls(config.publicUrl, provider.id).oidcRedirectUri,
        scopes: settings.scopes,
      });
      const { state } = authorization;
      const flow = await startSsoFlow(db, {
        providerId: provider.id,
        key: state,
        binding: ssoBindingOf(request),
        pkceVerifierEncrypted: encryptSecret(config.secretKey, authorization.codeVerifier, pkceVerifierAad(state)),
        nonce: authorization.nonce,
        returnTo: request.query.returnTo,
      });
      reply.setCookie(SSO_BINDING_COOKIE, flow.binding, ssoBindingCookieOptions(deps));
      return reply.redirect(authorization.url.href, 302);
    },
  );

  app.get(
    '/api/v1/sso/oidc/callback',
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAGS,
        summary: "The OpenID Connect provider's answer (the redirect URI)",
        description:
          'Consumes the sign-in started in this browser (single use, 10 minutes), redeems the code and lets ' +
          'openid-client validate the ID token, then signs the person in: 303 to where they were going with a ' +
          'session cookie, or 303 to /login?sso_error=… (the reason is in the login history).',
        querystring: CallbackQuerySchema,
        response: ERROR_RESPONSES,
      },
    },
    async (request, reply) => {
      const query = request.query;
      const refuse = (
        provider: IdentityProviderRow | null,
        code: 'expired' | 'failed' | 'provider_disabled',
        reason: string,
      ) => refuseSsoSignIn(deps, request, reply, { provider, code, reason });

      // Consumed first, whatever the answer says: a state is good for one answer only.
      const flow = await consumeSsoFlow(db, { key: query.state ?? '', binding: { cookie: ssoBindingOf(request) } });
      if (!flow)
        return refuse(
          null,
          'expired',
          query.state
            ? 'sso_state_invalid: unknown, expired or already used, or started in another browser'
            : 'sso_state_invalid: the answer carries no state',
        );
      const provider = await findIdentityProvider(db, flow.provider_id);
      if (!provider || provider.protocol !== 'oidc')
        return refuse(null, 'failed', 'sso_provider_missing: the identity provider was removed during the sign-in');
      if (provider.enabled !== 1) return refuse(provider, 'provider_disabled', 'sso_provider_disabled');
      if (query.error) {
        const description = query.error_description ? ` (${query.error_description.slice(0, 200)})` : '';
        return refuse(provider, 'failed', `sso_idp_error: ${query.error.slice(0, 100)}${description}`);
      }

      let profile;
      try {
        if (!flow.pkce_verifier_encrypted || !flow.nonce)
          throw new Error('the sign-in flow has no PKCE verifier or nonce');
        const configuration = await configurationFor(deps, provider);
        const currentUrl = new URL(serviceProviderUrls(config.publicUrl, provider.id).oidcRedirectUri);
        currentUrl.search = rawQueryOf(request);
        const claims = await completeOidcAuthorization(configuration, currentUrl, {
          codeVerifier: decryptSecret(config.secretKey, flow.pkce_verifier_encrypted, pkceVerifierAad(query.state!)),
          state: query.state!,
          nonce: flow.nonce,
          groupsClaim: oidcSettingsOf(provider).groupsClaim,
        });
        profile = oidcProfileFromClaims(claims, oidcSettingsOf(provider).groupsClaim);
      } catch (error) {
        // The library's messages name the failed check, never a token or the code.
        return refuse(provider, 'failed', `sso_invalid_response: ${messageOf(error)}`);
      }
      return finishSsoSignIn(deps, request, reply, provider, profile, flow.return_to);
    },
  );

  app.get(
    '/api/v1/sso/oidc/:id/logout',
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAGS,
        summary: "Sign out at the OpenID Connect provider too (after ending Latchkey's session)",
        description:
          "Redirects (302) to the provider's end_session_endpoint, which sends the browser back to /login; " +
          'a provider without one (or out of reach) redirects straight to /login. Ends no Latchkey session itself.',
        params: IdParamsSchema,
        response: ERROR_RESPONSES,
      },
    },
    async (request, reply) => {
      const provider = await findOidcProvider(deps, request.params.id);
      let target: string | null = null;
      try {
        target = await buildOidcEndSessionUrl(await configurationFor(deps, provider), {
          clientId: oidcSettingsOf(provider).clientId,
          postLogoutRedirectUri: serviceProviderUrls(config.publicUrl, provider.id).postLogoutRedirectUri,
        });
      } catch (error) {
        request.log.warn({ provider: provider.id, reason: messageOf(error) }, 'identity provider sign-out unavailable');
      }
      return reply.redirect(target ?? '/login', 302);
    },
  );
};
