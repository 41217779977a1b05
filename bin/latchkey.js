#!/usr/bin/env node
// The `latchkey` command: runs the compiled CLI (src/server/cli.ts → dist/server/cli.js) on this
// process's arguments, streams and environment, and leaves with the exit code it returns.
// `npm install` builds dist/ through the `prepare` script; `npm run build:server` rebuilds it.
let cli;
try {
  cli = await import('../dist/server/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/server/cli.js')) {
    process.stderr.write('Latchkey is not built yet: run "npm run build:server" (or "npm install") first.\n');
    process.exit(1);
  }
  throw error;
}
if (typeof cli.runCli !== 'function') {
  process.stderr.write('The Latchkey build is out of date: run "npm run build:server" (or "npm install") again.\n');
  process.exit(1);
}
// exitCode rather than exit(): whatever is still being written to a pipe gets out first.
process.exitCode = await cli.runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
