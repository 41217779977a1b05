/**
 * GET /api/ready, what a load balancer and the container health check ask: 200 while the node can
 * serve, 503 while it cannot reach its database or (PostgreSQL) cannot prove it hears revocations,
 * and 200 again once it can. GET /api/health stays 200 throughout: the process is alive.
 * SQLite and PostgreSQL; the network failures through a TCP relay, PostgreSQL only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startDatabaseRelay, type DatabaseRelay } from '../helpers/nodes.js';
import { createTestApp, usingPostgres, type TestApp } from '../helpers/test-app.js';

let t: TestApp | undefined;
let relay: DatabaseRelay | undefined;
afterEach(async () => {
  await relay?.restore().catch(() => undefined);
  await t?.close();
  relay?.close();
  t = undefined;
  relay = undefined;
});

interface Readiness {
  status: number;
  body: { status: string; database: string; credentialChanges: string };
}

async function readiness(app: TestApp): Promise<Readiness> {
  const response = await app.app.inject({ method: 'GET', url: '/api/ready' });
  return { status: response.statusCode, body: response.json() };
}

/** Asks until `expected` answers (the listener needs a moment to notice, and to come back). */
async function waitForReadiness(app: TestApp, expected: number, withinMs = 8_000): Promise<Readiness> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const answer = await readiness(app);
    if (answer.status === expected || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A test app whose every database connection (the pool's and the listener's) goes through a relay. */
async function appBehindRelay(): Promise<TestApp> {
  relay = await startDatabaseRelay(process.env.LATCHKEY_TEST_DATABASE_URL!);
  return createTestApp({ DATABASE_URL: relay.url });
}

describe('GET /api/ready', () => {
  it('answers 200 ready while the database answers', async () => {
    t = await createTestApp();
    const answer = await waitForReadiness(t, 200);
    expect(answer).toEqual({
      status: 200,
      body: { status: 'ready', database: 'ok', credentialChanges: usingPostgres ? 'listening' : 'in-process' },
    });
  });

  it('answers 503 once the database cannot be used, while /api/health stays 200', async () => {
    t = await createTestApp();
    await waitForReadiness(t, 200);
    await t.db.destroy();
    const answer = await readiness(t);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 'not ready', database: 'unreachable' });
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });

  describe.skipIf(!usingPostgres)('PostgreSQL, through a relay', () => {
    it('answers 503 while the database cannot be reached, and 200 again once it can', async () => {
      t = await appBehindRelay();
      await waitForReadiness(t, 200);
      relay!.cut();
      const cut = await readiness(t);
      expect(cut.status).toBe(503);
      expect(cut.body).toMatchObject({ status: 'not ready', database: 'unreachable' });
      await relay!.restore();
      expect(await waitForReadiness(t, 200)).toMatchObject({ status: 200, body: { credentialChanges: 'listening' } });
    });

    it('answers 503 within about a second while the database is silent (nothing closed), 200 once it answers', async () => {
      t = await appBehindRelay();
      await waitForReadiness(t, 200);
      relay!.stallEverything();
      const started = Date.now();
      const silent = await readiness(t);
      // A load balancer's probe gives up after a second or two; without a limit this waited for
      // the pool's 5 s connection timeout, or for ever on a connection already open.
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(silent.status).toBe(503);
      expect(silent.body).toMatchObject({ status: 'not ready', database: 'unreachable' });
      relay!.resumeEverything();
      expect((await waitForReadiness(t, 200)).status).toBe(200);
    });

    it('answers 503 while only its revocation listener is stalled (the database answers), 200 once it hears', async () => {
      t = await appBehindRelay();
      await waitForReadiness(t, 200);
      relay!.stallListeners();
      const deaf = await waitForReadiness(t, 503, 3_000);
      expect(deaf).toEqual({
        status: 503,
        body: { status: 'not ready', database: 'ok', credentialChanges: 'not listening' },
      });
      relay!.resumeListeners();
      expect((await waitForReadiness(t, 200)).status).toBe(200);
    });
  });
});
