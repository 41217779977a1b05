/**
 * `npm run bench:lighthouse [-- --no-build] [--dist <dir>] [--page <name>]…`: Lighthouse's
 * accessibility score of Latchkey's main pages (the issue's bar: at least 95 on each).
 *
 * Builds (unless --no-build or --dist), seeds a fresh SQLite database with `latchkey seed`, starts
 * the built server on loopback, signs in as the seeded Administrator through the API, and runs
 * Lighthouse (accessibility category only, desktop 1366×768) in Debian's Chromium on: the sign-in
 * page (signed out), the users list, View User (another account), security groups, the logs and the
 * API reference. Prints each page's score and every failed audit with the elements it names; exits
 * non-zero when a page scores below 95. Slow (about 10 s a page): not part of CI.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';
import { SEED_PASSWORD } from '../src/server/services/seed/index.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
function options(name: string): string[] {
  return process.argv.flatMap((arg, index) =>
    arg === name && process.argv[index + 1] ? [process.argv[index + 1]!] : [],
  );
}

const DIST = path.resolve(option('--dist') ?? 'dist');
const BUILD = !process.argv.includes('--no-build') && option('--dist') === undefined;
const ONLY = options('--page');
const GOAL = 95;

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

interface PageToAudit {
  name: string;
  path: string;
  signedIn: boolean;
}

async function main(): Promise<void> {
  if (BUILD) run('npm', ['run', 'build']);
  if (!existsSync(path.join(DIST, 'server/main.js')))
    throw new Error(`${DIST}/server/main.js is missing: build first.`);
  run('sh', ['scripts/ensure-chromium.sh']);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-lighthouse-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  let chrome: chromeLauncher.LaunchedChrome | undefined;
  let failed = false;
  try {
    const seeded = run(
      process.execPath,
      ['bin/latchkey.js', 'seed', '--accounts', '200', '--records', '50', '--tasks', '20', '--events', '200'],
      env,
    );
    const email = /Sign in as (\S+)/.exec(seeded)?.[1];
    if (!email) throw new Error(`latchkey seed printed no account to sign in with:\n${seeded}`);

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const server = spawn(process.execPath, [path.join(DIST, 'server/main.js')], {
      env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.add(server);
    for (let i = 0; ; i++) {
      const ok = await fetch(`${baseUrl}/api/health`).then(
        (answer) => answer.ok,
        () => false,
      );
      if (ok) break;
      if (i > 300 || server.exitCode !== null) throw new Error('the server did not start');
      await sleep(100);
    }

    const signIn = await fetch(`${baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl, 'x-latchkey-csrf': '1' },
      body: JSON.stringify({ email, password: SEED_PASSWORD }),
    });
    if (!signIn.ok) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
    const cookie = signIn.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const me = (await signIn.json()) as { user: { id: string } };
    const users = (await (await fetch(`${baseUrl}/api/v1/users?pageSize=5`, { headers: { cookie } })).json()) as {
      users: { id: string }[];
    };
    const other = users.users.find((user) => user.id !== me.user.id) ?? me.user;

    const pages: PageToAudit[] = [
      { name: 'sign-in', path: '/login', signedIn: false },
      { name: 'users', path: '/users', signedIn: true },
      { name: 'view-user', path: `/users/${other.id}`, signedIn: true },
      { name: 'security-groups', path: '/security-groups', signedIn: true },
      { name: 'logs', path: '/logs', signedIn: true },
      { name: 'api-docs', path: '/api/docs/', signedIn: false },
    ].filter((page) => ONLY.length === 0 || ONLY.includes(page.name));

    chrome = await chromeLauncher.launch({
      chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    console.log(`Lighthouse accessibility, ${DIST} (goal: ≥ ${GOAL} on each page)`);
    for (const page of pages) {
      const result = await lighthouse(
        `${baseUrl}${page.path}`,
        {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['accessibility'],
          extraHeaders: page.signedIn ? { Cookie: cookie } : {},
        },
        desktopConfig,
      );
      if (!result) throw new Error(`Lighthouse gave no result for ${page.path}`);
      const { lhr } = result;
      const score = Math.round((lhr.categories.accessibility?.score ?? 0) * 100);
      if (score < GOAL) failed = true;
      const landed = lhr.finalDisplayedUrl.replace(baseUrl, '');
      console.log(
        `  ${page.name.padEnd(16)} ${String(score).padStart(3)}  ${page.path}${landed !== page.path ? ` (shown: ${landed})` : ''}`,
      );
      for (const ref of lhr.categories.accessibility?.auditRefs ?? []) {
        const audit = lhr.audits[ref.id];
        if (!audit || ref.weight === 0 || audit.score === null || audit.score === 1) continue;
        console.log(`      ✗ ${ref.id} (weight ${ref.weight}): ${audit.title}`);
        const details = audit.details as
          { items?: { node?: { snippet?: string; explanation?: string } }[] } | undefined;
        for (const item of (details?.items ?? []).slice(0, 5)) {
          if (item.node?.snippet) console.log(`          ${item.node.snippet.slice(0, 160)}`);
        }
      }
    }
  } finally {
    chrome?.kill();
    for (const child of children) child.kill('SIGTERM');
    await sleep(300);
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
