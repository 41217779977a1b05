/** The bench's processes: pinned servers and load generators, stopped whatever happens; ratios in alternating rounds. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { LOAD_CORE, ROUNDS, ROUND_S, SERVER_CORE, WARM_UP_S } from './options.js';

/** Children still running, stopped on exit whatever happens. */
export const children = new Set<ChildProcess>();

export function pinned(core: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn('taskset', ['-c', core, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function collect(child: ChildProcess): Promise<string> {
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${child.spawnargs.join(' ')}: ${err}`)),
    ),
  );
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resident memory of a process, from /proc (Linux). */
export function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Server {
  url: string;
  pid: number;
  /** From spawn to the first 200 from GET /api/health (polled every 2 ms). */
  startupMs: number;
  stop(): Promise<void>;
}

export async function startPinned(
  args: string[],
  env: NodeJS.ProcessEnv,
  healthPath: string,
  port: number,
): Promise<Server> {
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = pinned(SERVER_CORE, args, env);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4000)));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4000)));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited:\n${output}`);
    if (performance.now() - started > 30_000) throw new Error(`${args.join(' ')} did not answer in 30 s:\n${output}`);
    try {
      if ((await fetch(url + healthPath)).status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(2);
  }
  return { url, pid: child.pid!, startupMs: performance.now() - started, stop: () => stopChild(child) };
}

/**
 * The server's command line as `npm start` runs it (package.json), Node flags included: the bench
 * measures what an installation runs. `node` becomes this Node.
 */
export function npmStartCommand(): string[] {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = scripts.start.split(' ');
  if (node !== 'node') throw new Error(`npm start does not run node: ${scripts.start}`);
  return [process.execPath, ...args];
}

export async function startLatchkey(env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  return startPinned(npmStartCommand(), { ...env, HOST: '127.0.0.1', PORT: String(port) }, '/api/health', port);
}

export async function startBareFastify(): Promise<Server> {
  const port = await freePort();
  return startPinned([process.execPath, 'bench/bare-fastify.mjs', String(port)], process.env, '/', port);
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

export interface Load {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  bodies?: string[];
  /** Requests per second per connection (autocannon's connectionRate); none: as fast as answered. */
  connectionRate?: number;
}

/** Runs steps (each: loads at the same time) one after the other, in a load generator on its own core. */
export async function runSteps(steps: Load[][]): Promise<LoadResult[][]> {
  const output = await collect(pinned(LOAD_CORE, [process.execPath, 'bench/load.mjs', JSON.stringify(steps)]));
  const results = JSON.parse(output) as LoadResult[][];
  results.forEach((step, i) =>
    step.forEach((result, j) => {
      if (result.errors > 0 || result.non2xx > 0)
        throw new Error(`${steps[i]![j]!.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    }),
  );
  return results;
}

/** Runs loads at the same time, each in a load generator process of its own (all on the load core). */
export async function runApart(loads: Load[]): Promise<LoadResult[]> {
  return Promise.all(loads.map(async (load) => (await runSteps([[load]]))[0]![0]!));
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export interface Comparison {
  /** Medians over the rounds. */
  requestsPerSecond: number;
  p99: number;
  baselineRequestsPerSecond: number;
  /** Median of the rounds' ratios: each round measures both sides within seconds of each other. */
  ratio: number;
  /**
   * Each server's CPU time (user + system, from /proc) per request it answered over the whole
   * comparison: what a request costs, whatever the machine's speed did meanwhile — the steadiest
   * figure on a shared machine, where throughput swings by tens of percent within minutes.
   */
  cpuMicrosecondsPerRequest: number;
  baselineCpuMicrosecondsPerRequest: number;
}

const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** A process's CPU time so far (user + system), in microseconds. */
function cpuMicroseconds(pid: number): number {
  // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[14 - 3]) + Number(fields[15 - 3])) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * A load and its yardstick, measured in alternating rounds (yardstick, load, yardstick, load, …)
 * after a warm-up of each: this machine's speed drifts by tens of percent within a minute, and a
 * ratio of two runs taken far apart would measure the drift.
 */
export async function compare(
  { server, ...load }: Omit<Load, 'duration'> & { server: Server },
  { server: baselineServer, ...baseline }: Omit<Load, 'duration'> & { server: Server },
): Promise<Comparison> {
  const steps: Load[][] = [[{ ...baseline, duration: WARM_UP_S }], [{ ...load, duration: WARM_UP_S }]];
  for (let round = 0; round < ROUNDS; round++)
    steps.push([{ ...baseline, duration: ROUND_S }], [{ ...load, duration: ROUND_S }]);
  const pids = [baselineServer.pid, server.pid];
  const cpuBefore = pids.map(cpuMicroseconds);
  const all = (await runSteps(steps)).map((step) => step[0]!);
  const cpuUsed = pids.map((pid, i) => cpuMicroseconds(pid) - cpuBefore[i]!);
  // Every request counts here, the warm-up's too: the CPU time covers them all.
  const answered = (side: number) => all.filter((_, i) => i % 2 === side).reduce((sum, r) => sum + r.total, 0);
  const results = all.slice(2);
  const baselines = results.filter((_, i) => i % 2 === 0);
  const measured = results.filter((_, i) => i % 2 === 1);
  return {
    requestsPerSecond: median(measured.map((r) => r.requestsPerSecond)),
    p99: median(measured.map((r) => r.p99)),
    baselineRequestsPerSecond: median(baselines.map((r) => r.requestsPerSecond)),
    ratio: median(measured.map((r, i) => r.requestsPerSecond / baselines[i]!.requestsPerSecond)),
    cpuMicrosecondsPerRequest: cpuUsed[1]! / answered(1),
    baselineCpuMicrosecondsPerRequest: cpuUsed[0]! / answered(0),
  };
}
