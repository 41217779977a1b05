/**
 * The server-side state of a single sign-on in progress, shared by OIDC and SAML.
 *
 * A flow is keyed by a SHA-256 of the value that comes back from the provider (OIDC `state`, SAML
 * `InResponseTo`), lives 10 minutes and is used once: consuming deletes it in the same statement
 * that finds it, so two answers racing for one flow cannot both win (on any node: the database
 * decides). The browser that started it holds a random binding value in a cookie; the answer must
 * come back to the same browser (against login CSRF, where an attacker makes a victim finish the
 * attacker's sign-in).
 */
import type { Kysely } from 'kysely';
import type { Database, SsoLoginFlowTable } from '../db/schema.js';
import { isoFromMs, nowIso, nowMs } from '../clock.js';
import { generateSecret, hashSecret } from '../security/secrets.js';

export const SSO_FLOW_LIFETIME_MS = 10 * 60 * 1000;
/** The cookie that binds a flow to the browser that started it (HttpOnly, path-limited to /api/v1/sso). */
export const SSO_BINDING_COOKIE = 'latchkey_sso_flow';

/** Only paths inside Latchkey: never another site (an open redirect), never an API URL. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\'))
    return '/';
  // eslint-disable-next-line no-control-regex -- control characters in a redirect target are refused on purpose
  if (value.startsWith('/api/') || value.length > 500 || /[\u0000-\u001f\\]/.test(value)) return '/';
  return value;
}

export interface StartedFlow {
  /** The random value the provider echoes back (OIDC state; SAML uses its own request ID as `key`). */
  key: string;
  /** The value for the binding cookie. */
  binding: string;
}

export async function startSsoFlow(
  db: Kysely<Database>,
  input: {
    providerId: string;
    /** Provide the SAML AuthnRequest ID; OIDC leaves it out and gets a random state. */
    key?: string;
    /** Reuse the browser's current binding value when it has one (several tabs signing in). */
    binding?: string;
    pkceVerifierEncrypted?: string | null;
    nonce?: string | null;
    returnTo?: unknown;
  },
): Promise<StartedFlow> {
  const key = input.key ?? generateSecret(32);
  const binding = input.binding && input.binding.length >= 32 ? input.binding : generateSecret(32);
  const now = nowMs();
  // Abandoned flows go when a new one starts (as MFA challenges do): no background job needed.
  await db.deleteFrom('sso_login_flows').where('expires_at', '<=', isoFromMs(now)).execute();
  await db
    .insertInto('sso_login_flows')
    .values({
      id_hash: hashSecret(key),
      provider_id: input.providerId,
      browser_binding_hash: hashSecret(binding),
      pkce_verifier_encrypted: input.pkceVerifierEncrypted ?? null,
      nonce: input.nonce ?? null,
      return_to: safeReturnTo(input.returnTo),
      created_at: isoFromMs(now),
      expires_at: isoFromMs(now + SSO_FLOW_LIFETIME_MS),
    })
    .execute();
  return { key, binding };
}

/**
 * When the live flow of `providerId` for `key` was created, or null when there is none (never
 * started, expired, used, or another provider's). Reads only: SAML's InResponseTo check asks this
 * (saml.ts) before the ACS consumes the flow.
 */
export async function liveSsoFlowCreatedAt(
  db: Kysely<Database>,
  input: { key: string; providerId: string },
): Promise<string | null> {
  const flow = await db
    .selectFrom('sso_login_flows')
    .select('created_at')
    .where('id_hash', '=', hashSecret(input.key))
    .where('provider_id', '=', input.providerId)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst();
  return flow?.created_at ?? null;
}

export type ConsumedFlow = SsoLoginFlowTable;

/**
 * Takes the flow for `key` out of the database, once. Null when there is none, it expired, it
 * belongs to another provider, or (when `binding` is checked) the browser is not the one that
 * started it; in the last two cases the flow stays for its own browser.
 * `binding: 'not-checked'` is for SAML over plain HTTP, where the IdP's cross-site POST cannot
 * carry a cookie (see routes/sso-saml.ts).
 */
export async function consumeSsoFlow(
  db: Kysely<Database>,
  input: { key: string; providerId?: string; binding: { cookie: string | undefined } | 'not-checked' },
): Promise<ConsumedFlow | null> {
  if (!input.key) return null;
  const cookie = input.binding === 'not-checked' ? null : input.binding.cookie;
  if (cookie === undefined) return null;
  // Taken only by the browser it belongs to, at the provider it was started for: someone who
  // learnt the state (it travels in URLs) but holds the wrong cookie, or answers at another
  // provider's URL, takes nothing, so the person's own sign-in still completes.
  let consume = db.deleteFrom('sso_login_flows').where('id_hash', '=', hashSecret(input.key));
  if (cookie !== null) consume = consume.where('browser_binding_hash', '=', hashSecret(cookie));
  if (input.providerId !== undefined) consume = consume.where('provider_id', '=', input.providerId);
  const flow = await consume.returningAll().executeTakeFirst();
  if (!flow || flow.expires_at <= nowIso()) return null;
  return flow;
}
