import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * What four or more pages share is split in two: what the users list (the page most visits start
 * on, src/server/page-preloads.ts) imports before it can show its rows, and the rest, fetched when
 * another page or a dialog needs it. The list's dropdowns, popovers and tooltip are not part of
 * its first load: it shows light stand-ins for them until they are wanted
 * (src/web/components/deferred-overlays.tsx).
 *
 * The first load is found from the module graph: the static imports of the entry and of the
 * users page, followed on. Mantine's package indexes import every component, so an import from
 * '@mantine/core' is followed by name, to the modules that index takes those names from.
 */
const FIRST_LOAD_ROOTS = ['./src/web/main.tsx', './src/web/pages/users/users-page.tsx'].map((file) =>
  fileURLToPath(new URL(file, import.meta.url)),
);
const MANTINE_INDEX = /[\\/]node_modules[\\/]@mantine[\\/]([^\\/]+)[\\/]esm[\\/]index\.mjs$/;

interface ModuleGraph {
  getModuleInfo(id: string): { importedIds: readonly string[] } | null;
}

/** The names a module's source imports from `@mantine/<pkg>` (`import { A, B as C, type D } from …`). */
function namesImportedFrom(source: string, pkg: string): string[] {
  const names: string[] = [];
  const statement = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*['"]@mantine/${pkg}['"]`, 'g');
  for (const [, list] of source.matchAll(statement)) {
    for (const item of list!.split(',')) {
      const [name] = item.trim().split(/\s+as\s+/);
      if (name && !name.startsWith('type ')) names.push(name);
    }
  }
  return names;
}

/** Which module a Mantine index takes each name from (its `import { A, B } from "./…"` lines). */
function namesOfIndex(indexFile: string): Map<string, string> {
  const modules = new Map<string, string>();
  const source = readFileSync(indexFile, 'utf8');
  for (const [, list, file] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(\.[^"]+)"/g)) {
    const module = path.resolve(path.dirname(indexFile), file!);
    for (const item of list!.split(',')) modules.set(item.trim().split(/\s+as\s+/)[0]!, module);
  }
  return modules;
}

let firstLoadModules: Set<string> | undefined;
/** Whether the users list's first load imports this module (see above). */
function isInUsersFirstLoad(id: string, graph: ModuleGraph): boolean {
  if (!firstLoadModules) {
    const found = new Set<string>();
    const indexes = new Map<string, Map<string, string>>();
    const pending = [...FIRST_LOAD_ROOTS];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (found.has(next)) continue;
      found.add(next);
      for (const imported of graph.getModuleInfo(next)?.importedIds ?? []) {
        const index = MANTINE_INDEX.exec(imported);
        if (!index) {
          pending.push(imported);
          continue;
        }
        const names = indexes.get(imported) ?? namesOfIndex(imported);
        indexes.set(imported, names);
        const file = next.split('?')[0]!;
        const source = existsSync(file) ? readFileSync(file, 'utf8') : '';
        for (const name of namesImportedFrom(source, index[1]!)) {
          const module = names.get(name);
          if (module) pending.push(module);
        }
      }
    }
    firstLoadModules = found;
  }
  return firstLoadModules.has(id);
}

/**
 * Mantine's id hook (@mantine/hooks' useId, which its inputs, checkboxes and app shell use to tie
 * labels, descriptions and regions to their elements) starts with an id made from React's useId,
 * then replaces it with a random one from a layout effect: a state change in every such component
 * right after it mounts, which React renders synchronously before the browser may paint. On the
 * users list that was eleven components (the frame, the search field, the filters' stand-ins, the
 * header checkbox) and, since a synchronous render first runs every pending effect, the whole
 * page's effects too: in a profile of the list on a slow phone, a fifth of its first render's time,
 * before the browser could paint it.
 * The random id only matters across several React roots, and the app has one (main.tsx): in the
 * build, STABLE_USE_ID takes the place of Mantine's module and keeps the id React gives, the same
 * for a component's life. (The dev server pre-bundles Mantine, keeping its own: only slower.)
 */
const MANTINE_USE_ID = /[\\/]node_modules[\\/]@mantine[\\/]hooks[\\/]esm[\\/]use-id[\\/]use-id\.mjs$/;
const STABLE_USE_ID = `
import { useId as useReactId } from 'react';
export function useId(staticId) {
  const reactId = useReactId();
  return typeof staticId === 'string' ? staticId : \`mantine-\${reactId.replace(/:/g, '')}\`;
}
`;

/**
 * The users list's first load carries only part of Mantine's styles (src/web/styles/mantine-first.css),
 * the rest comes later (mantine-later.css). Both list files of @mantine/core/styles; the build fails
 * unless they hold each file once, each in the order of Mantine's whole sheet (styles.css, where a
 * component's CSS follows that of the components it builds on), and the first holds the CSS of every
 * Mantine component in that first load (its `<Name>.module.mjs`, the class names of `<Name>.css`).
 */
const MANTINE_STYLES = fileURLToPath(new URL('./node_modules/@mantine/core/styles', import.meta.url));
const STYLE_LISTS = ['first', 'later'].map((part) =>
  fileURLToPath(new URL(`./src/web/styles/mantine-${part}.css`, import.meta.url)),
);
const MANTINE_CSS_MODULE = /[\\/]@mantine[\\/]core[\\/]esm[\\/].*[\\/]([\w-]+)\.module\.mjs$/;

function mantineStylesProblems(graph: ModuleGraph & { getModuleIds(): IterableIterator<string> }): string[] {
  const [first, later] = STYLE_LISTS.map((file) =>
    [...readFileSync(file, 'utf8').matchAll(/@import '@mantine\/core\/styles\/([\w-]+)\.css'/g)].map(
      ([, name]) => name!,
    ),
  ) as [string[], string[]];
  const whole = readFileSync(`${MANTINE_STYLES}.css`, 'utf8');
  const position = (name: string) =>
    whole.indexOf(readFileSync(path.join(MANTINE_STYLES, `${name}.css`), 'utf8').trim());
  const problems: string[] = [];
  for (const file of readdirSync(MANTINE_STYLES)) {
    const name = file.replace(/\.css$/, '');
    const count = [...first, ...later].filter((listed) => listed === name).length;
    if (file.endsWith('.css') && !file.endsWith('.layer.css') && count !== 1)
      problems.push(`${file} is listed ${count} times`);
  }
  for (const list of [first, later]) {
    list.forEach((name, index) => {
      if (index > 0 && position(name) < position(list[index - 1]!))
        problems.push(`${name}.css comes before ${list[index - 1]}.css in styles.css`);
    });
  }
  for (const id of graph.getModuleIds()) {
    const name = MANTINE_CSS_MODULE.exec(id)?.[1];
    if (name && isInUsersFirstLoad(id, graph) && !first.includes(name))
      problems.push(`${name}.css is used by the first load`);
  }
  return problems;
}

const LIBRARIES = /node_modules[\\/](?!zod[\\/])/;
const OUR_SHARED_MODULES = /src[\\/](web[\\/](components|api|format|auth)|shared[\\/](?!schemas[\\/]))/;

/**
 * The web UI: src/web is built into dist/web, which the server serves (index.html for every
 * non-/api page). In development (`npx vite`), /api is proxied to a Latchkey on port 3000.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  plugins: [
    react(),
    {
      name: 'mantine-stable-id',
      apply: 'build',
      load: (id) => (MANTINE_USE_ID.test(id) ? STABLE_USE_ID : undefined),
    },
    {
      name: 'check-mantine-styles',
      apply: 'build',
      generateBundle() {
        const problems = mantineStylesProblems(this);
        if (problems.length > 0) this.error(`src/web/styles/mantine-{first,later}.css: ${problems.join('; ')}`);
      },
    },
  ],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    // .vite/manifest.json: which chunk holds each page, for the server to name the page's chunks in
    // the `Link` header of the page a visit starts on (src/server/page-preloads.ts).
    manifest: true,
    // The CSP is `script-src 'self'`: never inline scripts, not even Vite's module preload polyfill.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // Every page is its own chunk (src/web/app.tsx) and the bundler splits what pages share.
          // React, React DOM and React Router, which every page needs and which change only with
          // an upgrade, are one chunk of their own: a new Latchkey release keeps them cached.
          // What four or more pages share is one chunk too (one of libraries, one of our own
          // modules), not one small chunk per combination of pages: over HTTP/1.1's six
          // connections and a slow network's latency, /users waited for 35 files one round trip
          // after another; now it loads 7, and the session check no longer queues behind them.
          // (One chunk for all of node_modules was measured too: it put components only some
          // pages use, such as the number input, and zod into the first load: +50 KB gzipped.)
          // `npm run bench:page` measures both.
          // Of what four or more pages share, only what the users list's first load imports is in
          // those two (isInUsersFirstLoad above); the rest is a third chunk, `later`.
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            // zod stays out: the users list does not need it (src/shared/user-list.ts, paging.ts).
            {
              name: (id, graph) => (isInUsersFirstLoad(id, graph) ? 'shared' : null),
              debugName: 'shared',
              test: LIBRARIES,
              minShareCount: 4,
            },
            {
              name: (id, graph) => (isInUsersFirstLoad(id, graph) ? 'app' : null),
              debugName: 'app',
              test: OUR_SHARED_MODULES,
              minShareCount: 4,
            },
            {
              name: 'later',
              test: (id) => LIBRARIES.test(id) || OUR_SHARED_MODULES.test(id),
              minShareCount: 4,
              // Not what they import as well: some of that is in the users list's first load although
              // fewer than four pages share it (react-remove-scroll, which the app's frame imports
              // as the dialogs do; our logo, which the frame shares with the public pages).
              includeDependenciesRecursively: false,
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false },
    },
  },
});
