// Builds the server that runs in production: src/server/main.ts and cli.ts bundled, with the
// libraries they use, into dist/server/ (main.js, cli.js and the chunks they share or load on first
// use). Start-up is mostly module loading: ~500 files resolved, read and compiled one by one took
// ~0.6 s of a 1.1 s start; one bundle takes a third of that. Type checking is `tsc --noEmit`
// (npm run build:server runs both).
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const outdir = 'dist/server';
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: { main: 'src/server/main.ts', cli: 'src/server/cli.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // main.js and cli.js share their code through chunks.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  // Non-ASCII characters in code are written as escapes (see asciiOnly below for comments).
  charset: 'ascii',
  logLevel: 'warning',
  external: [
    // Native addons cannot be bundled.
    'better-sqlite3',
    '@node-rs/argon2',
    // Loaded through require() only when the database is PostgreSQL (db/connection.ts).
    'pg',
    // Serve files from their own package folders (the OpenAPI page and its assets).
    '@fastify/swagger',
    '@fastify/swagger-ui',
    // Loaded on first use (once(() => import(…))), so they cost nothing at start-up either way; left
    // as they ship, SAML's XML signature checks above all (bundled, SAML sign-in failed).
    '@node-saml/node-saml',
    '@xmldom/xmldom',
    'openid-client',
    '@simplewebauthn/server',
    'qrcode',
    'csv-parse',
    // Bundled, its chunk had only a default export, and `const { Registry } = await import(…)` found
    // nothing: GET /metrics answered 500 from the build while the tests (from source) passed.
    'prom-client',
  ],
  // Bundled CommonJS libraries call require() for Node's built-in modules; an ES module has none.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});

/**
 * Node reads a module's source into a string, and a single character beyond Latin-1 anywhere in it
 * (an arrow or an ellipsis in a kept comment) makes the whole string two bytes per character: main.js
 * and its shared chunk took ~7.5 MB of heap instead of ~3.8 MB for as long as the process runs.
 * esbuild escapes such characters in strings (charset: 'ascii') but copies comments and regular
 * expression literals as they are, so each UTF-16 unit left is written here as its \uXXXX escape:
 * the same character in a regular expression (with or without the u flag) and in a string, plain
 * text in a comment. Only the few lines holding one shift their source-map columns.
 */
function asciiOnly(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) asciiOnly(file);
    else if (entry.name.endsWith('.js')) {
      const text = readFileSync(file, 'utf8');
      const escape = (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
      // eslint-disable-next-line no-control-regex
      if (/[^\x00-\x7f]/.test(text)) writeFileSync(file, text.replace(/[^\x00-\x7f]/g, escape));
    }
  }
}
asciiOnly(outdir);
