/**
 * OpenID Connect relying party: a thin wrapper over openid-client 6, which does the protocol
 * checks (PKCE, state, nonce, the `iss` response parameter, and the ID token's signature, issuer,
 * audience, expiry and nonce). Nothing here re-implements a check the library makes; this file
 * only chooses the options and turns verified claims into an SsoProfile.
 */
import type * as OpenidClient from 'openid-client';
import type { SsoProfile } from './profile.js';
import { once } from '../once.js';
import { isLoopbackHost } from './loopback.js';

/** Loaded on the first OIDC request, not at start-up: importing it (with jose) took ~40 ms (measured). */
const loadOpenidClient = once(() => import('openid-client'));

/** How long discovered IdP metadata (endpoints, JWKS location) is reused in this process. */
export const OIDC_METADATA_CACHE_MS = 10 * 60 * 1000;
/** Seconds any single request to the identity provider may take. */
const REQUEST_TIMEOUT_S = 10;

export type OidcConfiguration = OpenidClient.Configuration;

/**
 * Fetches the provider's discovery document and returns a client configuration for it. An empty
 * secret makes a public client (PKCE only, no client authentication).
 */
export async function discover(issuer: string, clientId: string, clientSecret: string): Promise<OidcConfiguration> {
  const url = new URL(issuer);
  // Plain http only to this machine (loopback.ts); elsewhere openid-client's refusal stands.
  const insecure = url.protocol === 'http:' && isLoopbackHost(url);
  const oidc = await loadOpenidClient();
  return oidc.discovery(url, clientId, undefined, clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(), {
    timeout: REQUEST_TIMEOUT_S,
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
}

const cache = new Map<string, { configuration: OidcConfiguration; expiresAt: number }>();

/**
 * `discover`, remembered per provider for OIDC_METADATA_CACHE_MS. It is the IdP's public metadata,
 * not a decision about anyone, so a per-process cache is fine; the key carries `updated_at`, so an
 * Administrator's change (issuer, client ID, secret) is used on the very next sign-in. Failures
 * are not remembered.
 */
export async function discoverCached(
  provider: { id: string; updated_at: string },
  settings: { issuer: string; clientId: string },
  clientSecret: () => string,
): Promise<OidcConfiguration> {
  const now = Date.now();
  for (const [key, entry] of cache) if (entry.expiresAt <= now) cache.delete(key);
  const key = `${provider.id}:${provider.updated_at}`;
  const cached = cache.get(key);
  if (cached) return cached.configuration;
  const configuration = await discover(settings.issuer, settings.clientId, clientSecret());
  cache.set(key, { configuration, expiresAt: now + OIDC_METADATA_CACHE_MS });
  return configuration;
}

/** Forgets every remembered configuration (tests that restart a provider on another port). */
export function clearOidcMetadataCache(): void {
  cache.clear();
}

export interface OidcAuthorizationRequest {
  url: URL;
  /** Random; comes back with the answer and names the flow (sso_login_flows). */
  state: string;
  /** Kept server-side (encrypted) until the callback; never sent to the browser. */
  codeVerifier: string;
  nonce: string;
}

/** Scopes as configured, always with `openid` (without it the answer is plain OAuth, with no ID token). */
export function scopesWithOpenid(scopes: string): string {
  const list = scopes.split(/\s+/).filter(Boolean);
  return [...new Set(['openid', ...list])].join(' ');
}

/** The authorization URL for one sign-in: authorization code flow with PKCE (S256), state and nonce. */
export async function buildOidcAuthorizationRequest(
  configuration: OidcConfiguration,
  input: { redirectUri: string; scopes: string },
): Promise<OidcAuthorizationRequest> {
  const oidc = await loadOpenidClient();
  const state = oidc.randomState();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: input.redirectUri,
    scope: scopesWithOpenid(input.scopes),
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, state, codeVerifier, nonce };
}

/**
 * Redeems the authorization code and returns the verified ID token's claims, filled in from the
 * userinfo endpoint when the ID token lacks the email or the groups claim (many providers put
 * those only in userinfo). ID-token claims win where both have one. Throws on any invalid answer.
 */
export async function completeOidcAuthorization(
  configuration: OidcConfiguration,
  currentUrl: URL,
  checks: { codeVerifier: string; state: string; nonce: string; groupsClaim: string },
): Promise<Record<string, unknown>> {
  const oidc = await loadOpenidClient();
  const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
    pkceCodeVerifier: checks.codeVerifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (!claims) throw new Error('the provider returned no ID token');
  const idTokenClaims: Record<string, unknown> = { ...claims };
  const missing =
    idTokenClaims.email === undefined || (checks.groupsClaim && idTokenClaims[checks.groupsClaim] === undefined);
  if (!missing || !configuration.serverMetadata().userinfo_endpoint || !tokens.access_token) return idTokenClaims;
  // fetchUserInfo checks that userinfo's `sub` is the ID token's (else a mix-up could merge two people).
  const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
  return { ...userinfo, ...idTokenClaims };
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The groups claim as a list: an array (its strings), one string, or nothing. */
function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return value ? [value] : [];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item !== '');
  return [];
}

/** Verified claims → what the provisioning rules need (sign-in.ts). */
export function oidcProfileFromClaims(claims: Record<string, unknown>, groupsClaim: string): SsoProfile {
  const name = (stringClaim(claims.name) ?? '').trim().split(/\s+/).filter(Boolean);
  const title = stringClaim(claims.title);
  const telephone = stringClaim(claims.phone_number);
  return {
    subject: stringClaim(claims.sub) ?? '',
    email: stringClaim(claims.email) ?? '',
    // Only an explicit boolean true: a provider that does not say, or says "true" as text, has not
    // vouched for the address, and an unverified email must never link to an existing account.
    emailVerified: claims.email_verified === true,
    firstName: stringClaim(claims.given_name) ?? name[0] ?? '',
    lastName: stringClaim(claims.family_name) ?? name.slice(1).join(' '),
    ...(title !== undefined ? { title } : {}),
    ...(telephone !== undefined ? { telephone } : {}),
    groups: groupsClaim ? groupsOf(claims[groupsClaim]) : [],
  };
}

/** The provider's sign-out URL for this client, or null when it publishes no end_session_endpoint. */
export async function buildOidcEndSessionUrl(
  configuration: OidcConfiguration,
  input: { clientId: string; postLogoutRedirectUri: string },
): Promise<string | null> {
  if (!configuration.serverMetadata().end_session_endpoint) return null;
  const oidc = await loadOpenidClient();
  return oidc
    .buildEndSessionUrl(configuration, {
      client_id: input.clientId,
      post_logout_redirect_uri: input.postLogoutRedirectUri,
    })
    .toString();
}
