import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pendingStepOf, type Actor } from './auth/actor.js';
import { UI_ROUTES } from '../shared/ui-routes.js';
import { readListParams, userListUrl } from '../shared/user-list-address.js';

/**
 * What a browser opening a page of the UI may fetch while the app's JavaScript is still arriving,
 * sent as `Link` headers with the page (index.html). Without them, the page's own code and its first
 * data were asked for only once every script had arrived and run: on a slow network, two more round
 * trips one after the other before the users list could show.
 *
 * - The page's chunk and the chunks it imports (`rel=modulepreload`), found in Vite's manifest, and
 *   the entry's chunks that index.html names too, biggest first. Over HTTP/1.1 a browser opens six
 *   connections to a server; the first load asks for ten files (the data, the session, the
 *   stylesheet, seven scripts), so four wait a round trip for a free connection. Asked for in
 *   index.html's order, after the data and the page's chunk, the biggest scripts (React, then the
 *   shared libraries) were among those that waited, and arrived last: on a slow network ~0.35 s
 *   after the same bytes could have. Named here first, they are asked for first, as the headers
 *   arrive; the small files that wait still arrive before them. (Over HTTP/2 nothing waits.)
 * - Its first data, when the signed-in account will ask for it (`rel=preload; as=fetch`): the same
 *   URL the page requests (src/shared/user-list-address.ts), so the browser hands the page this
 *   answer rather than asking again. Only for an account that may see it and has no step pending,
 *   as the page's own prefetch decides (src/web/pages/users/prefetch.ts): never a refused request.
 *
 * Only the users list, the page most visits start on (home leads there), has one for now.
 */

/** A page's chunk: its source, relative to src/web, as Vite's manifest names it. */
const PAGE_MODULES: Partial<Record<string, string>> = {
  [UI_ROUTES.users]: 'pages/users/users-page.tsx',
};

/** The first data of a page, for the account asking (null: none it would ask for). */
const PAGE_DATA: Partial<Record<string, (actor: Actor, search: URLSearchParams) => string | null>> = {
  [UI_ROUTES.users]: (actor, search) =>
    actor.permissions.has('users_groups:view') ? userListUrl(readListParams(search)) : null,
};

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

/**
 * For each page with a chunk: its chunk, the chunks it imports and the entry's (/assets/…), biggest
 * first, as read from dist/web/.vite/manifest.json. Empty without a manifest (an older build).
 */
export function pageChunksFrom(webRoot: string): ReadonlyMap<string, readonly string[]> {
  const manifestPath = path.join(webRoot, '.vite', 'manifest.json');
  const chunks = new Map<string, string[]>();
  if (!existsSync(manifestPath)) return chunks;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestChunk>;
  const withImports = (key: string, seen: Set<string>): string[] => {
    const chunk = manifest[key];
    if (!chunk || seen.has(key)) return [];
    seen.add(key);
    return [key, ...(chunk.imports ?? []).flatMap((imported) => withImports(imported, seen))];
  };
  const entryKeys = new Set(
    Object.keys(manifest)
      .filter((key) => manifest[key]!.isEntry)
      .flatMap((key) => withImports(key, new Set())),
  );
  const entryFiles = [...entryKeys].map((key) => manifest[key]!.file);
  const size = (file: string) => {
    try {
      return statSync(path.join(webRoot, file)).size;
    } catch {
      return 0;
    }
  };
  for (const [route, module] of Object.entries(PAGE_MODULES)) {
    const pageFiles = withImports(module!, new Set())
      .filter((key) => !entryKeys.has(key))
      .map((key) => manifest[key]!.file);
    if (pageFiles.length === 0) continue;
    const files = [...entryFiles, ...pageFiles].sort((a, b) => size(b) - size(a)).map((file) => `/${file}`);
    chunks.set(route, files);
  }
  return chunks;
}

/**
 * The `Link` header values for the page at `pathname` (its route's exact path), or none. `actor`
 * tells who is signed in; it is asked only for a page that has first data to name.
 */
export async function pagePreloads(
  pathname: string,
  search: string,
  pageChunks: ReadonlyMap<string, readonly string[]>,
  actor: () => Promise<Actor | null>,
): Promise<string[]> {
  const data = PAGE_DATA[pathname];
  const signedIn = data ? await actor() : null;
  const url = data && signedIn && pendingStepOf(signedIn) === null ? data(signedIn, new URLSearchParams(search)) : null;
  return [
    // The browser asks in this order: the scripts first, biggest first (pageChunksFrom), then the
    // data, which is small. The same request mode as the page's fetch (same-origin, with the
    // session cookie), or it is not reused.
    ...(pageChunks.get(pathname) ?? []).map((file) => `<${file}>; rel=modulepreload`),
    ...(url ? [`<${url}>; rel=preload; as=fetch; crossorigin=anonymous`] : []),
  ];
}
