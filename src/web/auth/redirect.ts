/**
 * Where to go after signing in: only a path on this site (never `//evil.example` or a full URL),
 * and never back to the sign-in or setup pages.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/setup')) return '/';
  return next;
}

export function loginPathFor(location: { pathname: string; search: string; hash: string }): string {
  const here = `${location.pathname}${location.search}${location.hash}`;
  return here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}
