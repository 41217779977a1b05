// Precompresses the built web UI: writes <file>.br (brotli, quality 11) and <file>.gz (gzip -9)
// next to every text file in dist/web, for the server to send as they are (@fastify/static's
// preCompressed) to a browser that accepts them: the best ratio, at no cost per request.
// A compressed copy that would not be smaller is not written. Runs after `vite build`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../dist/web', import.meta.url));
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|webmanifest)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // .vite/ holds the build's manifest, read by the server, never sent.
    if (entry.isDirectory()) {
      if (entry.name !== '.vite') yield* files(full);
    } else if (COMPRESSIBLE.test(entry.name)) yield full;
  }
}

let raw = 0;
let br = 0;
let gz = 0;
for (const file of files(root)) {
  const content = readFileSync(file);
  const brotli = brotliCompressSync(content, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
    },
  });
  const gzip = gzipSync(content, { level: 9 });
  raw += content.length;
  if (brotli.length < content.length) {
    writeFileSync(`${file}.br`, brotli);
    br += brotli.length;
  } else br += content.length;
  if (gzip.length < content.length) {
    writeFileSync(`${file}.gz`, gzip);
    gz += gzip.length;
  } else gz += content.length;
}
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
console.log(`compress-web: ${kb(raw)} of text files in dist/web → ${kb(gz)} gzip, ${kb(br)} brotli`);
