/**
 * `npm run bench:page [-- --dist <dir>] [--compare <dir>] [--runs <n>] [--accounts <n>] [--no-build]`: how fast the
 * users list appears on a slow phone, as Lighthouse's "mobile, slow 4G" profile measures it.
 *
 * Builds (unless --no-build), seeds a fresh SQLite database with `latchkey seed`, starts the built
 * server (dist/server/main.js, or <dir>/server/main.js with --dist, e.g. an older build kept aside
 * for a before/after comparison) on loopback, signs in as the seeded Administrator through the API
 * and opens /users in Debian's Chromium with:
 *   - network: 562.5 ms request latency (150 ms RTT × 3.75), 1,474.56 kbps down (1.6 Mbps × 0.9),
 *     675 kbps up (750 kbps × 0.9): Lighthouse's mobileSlow4G throttling, applied through CDP;
 *   - CPU: 4× slowdown.
 * Each run is a new browser context (empty cache). It prints, per run and as a median: the time from
 * navigation start to the first user row being in the page, and the JavaScript loaded before it
 * (raw bytes, gzip -9 bytes of those files, and the bytes actually transferred, compressed or not),
 * and when the page, its last script, the session check (/api/v1/me) and the list (/api/v1/users)
 * arrived, so a slow step shows.
 *
 * --compare <dir>: measures that build too (e.g. the previous release's dist, copied aside inside
 * this folder, where its server finds node_modules, before rebuilding), its runs alternating with
 * the build under test's so that other work on a shared machine slows both alike, and prints both
 * side by side: "before" is <dir>, "after" the build under test. The
 * issue's bar: at most 200 KB gzipped JavaScript before the first row, first row within 3 s.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { SEED_PASSWORD } from '../src/server/services/seed/index.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const DIST = path.resolve(option('--dist') ?? 'dist');
const COMPARE = option('--compare') === undefined ? undefined : path.resolve(option('--compare')!);
const RUNS = Number(option('--runs') ?? 5);
const ACCOUNTS = Number(option('--accounts') ?? 1000);
const BUILD = !process.argv.includes('--no-build') && option('--dist') === undefined;

// Lighthouse's mobileSlow4G (lighthouse-core/config/constants.js): devtools throttling multiplies
// the RTT by 3.75 and the throughputs by 0.9.
const LATENCY_MS = 150 * 3.75;
const DOWNLOAD_KBPS = 1.6 * 1024 * 0.9;
const UPLOAD_KBPS = 750 * 0.9;
const CPU_SLOWDOWN = 4;
/** --no-throttle: the same page at full speed (to check the set-up quickly). */
const THROTTLE = !process.argv.includes('--no-throttle');

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

interface Sample {
  firstRowMs: number;
  scripts: { url: string; transferred: number }[];
  /** When (ms after navigation start) each step ended: the page, its last script, /me, the list. */
  steps: { name: string; startMs: number; endMs: number }[];
}

/**
 * Set before any page script runs: notes when the users table first has a row of accounts. A string,
 * not a function: tsx would wrap a function's inner names in a helper the page does not have.
 */
const FIRST_ROW_WATCH = `
  new MutationObserver((_, observer) => {
    if (document.querySelector('table tbody tr a[href^="/users/"]')) {
      window.__firstRowMs = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

async function measure(baseUrl: string, email: string): Promise<Sample> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 412, height: 823 }, baseURL: baseUrl });
    const signIn = await context.request.post('/api/v1/session', {
      data: { email, password: SEED_PASSWORD },
      headers: { origin: baseUrl, 'x-latchkey-csrf': '1' },
    });
    if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()} ${await signIn.text()}`);
    const page = await context.newPage();
    await page.addInitScript(FIRST_ROW_WATCH);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (THROTTLE) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: LATENCY_MS,
        downloadThroughput: (DOWNLOAD_KBPS * 1024) / 8,
        uploadThroughput: (UPLOAD_KBPS * 1024) / 8,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    }
    await page.goto('/users', { waitUntil: 'commit' });
    await page
      .waitForFunction(() => (window as unknown as { __firstRowMs?: number }).__firstRowMs !== undefined, null, {
        timeout: 120_000,
        polling: 100,
      })
      .catch(async (error: unknown) => {
        const text = await page
          .locator('body')
          .innerText()
          .catch(() => '');
        throw new Error(`no user row at ${page.url()}: ${text.slice(0, 500)}`, { cause: error });
      });
    return await page.evaluate(() => {
      const firstRowMs = (window as unknown as { __firstRowMs: number }).__firstRowMs;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const scriptEntries = resources
        .filter((entry) => entry.initiatorType === 'script' || /\.js(\?|$)/.test(entry.name))
        .filter((entry) => entry.responseEnd <= firstRowMs);
      const scripts = scriptEntries.map((entry) => ({
        url: new URL(entry.name).pathname,
        transferred: entry.encodedBodySize,
      }));
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const steps = [{ name: 'index.html', startMs: navigation.requestStart, endMs: navigation.responseEnd }];
      const lastScript = scriptEntries.reduce<PerformanceResourceTiming | undefined>(
        (last, entry) => (last && last.responseEnd >= entry.responseEnd ? last : entry),
        undefined,
      );
      if (lastScript) steps.push({ name: 'last script', startMs: lastScript.startTime, endMs: lastScript.responseEnd });
      for (const [name, pattern] of [
        ['/api/v1/me', /\/api\/v1\/me(\?|$)/],
        ['/api/v1/users', /\/api\/v1\/users(\?|$)/],
      ] as const) {
        // Each request of it: a second /me would mean the page did not use the one index.html preloads.
        resources
          .filter((candidate) => pattern.test(new URL(candidate.name).pathname))
          .forEach((entry, index) =>
            steps.push({
              name: index === 0 ? name : `${name} #${index + 1}`,
              startMs: entry.startTime,
              endMs: entry.responseEnd,
            }),
          );
      }
      return { firstRowMs, scripts, steps };
    });
  } finally {
    await browser.close();
  }
}

interface Result {
  dist: string;
  samples: Sample[];
  medianMs: number;
  scripts: number;
  raw: number;
  gzip: number;
  transferred: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** A running build's server on the seeded data. */
interface Server {
  dist: string;
  baseUrl: string;
  process: ChildProcess;
}

async function startServer(dist: string, env: NodeJS.ProcessEnv): Promise<Server> {
  if (!existsSync(path.join(dist, 'server/main.js')))
    throw new Error(`${dist}/server/main.js is missing: build first.`);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [path.join(dist, 'server/main.js')], {
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
    if (i > 300 || server.exitCode !== null) throw new Error(`the server of ${dist} did not start`);
    await sleep(100);
  }
  return { dist, baseUrl, process: server };
}

function printRun(dist: string, run: number, sample: Sample): void {
  console.log(
    `  ${dist} run ${run}: first row at ${seconds(sample.firstRowMs)}, ${sample.scripts.length} scripts; ` +
      sample.steps.map((step) => `${step.name} ${seconds(step.startMs)}→${seconds(step.endMs)}`).join(', '),
  );
}

/** The JavaScript loaded before the first row (as the last run saw it) and the median time, printed. */
function summarize(dist: string, samples: Sample[]): Result {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const last = samples[samples.length - 1]!;
  let raw = 0;
  let gzip = 0;
  let transferred = 0;
  console.log(`${dist}: JavaScript loaded before the first row:`);
  for (const script of last.scripts) {
    const file = readFileSync(path.join(dist, 'web', script.url));
    const gz = gzipSync(file, { level: 9 }).length;
    raw += file.length;
    gzip += gz;
    transferred += script.transferred;
    console.log(
      `    ${script.url.padEnd(48)} ${(file.length / 1024).toFixed(1).padStart(8)} KB raw ${(gz / 1024).toFixed(1).padStart(7)} KB gzip ${(script.transferred / 1024).toFixed(1).padStart(7)} KB sent`,
    );
  }
  const medianMs = median(samples.map((s) => s.firstRowMs));
  console.log(
    `  total: ${last.scripts.length} scripts, ${kb(raw)} raw, ${kb(gzip)} gzip -9, ${kb(transferred)} transferred`,
  );
  console.log(
    `  first row (median of ${samples.length}): ${seconds(medianMs)} ` +
      `(min ${seconds(Math.min(...samples.map((s) => s.firstRowMs)))}, max ${seconds(Math.max(...samples.map((s) => s.firstRowMs)))})`,
  );
  return { dist, samples, medianMs, scripts: last.scripts.length, raw, gzip, transferred };
}

/**
 * Measures RUNS visits of each build. With two builds their runs alternate (before, after, before,
 * …), so a machine that is busier for a while (other work on it) slows both alike.
 */
async function benchmark(dists: string[], env: NodeJS.ProcessEnv, email: string): Promise<Result[]> {
  const servers: Server[] = [];
  try {
    for (const dist of dists) servers.push(await startServer(dist, env));
    console.log(
      `/users, ${ACCOUNTS} accounts: slow 4G (${LATENCY_MS} ms, ${DOWNLOAD_KBPS.toFixed(0)}/${UPLOAD_KBPS} kbps), ` +
        `CPU ×${CPU_SLOWDOWN}, ${RUNS} runs${dists.length > 1 ? ' each, alternating' : ''}`,
    );
    const samples = servers.map((): Sample[] => []);
    for (let i = 0; i < RUNS; i++) {
      for (const [index, server] of servers.entries()) {
        const sample = await measure(server.baseUrl, email);
        samples[index]!.push(sample);
        printRun(server.dist, i + 1, sample);
      }
    }
    return servers.map((server, index) => summarize(server.dist, samples[index]!));
  } finally {
    for (const server of servers) {
      server.process.kill('SIGTERM');
      children.delete(server.process);
    }
  }
}

async function main(): Promise<void> {
  if (BUILD) run('npm', ['run', 'build']);
  run('sh', ['scripts/ensure-chromium.sh']);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-page-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  try {
    const seeded = run(
      process.execPath,
      ['bin/latchkey.js', 'seed', '--accounts', String(ACCOUNTS), '--records', '0', '--tasks', '0', '--events', '0'],
      env,
    );
    const email = /Sign in as (\S+)/.exec(seeded)?.[1];
    if (!email) throw new Error(`latchkey seed printed no account to sign in with:\n${seeded}`);

    const results = await benchmark(COMPARE === undefined ? [DIST] : [COMPARE, DIST], env, email);
    const before = COMPARE === undefined ? undefined : results[0];
    const after = results[results.length - 1]!;

    console.log('');
    const row = (label: string, b: string | undefined, a: string, goal: string) =>
      console.log(`  ${label.padEnd(40)} ${before ? (b ?? '').padStart(10) : ''} ${a.padStart(10)}   ${goal}`);
    console.log(`Summary (${RUNS} runs each)${before ? `: before = ${before.dist}, after = ${after.dist}` : ''}`);
    row('', before ? 'before' : undefined, before ? 'after' : 'now', 'goal');
    row('Scripts before the first row', before && String(before.scripts), String(after.scripts), '');
    row('JavaScript before the first row, gzip', before && kb(before.gzip), kb(after.gzip), '≤ 200 KB');
    row('  (transferred: brotli when offered)', before && kb(before.transferred), kb(after.transferred), '');
    row('First row, median', before && seconds(before.medianMs), seconds(after.medianMs), '≤ 3 s');
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await sleep(300);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
