/** Query-string names a credential might be sent in (refused by the gate, and never logged). */
export const TOKEN_QUERY_NAMES = ['token', 'access_token', 'api_token', 'apiToken', 'apikey', 'api_key'];

/**
 * Also kept out of the log, though allowed: what an identity provider sends back in a sign-in
 * redirect (the OIDC authorization code and state, a SAML message). Short-lived and single-use,
 * but whoever reads the log must not be able to race the browser to redeem one.
 */
const SSO_QUERY_NAMES = ['code', 'state', 'id_token_hint', 'SAMLResponse', 'SAMLRequest'];
const LOG_REDACTED_QUERY_NAMES = new Set([...TOKEN_QUERY_NAMES, ...SSO_QUERY_NAMES]);

/**
 * A request URL fit for the log: the values of credential-looking query parameters (and of SSO
 * answers), and anything
 * shaped like a Latchkey API token, are replaced. The gate refuses such requests, but the access
 * log line is written before any handler runs.
 */
export function redactUrlForLog(url: string): string {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
  const redactTokens = (text: string) => text.replace(/lk_[A-Za-z0-9_-]{8,}/g, 'lk_[redacted]');
  if (!query) return redactTokens(path);
  const parts = query.split('&').map((part) => {
    const name = decodeURIComponentSafe(part.split('=')[0] ?? '');
    return LOG_REDACTED_QUERY_NAMES.has(name) ? `${part.split('=')[0]}=[redacted]` : part;
  });
  return redactTokens(`${path}?${parts.join('&')}`);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
