/**
 * Route samples for the sso-oidc routes; see ../route-samples.ts for what a sample must be.
 *
 * Start and logout really succeed: they use a provider row pointing at a real test OpenID Provider,
 * started once on first use (only its discovery document is fetched; the browser never goes there)
 * and closed by closeSsoOidcSampleProvider in the access matrix's afterAll. The callback's sample
 * carries an unknown state, which it answers with 303 to /login?sso_error=expired: that IS its
 * normal handling of that input, and needs no provider round trip.
 */
import { PUBLIC } from '../../../src/server/auth/access.js';
import type { IdentityProviderRow } from '../../../src/server/sso/provider-settings.js';
import { serviceProviderUrls } from '../../../src/server/sso/provider-settings.js';
import { insertOidcProvider } from '../../helpers/identity-provider-fixtures.js';
import { startTestOidcProvider, type TestOidcProvider } from '../../helpers/oidc-provider.js';
import type { TestApp } from '../../helpers/test-app.js';
import type { RouteSample } from '../route-samples.js';

let testProvider: Promise<TestOidcProvider> | undefined;
const providerRows = new WeakMap<TestApp, Promise<IdentityProviderRow>>();

/** One enabled OIDC provider per test app, pointing at the shared test OpenID Provider. */
function sampleProvider(t: TestApp): Promise<IdentityProviderRow> {
  let row = providerRows.get(t);
  if (!row) {
    row = (async () => {
      testProvider ??= startTestOidcProvider({
        redirectUris: [serviceProviderUrls(t.config.publicUrl, 'any').oidcRedirectUri],
      });
      const op = await testProvider;
      return insertOidcProvider(t, {
        issuer: op.issuer,
        clientId: op.clientId,
        clientSecret: op.clientSecret,
        scopes: 'openid email profile',
        groupsClaim: 'groups',
      });
    })();
    providerRows.set(t, row);
  }
  return row;
}

/** Stops the test OpenID Provider the samples started, if they started one. */
export async function closeSsoOidcSampleProvider(): Promise<void> {
  const started = testProvider;
  testProvider = undefined;
  if (started) await (await started).close();
}

export const SSO_OIDC_ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/sso/oidc/:id/start': {
    access: PUBLIC,
    allowedStatus: 302,
    build: async ({ t }) => ({ params: { id: (await sampleProvider(t)).id }, query: { returnTo: '/users' } }),
  },
  // An unknown state: refused with 303 to /login, its normal answer (see the header).
  'GET /api/v1/sso/oidc/callback': {
    access: PUBLIC,
    allowedStatus: 303,
    build: () => ({ query: { code: 'sample-code', state: 'no-such-sign-in' } }),
  },
  'GET /api/v1/sso/oidc/:id/logout': {
    access: PUBLIC,
    allowedStatus: 302,
    build: async ({ t }) => ({ params: { id: (await sampleProvider(t)).id } }),
  },
};
