/**
 * Identity providers (single sign-on): the Administrator's Identity Providers page, and
 * the public side the sign-in page reads ("Sign in with …" buttons, routing an email's domain).
 */
import type { z } from 'zod';
import type {
  ConnectionTest,
  CreateIdentityProvider,
  GeneratedScimTokenSchema,
  IdentityProvider,
  ScimProvisioningSchema,
  SamlMetadataSchema,
  SsoProviderButtonSchema,
  UpdateIdentityProvider,
} from '../../shared/schemas/identity-providers.js';
import { request } from './client.js';

export type SamlMetadataFields = z.infer<typeof SamlMetadataSchema>;
export type SsoProviderButton = z.infer<typeof SsoProviderButtonSchema>;

const base = '/api/v1/identity-providers';
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

export async function listIdentityProviders(signal?: AbortSignal): Promise<IdentityProvider[]> {
  return (await request<{ providers: IdentityProvider[] }>(base, { signal })).providers;
}

export function getIdentityProvider(id: string, signal?: AbortSignal): Promise<IdentityProvider> {
  return request<IdentityProvider>(one(id), { signal });
}

export function createIdentityProvider(input: CreateIdentityProvider): Promise<IdentityProvider> {
  return request<IdentityProvider>(base, { method: 'POST', body: input });
}

export function updateIdentityProvider(id: string, changes: UpdateIdentityProvider): Promise<IdentityProvider> {
  return request<IdentityProvider>(one(id), { method: 'PATCH', body: changes });
}

export function deleteIdentityProvider(id: string): Promise<void> {
  return request<void>(one(id), { method: 'DELETE' });
}

/** Checks a saved provider's settings against the provider itself (discovery, certificate, …). */
export function testIdentityProvider(id: string): Promise<ConnectionTest> {
  return request<ConnectionTest>(`${one(id)}/test`, { method: 'POST' });
}

/** Reads an IdP metadata file on the server (nothing is saved): the fields to fill the form with. */
export function readSamlMetadata(xml: string): Promise<SamlMetadataFields> {
  return request<SamlMetadataFields>(`${base}/saml-metadata`, { method: 'POST', body: { xml } });
}

/** Public: the enabled providers, for the sign-in page's "Sign in with …" buttons. */
export async function listSsoProviders(signal?: AbortSignal): Promise<SsoProviderButton[]> {
  return (
    await request<{ providers: SsoProviderButton[] }>('/api/v1/sso/providers', { signal, expectUnauthenticated: true })
  ).providers;
}

/** Public: the provider that signs in people of this email's domain, or null. */
export async function discoverSsoProvider(email: string, signal?: AbortSignal): Promise<SsoProviderButton | null> {
  return (
    await request<{ provider: SsoProviderButton | null }>('/api/v1/sso/discover', {
      query: { email },
      signal,
      expectUnauthenticated: true,
    })
  ).provider;
}

/** Where the browser goes to sign in with a provider, and back to `returnTo` after. */
export function ssoStartHref(provider: SsoProviderButton, returnTo: string): string {
  return `${provider.startUrl}?returnTo=${encodeURIComponent(returnTo)}`;
}

export type ScimProvisioning = z.infer<typeof ScimProvisioningSchema>;
export type GeneratedScimToken = z.infer<typeof GeneratedScimTokenSchema>;

/** The provider's SCIM provisioning: base URL, token (masked), what DELETE does, the latest changes. */
export function getScimProvisioning(id: string, signal?: AbortSignal): Promise<ScimProvisioning> {
  return request<ScimProvisioning>(`${one(id)}/scim`, { signal });
}

export function setScimDeprovision(
  id: string,
  deprovision: ScimProvisioning['deprovision'],
): Promise<ScimProvisioning> {
  return request<ScimProvisioning>(`${one(id)}/scim`, { method: 'PATCH', body: { deprovision } });
}

/** A new SCIM token (the previous one stops working): returned this once. */
export function generateScimToken(id: string): Promise<GeneratedScimToken> {
  return request<GeneratedScimToken>(`${one(id)}/scim-token`, { method: 'POST' });
}

export function revokeScimToken(id: string): Promise<void> {
  return request<void>(`${one(id)}/scim-token`, { method: 'DELETE' });
}
