/**
 * The hosts an identity provider may be reached on over plain http: this machine only
 * (development, tests, a local IdP). Anywhere else the authorization code, tokens and assertions
 * would cross the network in clear. Used where a provider's addresses are validated and where
 * openid-client is told to allow http.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function isLoopbackHost(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}
