/** Route samples for the sso-saml routes; see ../route-samples.ts for what a sample must be. */
import { randomBytes } from 'node:crypto';
import { PUBLIC, PUBLIC_CROSS_SITE_POST } from '../../../src/server/auth/access.js';
import { serviceProviderUrls, type IdentityProviderRow } from '../../../src/server/sso/provider-settings.js';
import { insertSamlProvider } from '../../helpers/identity-provider-fixtures.js';
import { buildSamlResponse, readRedirectAuthnRequest, TEST_IDP_CERT } from '../../helpers/saml-idp.js';
import type { TestApp } from '../../helpers/test-app.js';
import type { RouteSample } from '../route-samples.js';

const ENTITY_ID = 'https://idp.samples.example/saml';
const providers = new WeakMap<TestApp, Promise<IdentityProviderRow>>();

/** One enabled SAML provider per test app, trusting the test IdP's certificate. */
function sampleProvider(t: TestApp): Promise<IdentityProviderRow> {
  let provider = providers.get(t);
  if (!provider) {
    provider = insertSamlProvider(
      t,
      {
        entityId: ENTITY_ID,
        ssoUrl: 'https://idp.samples.example/sso',
        logoutUrl: '',
        certificate: TEST_IDP_CERT,
        groupsAttribute: 'groups',
      },
      { name: 'Route sample SAML' },
    );
    providers.set(t, provider);
  }
  return provider;
}

export const SSO_SAML_ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/sso/saml/:id/start': {
    access: PUBLIC,
    allowedStatus: 302,
    build: async (ctx) => ({ params: { id: (await sampleProvider(ctx.t)).id }, query: { returnTo: '/users' } }),
  },
  // A real signed answer to a real sign-in start: it signs a new SSO account in (and, as every
  // sign-in does, ends the session the browser presented, hence a fresh caller).
  'POST /api/v1/sso/saml/:id/acs': {
    access: PUBLIC_CROSS_SITE_POST,
    // The sample signs in an account the provider asserts for the first time: it is created.
    audits: ['sso.account_created', 'sso.signed_in'],
    allowedStatus: 303,
    freshCaller: true,
    build: async (ctx) => {
      const provider = await sampleProvider(ctx.t);
      const started = await ctx.t.app.inject({ method: 'GET', url: `/api/v1/sso/saml/${provider.id}/start` });
      const request = await readRedirectAuthnRequest(String(started.headers.location));
      const sp = serviceProviderUrls(ctx.t.config.publicUrl, provider.id);
      const id = randomBytes(6).toString('hex');
      const samlResponse = buildSamlResponse({
        issuer: ENTITY_ID,
        acsUrl: sp.samlAcsUrl,
        audience: sp.samlEntityId,
        inResponseTo: request.id,
        person: { nameId: `sample-${id}`, attributes: { email: `saml-sample-${id}@corp.example` } },
      });
      return {
        params: { id: provider.id },
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLResponse: samlResponse }).toString(),
      };
    },
  },
  'GET /api/v1/sso/saml/:id/metadata': {
    access: PUBLIC,
    build: async (ctx) => ({ params: { id: (await sampleProvider(ctx.t)).id } }),
  },
};
