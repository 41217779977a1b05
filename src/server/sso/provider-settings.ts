/**
 * The one reader of identity_providers rows for the sign-in flows: typed settings, the client
 * secret decrypted only when a flow needs it, the URLs Latchkey publishes as a service provider,
 * and the two public questions the sign-in page asks (which providers to offer, which provider
 * owns an email's domain). The Administrator's CRUD lives in providers.ts.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, IdentityProviderTable } from '../db/schema.js';
import { decryptSecret } from '../security/encryption.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  scopes: string;
  groupsClaim: string;
}

export interface SamlSettings {
  entityId: string;
  ssoUrl: string;
  logoutUrl: string;
  /** PEM. */
  certificate: string;
  groupsAttribute: string;
}

export type IdentityProviderRow = Selectable<IdentityProviderTable>;

export function oidcSettingsOf(row: IdentityProviderRow): OidcSettings {
  if (row.protocol !== 'oidc') throw new Error(`Identity provider ${row.id} is not OpenID Connect.`);
  return JSON.parse(row.settings) as OidcSettings;
}

export function samlSettingsOf(row: IdentityProviderRow): SamlSettings {
  if (row.protocol !== 'saml') throw new Error(`Identity provider ${row.id} is not SAML.`);
  return JSON.parse(row.settings) as SamlSettings;
}

/** Associated data for the encrypted client secret: a ciphertext copied to another provider fails. */
export function identityProviderSecretAad(providerId: string): string {
  return `identity_provider:${providerId}:client_secret`;
}

/** The OIDC client secret, or '' for a public client (PKCE only). */
export function clientSecretOf(row: IdentityProviderRow, secretKey: Buffer): string {
  if (!row.client_secret_encrypted) return '';
  return decryptSecret(secretKey, row.client_secret_encrypted, identityProviderSecretAad(row.id));
}

export async function findIdentityProvider(db: Kysely<Database>, id: string): Promise<IdentityProviderRow | undefined> {
  return db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** What Latchkey tells identity providers about itself (shown on the Identity Providers page). */
export function serviceProviderUrls(publicUrl: URL, providerId: string) {
  const base = publicUrl.origin + publicUrl.pathname.replace(/\/$/, '');
  return {
    /** OIDC redirect URI: one for all OIDC providers (the state says which provider). */
    oidcRedirectUri: `${base}/api/v1/sso/oidc/callback`,
    /** Where the OIDC provider sends people back after signing out there. */
    postLogoutRedirectUri: `${base}/login`,
    samlEntityId: `${base}/api/v1/sso/saml/${providerId}/metadata`,
    samlAcsUrl: `${base}/api/v1/sso/saml/${providerId}/acs`,
    samlMetadataUrl: `${base}/api/v1/sso/saml/${providerId}/metadata`,
  };
}

/** Where the browser goes to start signing in with this provider (a GET that redirects to it). */
export function ssoStartPath(row: Pick<IdentityProviderRow, 'id' | 'protocol'>): string {
  return `/api/v1/sso/${row.protocol}/${row.id}/start`;
}

/**
 * The provider a session signed in through, and where to sign out there too: OIDC through
 * Latchkey's logout route (RP-initiated logout at the provider's end_session_endpoint), SAML at
 * the provider's sign-out page when one is configured. Null for sessions not started by SSO.
 */
export async function sessionIdentityProvider(
  db: Kysely<Database>,
  sessionIdHash: string,
): Promise<{ id: string; name: string; signOutUrl: string | null } | null> {
  const provider = await db
    .selectFrom('sessions as s')
    .innerJoin('identity_providers as p', 'p.id', 's.identity_provider_id')
    .selectAll('p')
    .where('s.id_hash', '=', sessionIdHash)
    .executeTakeFirst();
  if (!provider) return null;
  const signOutUrl =
    provider.protocol === 'oidc'
      ? `/api/v1/sso/oidc/${provider.id}/logout`
      : samlSettingsOf(provider).logoutUrl || null;
  return { id: provider.id, name: provider.name, signOutUrl };
}

/** Enabled providers, sorted by name: the "Sign in with …" buttons. */
export async function listEnabledIdentityProviders(db: Db): Promise<IdentityProviderRow[]> {
  return db.selectFrom('identity_providers').selectAll().where('enabled', '=', 1).orderBy('name_normalized').execute();
}

/**
 * The enabled provider that owns the email's domain (the part after the last "@", in any letter
 * case), or undefined. It looks at domains only, so it says nothing about whether an account exists.
 */
export async function findIdentityProviderForEmail(db: Db, email: string): Promise<IdentityProviderRow | undefined> {
  const domain = email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
  if (!domain) return undefined;
  return db
    .selectFrom('identity_provider_domains as d')
    .innerJoin('identity_providers as p', 'p.id', 'd.provider_id')
    .selectAll('p')
    .where('d.domain', '=', domain)
    .where('p.enabled', '=', 1)
    .executeTakeFirst();
}
