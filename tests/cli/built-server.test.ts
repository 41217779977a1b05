/**
 * The built server (dist/server/main.js, as `npm start` runs it) on SQLite, for what only the
 * bundle can get wrong: libraries loaded on first use. The API tests run the source, where every
 * import works; in the bundle, prom-client's chunk once had no named exports and GET /metrics
 * answered 500.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNode, type LatchkeyNode } from '../helpers/nodes.js';

const built = existsSync('dist/server/main.js');
const requireAll = process.env.LATCHKEY_REQUIRE_ALL_SUITES === '1';
const METRICS_TOKEN = randomBytes(24).toString('hex');

describe.skipIf(!built && !requireAll)('the built server', () => {
  let node: LatchkeyNode;

  beforeAll(async () => {
    expect(built, 'dist/server/main.js is missing: run npm run build:server').toBe(true);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'latchkey-built-'));
    node = await startNode(
      'built',
      {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
        LATCHKEY_DATA_DIR: dataDir,
        LATCHKEY_SECRET_KEY: randomBytes(32).toString('hex'),
        LATCHKEY_METRICS_TOKEN: METRICS_TOKEN,
        LOG_LEVEL: 'warn',
      },
      dataDir,
    );
  }, 60_000);

  afterAll(async () => node?.stop());

  it('serves GET /metrics to its scraper, with the process metrics loaded on the first scrape', async () => {
    const response = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const body = await response.text();
    expect(response.status, body).toBe(200);
    expect(body).toMatch(/^latchkey_process_resident_memory_bytes \d+/m);
    expect(body).toMatch(/^# TYPE latchkey_http_request_duration_seconds histogram$/m);
    expect(node.output()).not.toMatch(/unhandled error/);
  });
});
