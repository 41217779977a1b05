/**
 * After signing out of Latchkey from a session that began at an identity provider with a sign-out
 * page, the sign-in page offers "Also sign out of <provider>". The sign-out code remembers the
 * provider here (sessionStorage: this tab only, gone when it closes) across the navigation.
 */
const KEY = 'latchkey.providerSignOut';

export interface ProviderSignOut {
  name: string;
  url: string;
}

/**
 * Only http(s) addresses are ever offered as a link (never `javascript:` or the like). Latchkey's
 * own OIDC sign-out route comes as a path, so it is read relative to this page.
 */
function isWebAddress(url: string): boolean {
  try {
    const parsed = new URL(url, window.location.origin);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

export function rememberProviderSignOut(provider: ProviderSignOut | null): void {
  try {
    if (provider && isWebAddress(provider.url)) sessionStorage.setItem(KEY, JSON.stringify(provider));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage can be disabled by the browser; the offer is a convenience only.
  }
}

/** The remembered provider (the sign-in page reads it once, then forgets it). */
export function readProviderSignOut(): ProviderSignOut | null {
  try {
    const stored = sessionStorage.getItem(KEY);
    if (!stored) return null;
    const parsed = JSON.parse(stored) as Partial<ProviderSignOut>;
    if (typeof parsed.name !== 'string' || typeof parsed.url !== 'string' || !isWebAddress(parsed.url)) return null;
    return { name: parsed.name, url: parsed.url };
  } catch {
    return null;
  }
}

/** Forgets the provider once the sign-in page has shown it, so a later visit does not offer it again. */
export function forgetProviderSignOut(): void {
  rememberProviderSignOut(null);
}
