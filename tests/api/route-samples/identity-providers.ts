/** Route samples for the identity-providers routes; see ../route-samples.ts for what a sample must be. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PUBLIC, requires } from '../../../src/server/auth/access.js';
import { SYSTEM_GROUP_IDS } from '../../../src/shared/permissions.js';
import { insertSamlProvider } from '../../helpers/identity-provider-fixtures.js';
import type { TestApp } from '../../helpers/test-app.js';
import type { RouteSample } from '../route-samples.js';

const random = () => randomBytes(4).toString('hex');
const CONFIGURE_SSO = requires('administration:configure_sso');
const IDP_CERT = readFileSync(new URL('../../fixtures/saml/idp-cert.pem', import.meta.url), 'utf8');

/** A SAML provider: testing it reads no network, so the sample answers at once. */
const samlProvider = (t: TestApp) =>
  insertSamlProvider(t, {
    entityId: `https://idp-${random()}.example/entity`,
    ssoUrl: 'https://idp.example/sso',
    logoutUrl: '',
    certificate: IDP_CERT,
    groupsAttribute: 'groups',
  });

const METADATA = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/entity">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

export const IDENTITY_PROVIDERS_ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/identity-providers': { access: CONFIGURE_SSO, build: () => ({}) },
  'POST /api/v1/identity-providers': {
    access: CONFIGURE_SSO,
    audits: ['identity_provider.created'],
    build: () => ({
      body: {
        protocol: 'saml',
        name: `Sample IdP ${random()}`,
        defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
        saml: { entityId: 'https://idp.example/entity', ssoUrl: 'https://idp.example/sso', certificate: IDP_CERT },
      },
    }),
  },
  'POST /api/v1/identity-providers/saml-metadata': {
    access: CONFIGURE_SSO,
    // No audit entry: reads metadata into a form; stores nothing.
    audits: [],
    build: () => ({ body: { xml: METADATA } }),
  },
  'GET /api/v1/identity-providers/:id': {
    access: CONFIGURE_SSO,
    build: async (ctx) => ({ params: { id: (await samlProvider(ctx.t)).id } }),
  },
  'PATCH /api/v1/identity-providers/:id': {
    access: CONFIGURE_SSO,
    audits: ['identity_provider.updated'],
    build: async (ctx) => ({
      params: { id: (await samlProvider(ctx.t)).id },
      body: { name: `Renamed IdP ${random()}`, enabled: false },
    }),
  },
  'DELETE /api/v1/identity-providers/:id': {
    access: CONFIGURE_SSO,
    audits: ['identity_provider.deleted'],
    build: async (ctx) => ({ params: { id: (await samlProvider(ctx.t)).id } }),
  },
  'POST /api/v1/identity-providers/:id/test': {
    access: CONFIGURE_SSO,
    // No audit entry: tries the connection; stores nothing.
    audits: [],
    build: async (ctx) => ({ params: { id: (await samlProvider(ctx.t)).id } }),
  },
  'GET /api/v1/identity-providers/:id/scim': {
    access: CONFIGURE_SSO,
    build: async (ctx) => ({ params: { id: (await samlProvider(ctx.t)).id } }),
  },
  'PATCH /api/v1/identity-providers/:id/scim': {
    access: CONFIGURE_SSO,
    audits: ['identity_provider.updated'],
    build: async (ctx) => ({ params: { id: (await samlProvider(ctx.t)).id }, body: { deprovision: 'disable' } }),
  },
  'POST /api/v1/identity-providers/:id/scim-token': {
    access: CONFIGURE_SSO,
    audits: ['scim_token.generated'],
    allowedStatus: 201,
    build: async (ctx) => ({ params: { id: (await samlProvider(ctx.t)).id } }),
  },
  'DELETE /api/v1/identity-providers/:id/scim-token': {
    access: CONFIGURE_SSO,
    audits: ['scim_token.revoked'],
    build: async (ctx) => {
      const provider = await samlProvider(ctx.t);
      await ctx.t.db
        .insertInto('scim_tokens')
        .values({
          provider_id: provider.id,
          token_hash: randomBytes(32).toString('hex'),
          masked: 'lkscim_abcd…wxyz',
          created_at: new Date().toISOString(),
          created_by: null,
          last_used_at: null,
          last_used_ip: null,
        })
        .execute();
      return { params: { id: provider.id } };
    },
  },
  'GET /api/v1/sso/providers': { access: PUBLIC, build: () => ({}) },
  'GET /api/v1/sso/discover': { access: PUBLIC, build: () => ({ query: { email: 'someone@corp.example' } }) },
};
