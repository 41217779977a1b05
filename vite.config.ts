import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web UI: src/web is built into dist/web, which the server serves (index.html for every
 * non-/api page). In development (`npx vite`), /api is proxied to a Latchkey on port 3000.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  plugins: [react()],
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
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            // zod stays out: the users list does not need it (src/shared/user-list.ts, paging.ts).
            { name: 'shared', test: /node_modules[\\/](?!zod[\\/])/, minShareCount: 4 },
            {
              name: 'app',
              test: /src[\\/](web[\\/](components|api|format|auth)|shared[\\/](?!schemas[\\/]))/,
              minShareCount: 4,
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
