/**
 * Serving the web UI: every page path answers index.html (GET and HEAD alike) and it is never
 * stored, while the hashed bundles under /assets/ are cached for a year. A small UI of its own
 * (written to a temp directory) stands in for `dist/web`, so this runs without a build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const INDEX_HTML =
  '<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head></html>';
const BUNDLE = 'console.log("the UI");';
const IMMUTABLE = 'public, max-age=31536000, immutable';

let t: TestApp;
let app: FastifyInstance;
let webRoot: string;

beforeAll(async () => {
  t = await createTestApp();
  webRoot = mkdtempSync(path.join(tmpdir(), 'latchkey-web-'));
  mkdirSync(path.join(webRoot, 'assets'));
  writeFileSync(path.join(webRoot, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(webRoot, 'assets', 'index-Ab12Cd34.js'), BUNDLE);
  writeFileSync(path.join(webRoot, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  app = await buildApp({ db: t.db, config: t.config, webRoot });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await t?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

describe('page paths of the single-page UI', () => {
  for (const url of [
    '/',
    '/users',
    '/users/8d0c6a4e-6d1f-4a55-9a51-3a6c3c1d2b7e?tab=account-settings',
    '/login',
    '/index.html',
  ]) {
    it(`GET ${url} answers index.html with Cache-Control: no-store`, async () => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toBe(INDEX_HTML);
    });
  }

  it('HEAD on a page path answers like GET (200, text/html, no-store, same length) without a body', async () => {
    const get = await app.inject({ method: 'GET', url: '/users' });
    const head = await app.inject({ method: 'HEAD', url: '/users' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.headers['cache-control']).toBe('no-store');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(INDEX_HTML)));
    expect(head.body).toBe('');
  });

  it('HEAD / answers 200 too (a load balancer or uptime check probing the home page)', async () => {
    const head = await app.inject({ method: 'HEAD', url: '/' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['cache-control']).toBe('no-store');
  });

  it('answers other methods on a page path with the JSON 404, not the page', async () => {
    for (const method of ['POST', 'PUT', 'DELETE'] as const) {
      const response = await app.inject({ method, url: '/users' });
      expect(response.statusCode, method).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('answers an unknown /api/ path with the JSON 404 for GET and HEAD', async () => {
    const get = await app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    expect(get.statusCode).toBe(404);
    expect(get.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await app.inject({ method: 'HEAD', url: '/api/v1/no-such-thing' })).statusCode).toBe(404);
  });
});

describe('hashed files under /assets/', () => {
  it('are served with Cache-Control: public, max-age=31536000, immutable (GET and HEAD)', async () => {
    const get = await app.inject({ method: 'GET', url: '/assets/index-Ab12Cd34.js' });
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toMatch(/javascript/);
    expect(get.headers['cache-control']).toBe(IMMUTABLE);
    expect(get.body).toBe(BUNDLE);
    const head = await app.inject({ method: 'HEAD', url: '/assets/index-Ab12Cd34.js' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['cache-control']).toBe(IMMUTABLE);
    expect(head.body).toBe('');
  });

  it('answers a missing bundle (a previous build) with 404, never with index.html', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      const response = await app.inject({ method, url: '/assets/index-Old99999.js' });
      expect(response.statusCode, method).toBe(404);
      expect(response.headers['content-type'], method).not.toMatch(/html/);
    }
  });

  it('are the only files kept for a year: a file outside /assets/ (its name has no hash) is not immutable', async () => {
    const response = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).not.toMatch(/immutable|max-age=31536000/);
  });
});

describe('without a built UI', () => {
  it('answers page paths with the JSON 404 (the API still works)', async () => {
    const bare = await buildApp({ db: t.db, config: t.config, webRoot: null });
    try {
      const response = await bare.inject({ method: 'GET', url: '/users' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
      expect((await bare.inject({ method: 'GET', url: '/api/v1/setup' })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});
