#!/usr/bin/env node
// The `latchkey` command: runs the compiled CLI (src/server/cli.ts → dist/server/cli.js).
// `npm install` builds dist/ through the `prepare` script; `npm run build:server` rebuilds it.
try {
  await import('../dist/server/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/server/cli.js')) {
    process.stderr.write('Latchkey is not built yet: run "npm run build:server" (or "npm install") first.\n');
    process.exit(1);
  }
  throw error;
}
