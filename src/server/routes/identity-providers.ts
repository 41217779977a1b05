/** Administrator's Identity Providers page API (configure_sso) and the public sign-in helpers (provider buttons, email-domain discovery). */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PUBLIC, requires } from '../auth/access.js';
import { actorOf, contextOf } from '../auth/gate.js';
import { presentIdentityProvider, presentSsoButton } from '../presenters/identity-providers.js';
import type { AppDeps } from '../app-deps.js';
import { fieldError } from '../app-error.js';
import { readSamlIdpMetadata, SamlMetadataError } from '../security/saml-metadata.js';
import { testIdentityProviderConnection } from '../sso/connection-test.js';
import { getIdentityProvider, listIdentityProviders, type IdentityProviderDetails } from '../sso/provider-details.js';
import { findIdentityProviderForEmail, listEnabledIdentityProviders } from '../sso/provider-settings.js';
import { createIdentityProvider, deleteIdentityProvider, updateIdentityProvider } from '../sso/providers.js';
import { ERROR_RESPONSES, IdParamsSchema } from '../../shared/schemas/common.js';
import {
  ConnectionTestSchema,
  CreateIdentityProviderSchema,
  IdentityProviderListSchema,
  IdentityProviderSchema,
  SamlMetadataRequestSchema,
  SamlMetadataSchema,
  SsoDiscoverQuerySchema,
  SsoDiscoverSchema,
  SsoProviderButtonListSchema,
  UpdateIdentityProviderSchema,
  GeneratedScimTokenSchema,
  ScimProvisioningSchema,
  UpdateScimProvisioningSchema,
} from '../../shared/schemas/identity-providers.js';
import { generateScimToken, revokeScimToken, scimProvisioning, setScimDeprovision } from '../sso/scim-tokens.js';
import { scimBaseUrl } from './scim.js';

const TAGS = ['Identity providers'];
const CONFIGURE_SSO = requires('administration:configure_sso');

export const identityProviderRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db, config }) => {
  const present = (details: IdentityProviderDetails, request: FastifyRequest) =>
    presentIdentityProvider(details, config.publicUrl, actorOf(request));

  app.get(
    '/api/v1/identity-providers',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: 'The identity providers (OpenID Connect and SAML 2.0), sorted by name',
        description: 'Client secrets are never returned: `oidc.hasClientSecret` says whether one is stored.',
        response: { 200: IdentityProviderListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      providers: (await listIdentityProviders(db)).map((details) => present(details, request)),
    }),
  );

  // A static path: Fastify's router prefers it to the `:id` routes whatever the registration order.
  app.post(
    '/api/v1/identity-providers/saml-metadata',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: "Read a SAML identity provider's metadata XML",
        description:
          'Returns the Entity ID, SSO URL (HTTP-Redirect binding, else HTTP-POST), logout URL and signing ' +
          'certificate found in an IdP EntityDescriptor, for the form to fill in. Nothing is saved. ' +
          'A DOCTYPE is refused.',
        body: SamlMetadataRequestSchema,
        response: { 200: SamlMetadataSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      try {
        // Awaited here, so a refusal is caught below.
        return await readSamlIdpMetadata(request.body.xml);
      } catch (error) {
        if (error instanceof SamlMetadataError) throw fieldError('xml', error.message);
        throw error;
      }
    },
  );

  app.post(
    '/api/v1/identity-providers',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: 'Add an identity provider',
        description:
          'Names are unique in any letter case; an email domain belongs to one provider. The OIDC client ' +
          'secret is stored encrypted and never shown again. The issuer and SAML URLs must be https ' +
          '(http only for 127.0.0.1, ::1 and localhost). The SAML certificate may be PEM or bare base64.',
        body: CreateIdentityProviderSchema,
        response: { 201: IdentityProviderSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const ctx = { ...contextOf(request), secretKey: config.secretKey };
      return reply.code(201).send(present(await createIdentityProvider(db, ctx, request.body), request));
    },
  );

  app.get(
    '/api/v1/identity-providers/:id',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: 'One identity provider',
        params: IdParamsSchema,
        response: { 200: IdentityProviderSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => present(await getIdentityProvider(db, request.params.id), request),
  );

  app.patch(
    '/api/v1/identity-providers/:id',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: 'Change an identity provider, or enable or disable it',
        description:
          'Fields left out keep their value; `emailDomains` and `groupMappings` replace the whole list. ' +
          '`oidc.clientSecret` left out keeps the stored secret; an empty string removes it. The protocol ' +
          'never changes. A rename also renames "Managed by" on the accounts it signs in.',
        params: IdParamsSchema,
        body: UpdateIdentityProviderSchema,
        response: { 200: IdentityProviderSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const ctx = { ...contextOf(request), secretKey: config.secretKey };
      return present(await updateIdentityProvider(db, ctx, request.params.id, request.body), request);
    },
  );

  app.delete(
    '/api/v1/identity-providers/:id',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: 'Remove an identity provider that no account signs in through',
        description: 'Refused (409 provider_has_accounts) while accounts are linked to it: disable it instead.',
        params: IdParamsSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await deleteIdentityProvider(db, contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/identity-providers/:id/test',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: "Test an identity provider's configuration",
        description:
          "OpenID Connect: reads the issuer's discovery document (5 s, redirects only on the same host) and " +
          'checks its issuer and endpoints, and that the stored client secret decrypts. SAML: the certificate ' +
          '(expiry, with a warning under 30 days), the SSO URL and the Entity ID. Each check is reported in ' +
          'words; a network failure is a failed check.',
        params: IdParamsSchema,
        response: { 200: ConnectionTestSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => testIdentityProviderConnection(db, config.secretKey, request.params.id),
  );

  const provisioning = async (id: string) => ({
    baseUrl: scimBaseUrl(config.publicUrl),
    ...(await scimProvisioning(db, id)),
  });

  app.get(
    '/api/v1/identity-providers/:id/scim',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: "The identity provider's SCIM provisioning: base URL, token (masked), latest changes",
        description:
          'The SCIM 2.0 service (`/scim/v2`, not in this document; see the README) lets the provider’s directory ' +
          'create, update, deactivate and delete its accounts. The token itself is shown only when generated.',
        params: IdParamsSchema,
        response: { 200: ScimProvisioningSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => provisioning(request.params.id),
  );

  app.patch(
    '/api/v1/identity-providers/:id/scim',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: 'Choose what a SCIM DELETE does: delete the account, or only disable it',
        params: IdParamsSchema,
        body: UpdateScimProvisioningSchema,
        response: { 200: ScimProvisioningSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      await setScimDeprovision(db, contextOf(request), request.params.id, request.body.deprovision);
      return provisioning(request.params.id);
    },
  );

  app.post(
    '/api/v1/identity-providers/:id/scim-token',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: "Generate (or regenerate) the identity provider's SCIM token",
        description:
          'The token is returned this once and stored only as a hash; a previous token stops working at once. ' +
          'It authenticates `/scim/v2` for this provider only, never `/api/v1`.',
        params: IdParamsSchema,
        response: { 201: GeneratedScimTokenSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => reply.code(201).send(await generateScimToken(db, contextOf(request), request.params.id)),
  );

  app.delete(
    '/api/v1/identity-providers/:id/scim-token',
    {
      config: { access: CONFIGURE_SSO },
      schema: {
        tags: TAGS,
        summary: "Revoke the identity provider's SCIM token",
        description: 'Refused from the next SCIM request on, on every node.',
        params: IdParamsSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await revokeScimToken(db, contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/sso/providers',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['Single sign-on'],
        summary: 'The enabled identity providers, for the sign-in page’s buttons',
        response: { 200: SsoProviderButtonListSchema, ...ERROR_RESPONSES },
      },
    },
    async () => ({ providers: (await listEnabledIdentityProviders(db)).map(presentSsoButton) }),
  );

  app.get(
    '/api/v1/sso/discover',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['Single sign-on'],
        summary: 'The enabled identity provider for an email address’s domain, if any',
        description:
          'Looks only at the part after the last "@" (in any letter case), never at accounts, so the ' +
          'answer says nothing about whether an account exists.',
        querystring: SsoDiscoverQuerySchema,
        response: { 200: SsoDiscoverSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const provider = await findIdentityProviderForEmail(db, request.query.email);
      return { provider: provider ? presentSsoButton(provider) : null };
    },
  );
};
