/**
 * "Test connection" on the Identity Providers page: checks a provider's configuration without
 * signing anyone in. For OIDC, the discovery document (fetched here with same-origin redirects
 * only, one deadline and a size limit) and the stored client secret; for SAML, the certificate,
 * URLs and Entity ID. A network failure is a failed check with its reason, never an error.
 */
import type { Db } from '../db/connection.js';
import { nowMs } from '../clock.js';
import { certificateValidityAt, readCertificate } from '../security/certificates.js';
import type { ConnectionTest } from '../../shared/schemas/identity-providers.js';
import { getProviderRow } from './provider-details.js';
import { clientSecretOf, oidcSettingsOf, samlSettingsOf, type IdentityProviderRow } from './provider-settings.js';
import { HTTPS_REQUIRED, isAllowedProviderUrl } from './provider-validation.js';

type Check = ConnectionTest['checks'][number];

/** How long the whole discovery fetch may take; the administrator is waiting for the answer. */
const DISCOVERY_TIMEOUT_MS = 5_000;
const DISCOVERY_MAX_BYTES = 512 * 1024;
const MAX_SAME_HOST_REDIRECTS = 3;

/** The words for a failed fetch: a timeout, or the network error's code (never the URL's secrets: there are none). */
function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${DISCOVERY_TIMEOUT_MS / 1000} seconds`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused (nothing listens there)',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name could not be resolved',
    ECONNRESET: 'the connection was reset',
    ETIMEDOUT: 'the connection timed out',
    EHOSTUNREACH: 'the host is unreachable',
    CERT_HAS_EXPIRED: 'its TLS certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted',
    ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
  };
  if (cause?.code && reasons[cause.code]) return reasons[cause.code]!;
  if (cause?.code) return `network error ${cause.code}`;
  return 'a network error';
}

/** The body as text, refusing one larger than `maxBytes` (a discovery document is a few KiB). */
async function readLimited(response: Response, maxBytes: number): Promise<string | null> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs the discovery document: redirects are followed only on the same origin (a redirect to
 * another host could point the test, and this server, anywhere), with one deadline for it all.
 */
async function fetchDiscovery(url: URL): Promise<{ document: Record<string, unknown> } | { failure: string }> {
  const signal = AbortSignal.timeout(DISCOVERY_TIMEOUT_MS);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const response = await fetch(current, { redirect: 'manual', signal, headers: { accept: 'application/json' } });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        const next = new URL(location, current);
        if (next.origin !== url.origin)
          return { failure: `it redirects to another host (${next.origin}), which Latchkey does not follow` };
        if (hop >= MAX_SAME_HOST_REDIRECTS) return { failure: 'it redirects too many times' };
        current = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        return { failure: `it answered HTTP ${response.status}` };
      }
      const text = await readLimited(response, DISCOVERY_MAX_BYTES);
      if (text === null) return { failure: `the answer is larger than ${DISCOVERY_MAX_BYTES / 1024} KiB` };
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        return { failure: 'the answer is not JSON' };
      }
      if (document === null || typeof document !== 'object' || Array.isArray(document))
        return { failure: 'the answer is not a JSON object' };
      return { document: document as Record<string, unknown> };
    }
  } catch (error) {
    return { failure: describeFetchError(error) };
  }
}

/** Where OpenID Connect Discovery 1.0 §4 says the configuration of `issuer` is. */
export function discoveryUrlOf(issuer: string): URL {
  return new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
}

async function checkOidcProvider(row: IdentityProviderRow, secretKey: Buffer): Promise<Check[]> {
  const settings = oidcSettingsOf(row);
  const checks: Check[] = [];
  if (!isAllowedProviderUrl(settings.issuer)) {
    checks.push({ name: 'Issuer URL', ok: false, message: `${settings.issuer} is not allowed. ${HTTPS_REQUIRED}` });
  } else {
    const url = discoveryUrlOf(settings.issuer);
    const fetched = await fetchDiscovery(url);
    if ('failure' in fetched) {
      checks.push({
        name: 'Discovery document',
        ok: false,
        message: `Could not read ${url.href}: ${fetched.failure}.`,
      });
    } else {
      const { document } = fetched;
      checks.push({ name: 'Discovery document', ok: true, message: `Read ${url.href}.` });
      const issuer = document.issuer;
      checks.push(
        issuer === settings.issuer
          ? { name: 'Issuer', ok: true, message: `The provider names itself ${settings.issuer}, as configured.` }
          : {
              name: 'Issuer',
              ok: false,
              message:
                typeof issuer === 'string'
                  ? `The provider names itself ${issuer}, but the configured issuer is ${settings.issuer}. They must match exactly (including any trailing slash).`
                  : 'The discovery document has no issuer.',
            },
      );
      for (const [field, label] of [
        ['authorization_endpoint', 'Authorization endpoint'],
        ['token_endpoint', 'Token endpoint'],
        ['jwks_uri', 'Signing keys (jwks_uri)'],
      ] as const) {
        const value = document[field];
        checks.push(
          typeof value === 'string' && value !== ''
            ? { name: label, ok: true, message: `${field}: ${value}` }
            : { name: label, ok: false, message: `The discovery document has no ${field}.` },
        );
      }
    }
  }
  try {
    const secret = clientSecretOf(row, secretKey);
    checks.push({
      name: 'Client secret',
      ok: true,
      message: secret
        ? 'A client secret is stored and can be decrypted.'
        : 'No client secret is stored: Latchkey signs in as a public client (PKCE only).',
    });
  } catch {
    checks.push({
      name: 'Client secret',
      ok: false,
      message:
        'The stored client secret cannot be decrypted with this server’s secret key (was the key changed?). Enter the secret again.',
    });
  }
  return checks;
}

function checkSamlProvider(row: IdentityProviderRow): Check[] {
  const settings = samlSettingsOf(row);
  const checks: Check[] = [];
  try {
    const certificate = readCertificate(settings.certificate);
    const validity = certificateValidityAt(certificate, nowMs());
    checks.push({
      name: 'Signing certificate',
      ok: validity.ok,
      message: `${certificate.subject}: ${validity.message}`,
    });
  } catch (error) {
    checks.push({
      name: 'Signing certificate',
      ok: false,
      message: `The stored certificate cannot be read: ${(error as Error).message}`,
    });
  }
  checks.push(
    isAllowedProviderUrl(settings.ssoUrl)
      ? { name: 'SSO URL', ok: true, message: `People are sent to ${settings.ssoUrl} to sign in.` }
      : { name: 'SSO URL', ok: false, message: `${settings.ssoUrl} is not allowed. ${HTTPS_REQUIRED}` },
  );
  if (settings.logoutUrl !== '')
    checks.push(
      isAllowedProviderUrl(settings.logoutUrl)
        ? { name: 'Logout URL', ok: true, message: `Sign-out is offered at ${settings.logoutUrl}.` }
        : { name: 'Logout URL', ok: false, message: `${settings.logoutUrl} is not allowed. ${HTTPS_REQUIRED}` },
    );
  checks.push(
    settings.entityId.trim() !== ''
      ? { name: 'Entity ID', ok: true, message: `Assertions must come from ${settings.entityId}.` }
      : { name: 'Entity ID', ok: false, message: 'The identity provider’s Entity ID is empty.' },
  );
  return checks;
}

/**
 * Checks a provider's configuration without signing anyone in: for OIDC, its discovery document
 * and the stored client secret; for SAML, the certificate, URLs and Entity ID. A network failure
 * is a failed check with its reason, never an error.
 */
export async function testIdentityProviderConnection(db: Db, secretKey: Buffer, id: string): Promise<ConnectionTest> {
  const row = await getProviderRow(db, id);
  const checks = row.protocol === 'oidc' ? await checkOidcProvider(row, secretKey) : checkSamlProvider(row);
  return { ok: checks.every((check) => check.ok), checks };
}
