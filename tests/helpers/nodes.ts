/**
 * Several real Latchkey processes (the built `dist/server/main.js`) on ONE PostgreSQL database, as
 * N nodes behind a load balancer: the same LATCHKEY_SECRET_KEY and LATCHKEY_PUBLIC_URL, each on a
 * free loopback port of its own. What one node does, another must see on its very next request.
 *
 * The server has no setting for a PostgreSQL schema (it uses the database's default), so every
 * cluster gets a fresh database of its own (created here, dropped by stop()). `npm run build` must
 * have run: `npm test` builds before it runs vitest.
 *
 * Talks to the nodes with plain fetch, as a browser or script would (see NodeClient).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';

/** Long and unguessable enough for the strict password policy. */
export const NODE_ADMIN_PASSWORD = 'Quarry lantern 7 drifts over teal marmalade hills!';

export interface LatchkeyNode {
  /** A letter (A, B, …), for messages. */
  name: string;
  /** Where this very node answers: http://127.0.0.1:<port> (the public URL is the balancer's). */
  url: string;
  /** The one-time setup link this node printed at start (null when an account existed). */
  setupLink: string | null;
  /** The process ID (its listening connection is named latchkey-credential-listener:<pid>). */
  pid: number;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface Cluster {
  nodes: LatchkeyNode[];
  /** LATCHKEY_PUBLIC_URL of every node: the origin people (and the Origin header) use. */
  publicUrl: string;
  /** The cluster's own database (postgres://…/lk_nodes_…). */
  databaseUrl: string;
  /** The bootstrap Administrator (null with `bootstrapAdmin: false`). */
  admin: { email: string; password: string } | null;
  /** Starts one more node on the same database (e.g. through a proxy: `databaseUrl`). */
  addNode(options?: { databaseUrl?: string }): Promise<LatchkeyNode>;
  /** Stops every node, then drops the database. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** How many nodes to start (default 2). */
  nodes?: number;
  /** Create the first Administrator from LATCHKEY_BOOTSTRAP_ADMIN_* (default true). */
  bootstrapAdmin?: boolean;
}

/** The PostgreSQL server the tests use (LATCHKEY_TEST_DATABASE_URL), or null: the suite is skipped. */
export const clusterDatabaseUrl: string | null = process.env.LATCHKEY_TEST_DATABASE_URL || null;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function startNode(name: string, env: NodeJS.ProcessEnv, dataDir: string): Promise<LatchkeyNode> {
  const child = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (output += chunk));
  child.stdout.on('data', (chunk: string) => (output += chunk));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${name} did not start within 30 s:\n${output}`)), 30_000);
      const check = () => {
        // The last line of the start-up banner: printed once the link (if any) is in the output.
        if (/Sign in at |\(The link works once\./.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`node ${name} exited early (code ${code}, signal ${signal}):\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name,
    url: `http://127.0.0.1:${env.PORT}`,
    setupLink: /(https?:\/\/\S+\/setup#token=\S+)/.exec(output)?.[1] ?? null,
    pid: child.pid!,
    output: () => output,
    stop,
  };
}

/**
 * Starts a cluster on a fresh database of the test PostgreSQL server. The nodes start one after
 * the other (the first one migrates the empty database). Call stop() in afterAll; if starting
 * fails, whatever was started is stopped and the database dropped before the error is thrown.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  if (!clusterDatabaseUrl) throw new Error('startCluster needs LATCHKEY_TEST_DATABASE_URL (PostgreSQL).');
  if (!existsSync('dist/server/main.js')) throw new Error('dist/server/main.js is missing: run `npm run build` first.');
  const serverUrl = clusterDatabaseUrl;
  const databaseName = `lk_nodes_${randomBytes(6).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${databaseName}` }).toString();
  const secretKey = randomBytes(32).toString('hex');
  // The balancer's address: no node listens there, every node is configured with it.
  const publicUrl = `http://127.0.0.1:${await freePort()}`;
  const admin =
    options.bootstrapAdmin === false
      ? null
      : { email: `admin-${randomBytes(3).toString('hex')}@nodes.example.test`, password: NODE_ADMIN_PASSWORD };

  await adminQuery(serverUrl, `create database ${databaseName}`);
  const nodes: LatchkeyNode[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(nodes.map((node) => node.stop()));
    await adminQuery(serverUrl, `drop database if exists ${databaseName} with (force)`);
  };
  const addNode = async (nodeOptions: { databaseUrl?: string } = {}) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'latchkey-node-'));
    // Only what an operator would set on each node; nothing of the caller's environment leaks in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: nodeOptions.databaseUrl ?? databaseUrl,
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_SECRET_KEY: secretKey,
      LATCHKEY_PUBLIC_URL: publicUrl,
      LATCHKEY_LOGIN_DELAY_STEP_MS: '0',
      LOG_LEVEL: 'warn',
      ...(admin
        ? { LATCHKEY_BOOTSTRAP_ADMIN_EMAIL: admin.email, LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD: admin.password }
        : {}),
    };
    const node = await startNode(String.fromCharCode(65 + nodes.length), env, dataDir);
    nodes.push(node);
    return node;
  };
  try {
    for (let i = 0; i < (options.nodes ?? 2); i++) await addNode();
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, publicUrl, databaseUrl, admin, addNode, stop };
}

/** Expects a status, showing the body when it is not (a node's answer says why). */
export function expectStatus(response: NodeResponse, status: number, what: string): void {
  expect(response.status, `${what}: ${response.text}`).toBe(status);
}

export interface NodeResponse {
  status: number;
  body: unknown;
  /** The response body as text (for "says nothing of its internals" checks). */
  text: string;
  headers: Headers;
}

/**
 * One person or script talking to any node: a session cookie (followed like a browser follows
 * Set-Cookie, across nodes) and/or an API token. Changes carry the CSRF header and the public
 * Origin, as the web UI's do.
 */
export class NodeClient {
  cookie: string | null = null;
  token: string | null = null;

  constructor(private readonly publicUrl: string) {}

  /** A request by session cookie (or none, for public routes). */
  send(node: LatchkeyNode, method: string, url: string, body?: unknown): Promise<NodeResponse> {
    return this.request(node, method, url, body, 'cookie');
  }

  /** A request by API token (Authorization: Bearer). */
  sendWithToken(node: LatchkeyNode, method: string, url: string, body?: unknown): Promise<NodeResponse> {
    if (!this.token) throw new Error('this client has no API token');
    return this.request(node, method, url, body, 'token');
  }

  /** Signs in with a password on `node` (no MFA): the session cookie is kept. */
  async signIn(node: LatchkeyNode, email: string, password: string): Promise<NodeResponse> {
    const response = await this.send(node, 'POST', '/api/v1/session', { email, password });
    if (response.status !== 200 || !this.cookie)
      throw new Error(`sign-in of ${email} on ${node.name}: ${response.status} ${response.text}`);
    return response;
  }

  private async request(
    node: LatchkeyNode,
    method: string,
    url: string,
    body: unknown,
    by: 'cookie' | 'token',
  ): Promise<NodeResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (by === 'token') headers.authorization = `Bearer ${this.token}`;
    else if (this.cookie) headers.cookie = this.cookie;
    if (method !== 'GET' && method !== 'HEAD' && by === 'cookie') {
      headers['x-latchkey-csrf'] = '1';
      headers.origin = this.publicUrl;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(url, node.url), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    if (by === 'cookie') {
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const [name, value = ''] = pair.split('=');
        if (name !== 'latchkey_session') continue;
        this.cookie = value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line) ? null : pair;
      }
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  }
}

/**
 * A TCP relay between nodes and PostgreSQL, to fail the network on purpose: cut() drops every
 * connection and refuses new ones until restore(); stallListeners() freezes only the nodes'
 * listening connections (recognised by their application_name in the start-up message), as a
 * stalled socket or a paused server would, while their queries still flow.
 */
export interface DatabaseRelay {
  /** The cluster's database URL, through this relay. */
  url: string;
  cut(): void;
  restore(): Promise<void>;
  stallListeners(): void;
  resumeListeners(): void;
  /** Every connection, new ones too, stops moving (nothing is closed): a database that went silent. */
  stallEverything(): void;
  resumeEverything(): void;
  close(): void;
}

export async function startDatabaseRelay(databaseUrl: string): Promise<DatabaseRelay> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const pairs = new Set<{ inbound: Socket; outbound: Socket; listener: boolean }>();
  // What is stalled: nothing, the revocation listeners' connections, or every connection (a
  // database that stops answering without closing anything, as behind a dropped route).
  let stalled: 'nothing' | 'listeners' | 'everything' = 'nothing';
  const isStalled = (pair: { listener: boolean }) =>
    stalled === 'everything' || (stalled === 'listeners' && pair.listener);
  const freeze = (pair: { inbound: Socket; outbound: Socket }) => {
    // Nothing is read on either side: what is sent waits in the kernel's buffers.
    pair.inbound.unpipe(pair.outbound);
    pair.outbound.unpipe(pair.inbound);
    pair.inbound.pause();
    pair.outbound.pause();
  };
  const flow = (pair: { inbound: Socket; outbound: Socket }) => {
    pair.inbound.pipe(pair.outbound);
    pair.outbound.pipe(pair.inbound);
    pair.inbound.resume();
    pair.outbound.resume();
  };
  const relay = createServer((inbound) => {
    const outbound = new Socket();
    outbound.connect(Number(target.port || 5432), target.hostname);
    sockets.add(inbound).add(outbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close).on('close', close);
    outbound.on('error', close).on('close', close);
    inbound.once('data', (first: Buffer) => {
      outbound.write(first);
      const pair = { inbound, outbound, listener: first.includes('latchkey-credential-listener') };
      pairs.add(pair);
      inbound.once('close', () => pairs.delete(pair));
      // A connection made while it would be stalled stays frozen until it is resumed.
      if (isStalled(pair)) {
        inbound.pause();
        outbound.pause();
        return;
      }
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
  });
  const listen = (port: number) => new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const port = (relay.address() as { port: number }).port;
  const url = Object.assign(new URL(databaseUrl), { hostname: '127.0.0.1', port: String(port) }).toString();
  const cut = () => {
    relay.close();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const stall = (what: 'listeners' | 'everything') => {
    const wasStalled = new Set([...pairs].filter(isStalled));
    stalled = what;
    for (const pair of pairs) if (isStalled(pair) && !wasStalled.has(pair)) freeze(pair);
  };
  const resume = () => {
    const wasStalled = [...pairs].filter(isStalled);
    stalled = 'nothing';
    for (const pair of wasStalled) flow(pair);
  };
  return {
    url,
    cut,
    restore: () => listen(port),
    stallListeners: () => stall('listeners'),
    resumeListeners: resume,
    stallEverything: () => stall('everything'),
    resumeEverything: resume,
    close: cut,
  };
}
