/**
 * Starts a real, fresh Latchkey (the built `dist/server/main.js`) for one test file: its own free
 * port, its own data directory (SQLite), no account. The one-time setup link it prints is parsed
 * from its output, as a person would copy it from the terminal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from '@playwright/test';

export interface RunningLatchkey {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The printed one-time setup link (`…/setup#token=…`), while no account exists. */
  setupLink: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  /** Its data directory (the SQLite database is latchkey.db there): for setting up what no API makes, such as old log entries. */
  dataDir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
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

export interface LatchkeyOptions {
  /**
   * The host name people use (LATCHKEY_PUBLIC_URL http://<publicHost>:<port>); the server still
   * listens on 127.0.0.1. Passkeys need it: a WebAuthn rpID must be a domain, not an IP address,
   * and http://localhost is a secure context in Chromium.
   */
  publicHost?: string;
  /**
   * More settings, read when the server starts (after the file's earlier beforeAll hooks), e.g.
   * LATCHKEY_SMTP_* for a test SMTP server started just before.
   */
  env?: () => Record<string, string>;
}

export async function startLatchkey(options: LatchkeyOptions = {}): Promise<RunningLatchkey> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'latchkey-e2e-'));
  const port = await freePort();
  // Only what a person would set; nothing of the caller's own Latchkey configuration leaks in.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LATCHKEY_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    LATCHKEY_LOGIN_DELAY_STEP_MS: '0',
    ...(options.publicHost ? { LATCHKEY_PUBLIC_URL: `http://${options.publicHost}:${port}` } : {}),
    ...(options.env ? options.env() : {}),
  };
  const child = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (output += chunk));

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
    const { url, setupLink } = await new Promise<{ url: string; setupLink: string }>((resolve, reject) => {
      let url: string | null = null;
      const timer = setTimeout(
        () => reject(new Error(`Latchkey did not start within 30 s. Output:\n${output}`)),
        30_000,
      );
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        url ??= /Latchkey is running at (\S+)/.exec(output)?.[1] ?? null;
        const setupLink = /(https?:\/\/\S+\/setup#token=\S+)/.exec(output)?.[1];
        if (url && setupLink) {
          clearTimeout(timer);
          resolve({ url, setupLink });
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Latchkey exited early (code ${code}, signal ${signal}). Output:\n${output}`));
      });
    });
    return { url, setupLink, output: () => output, dataDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A fresh Latchkey for the test file that calls this (started before its first test, stopped and
 * its data deleted after its last). Returns a getter, since it exists only once the hook has run.
 */
export function useLatchkey(options: LatchkeyOptions = {}): () => RunningLatchkey {
  let running: RunningLatchkey | undefined;
  test.beforeAll(async () => {
    running = await startLatchkey(options);
  });
  test.afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (!running)
      throw new Error('Latchkey is not running (useLatchkey() must be called at the top of the test file).');
    return running;
  };
}
