/**
 * Serving the web UI: every page path answers index.html (GET and HEAD alike) and it is never
 * stored, while the hashed bundles under /assets/ are cached for a year. Only the UI's own routes
 * (UI_ROUTES) are pages: any other path is a 404. A small UI of its own
 * (written to a temp directory) stands in for `dist/web`, so this runs without a build.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { isUiRoute, UI_ROUTES } from '../../src/shared/ui-routes.js';
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
    '/forgot-password',
    '/reset-password',
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

/** What a browser sends when it navigates to a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('unknown paths are 404, never the UI with 200', () => {
  const notUi = [
    // Metrics are off unless configured (routes/metrics.ts); /scim/v2 answers SCIM clients only.
    '/metrics',
    '/scim/v3/Users',
    '/.env',
    '/wp-login.php',
    '/healthz',
    '/users/8d0c6a4e/extra',
    '/userss',
    '/settings/advanced',
  ];
  for (const url of notUi) {
    for (const accept of ['*/*', 'application/json', undefined]) {
      it(`GET ${url} (Accept: ${accept ?? 'none'}) answers the JSON 404`, async () => {
        const response = await app.inject({ method: 'GET', url, headers: accept ? { accept } : {} });
        expect(response.statusCode).toBe(404);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.json()).toEqual({
          error: { code: 'not_found', message: 'Not found.', requestId: expect.any(String) },
        });
      });
    }
  }

  it('answers a browser asking for an unknown page with the UI (its "Page not found") and status 404', async () => {
    for (const url of ['/metrics', '/scim/v3/Users', '/no-such-page']) {
      const get = await app.inject({ method: 'GET', url, headers: { accept: BROWSER_ACCEPT } });
      expect(get.statusCode, url).toBe(404);
      expect(get.headers['content-type'], url).toMatch(/^text\/html/);
      expect(get.headers['cache-control'], url).toBe('no-store');
      expect(get.body, url).toBe(INDEX_HTML);
      const head = await app.inject({ method: 'HEAD', url, headers: { accept: BROWSER_ACCEPT } });
      expect(head.statusCode, url).toBe(404);
      expect(head.body, url).toBe('');
    }
  });

  for (const url of ['/api', '/api/', '/api/v1/no-such-thing', '/api/v2/users', '/api/v1/users/x/y/z']) {
    it(`answers ${url} with the JSON 404 for every method, even when a browser asks for HTML`, async () => {
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
        const response = await app.inject({ method, url, headers: { accept: BROWSER_ACCEPT } });
        expect(response.statusCode, `${method} ${url}`).toBe(404);
        expect(response.headers['content-type'], `${method} ${url}`).toMatch(/^application\/json/);
        if (method !== 'HEAD') expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
      }
    });
  }

  it('answers every route of the UI (UI_ROUTES) with the page and 200, for any client', async () => {
    for (const pattern of Object.values(UI_ROUTES)) {
      const url = pattern.replace(/:\w+/g, 'some-id');
      for (const accept of ['*/*', BROWSER_ACCEPT]) {
        const response = await app.inject({ method: 'GET', url, headers: { accept } });
        expect(response.statusCode, `${url} (${accept})`).toBe(200);
        expect(response.body).toBe(INDEX_HTML);
      }
    }
    // A trailing slash and a query string are the same page to react-router.
    expect((await app.inject({ method: 'GET', url: '/users/?tab=x' })).statusCode).toBe(200);
  });
});

describe('isUiRoute: the server matches UI_ROUTES as react-router does', () => {
  it.each([
    ['/', true],
    ['/users', true],
    ['/users/', true],
    ['/users/abc', true],
    ['/users/abc/', true],
    ['/users//', false],
    ['/users/abc/def', false],
    ['//users', false],
    ['/settings', true],
    ['/set-up-mfa', true],
    ['/change-password', true],
    ['/metrics', false],
    ['users', false],
    ['', false],
  ])('%s → %s', (pathname, expected) => {
    expect(isUiRoute(pathname)).toBe(expected);
  });
});

describe('one list of UI routes', () => {
  it('routes in src/web/app.tsx every path of UI_ROUTES and nothing else (besides its catch-all Not Found page)', () => {
    const source = readFileSync(new URL('../../src/web/app.tsx', import.meta.url), 'utf8');
    const paths = [...source.matchAll(/\{\s*path:\s*([^,}]+)/g)].map((match) => match[1]!.trim());
    const named = paths.filter((path) => path !== "'*'");
    // A string literal here would be a page the server 404s: every path must come from UI_ROUTES.
    expect(named.filter((path) => !/^UI_ROUTES\.\w+$/.test(path))).toEqual([]);
    expect(paths).toContain("'*'");
    const used = named.map((path) => path.replace('UI_ROUTES.', ''));
    // '/' is the layout's index route (`index: true`), which has no path of its own.
    expect(source).toMatch(/\{\s*index: true,/);
    expect([...used, 'home'].sort()).toEqual(Object.keys(UI_ROUTES).sort());
  });
});
