/**
 * Compressed answers: the web UI's files are sent as the .br/.gz copies written at build time
 * (scripts/compress-web.mjs) to a browser that accepts them, and JSON answers of 1 KiB or more are
 * compressed per request, while streamed answers (the CSV exports) stay streams. Security headers
 * and the caching rules (hashed assets kept a year, index.html never stored) hold for every
 * encoding. A small UI of its own (written to a temp directory) stands in for `dist/web`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { chooseEncoding } from '../../src/server/compression.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { quickSession, quickUser } from '../helpers/fixtures.js';
import { createTestApp, type Caller, type TestApp } from '../helpers/test-app.js';

const INDEX_HTML = `<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body>${'<!-- padding -->'.repeat(80)}</body></html>`;
const BUNDLE = `export const words = ${JSON.stringify('the quick brown fox jumps over the lazy dog '.repeat(200))};`;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const BUNDLE_URL = '/assets/index-Ab12Cd34.js';

let t: TestApp;
let app: FastifyInstance;
let webRoot: string;
let admin: Caller;

beforeAll(async () => {
  t = await createTestApp();
  webRoot = mkdtempSync(path.join(tmpdir(), 'latchkey-web-'));
  mkdirSync(path.join(webRoot, 'assets'));
  // As the build leaves them: each file, and its brotli and gzip copies.
  for (const [file, content] of [
    ['index.html', INDEX_HTML],
    [`assets/index-Ab12Cd34.js`, BUNDLE],
  ] as const) {
    writeFileSync(path.join(webRoot, file), content);
    writeFileSync(path.join(webRoot, `${file}.br`), brotliCompressSync(content));
    writeFileSync(path.join(webRoot, `${file}.gz`), gzipSync(content));
  }
  app = await buildApp({ db: t.db, config: t.config, webRoot });
  await app.ready();
  for (let i = 0; i < 8; i++) await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
});
afterAll(async () => {
  await app?.close();
  await t?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

describe('the web UI’s files', () => {
  it('a hashed bundle comes as its brotli copy when accepted, kept for a year, varying on Accept-Encoding', async () => {
    const response = await app.inject({
      method: 'GET',
      url: BUNDLE_URL,
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
    expect(response.headers['vary']).toMatch(/accept-encoding/i);
    expect(response.headers['cache-control']).toBe(IMMUTABLE);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(Number(response.headers['content-length'])).toBeLessThan(BUNDLE.length / 5);
    expect(brotliDecompressSync(response.rawPayload).toString()).toBe(BUNDLE);
  });

  it('gzip for a client without brotli; the file itself for one that accepts neither', async () => {
    const gzipped = await app.inject({ method: 'GET', url: BUNDLE_URL, headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['cache-control']).toBe(IMMUTABLE);
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(BUNDLE);

    const plain = await app.inject({ method: 'GET', url: BUNDLE_URL, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['vary']).toMatch(/accept-encoding/i);
    expect(plain.headers['cache-control']).toBe(IMMUTABLE);
    expect(plain.body).toBe(BUNDLE);
  });

  it('index.html, compressed, is still never stored, on a page path too', async () => {
    for (const url of ['/index.html', '/users']) {
      const response = await app.inject({
        method: 'GET',
        url,
        headers: { 'accept-encoding': 'br', accept: 'text/html' },
      });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-encoding'], url).toBe('br');
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.headers['cache-control'], url).toBe('no-store');
      expect(response.headers['cache-control'], url).not.toMatch(/immutable|max-age/);
      expect(brotliDecompressSync(response.rawPayload).toString(), url).toBe(INDEX_HTML);
    }
  });
});

describe('JSON answers', () => {
  it('a large one is compressed (brotli, else gzip), its security headers kept', async () => {
    const plain = await admin.request({ method: 'GET', url: '/api/v1/users?pageSize=100' });
    expect(plain.statusCode).toBe(200);
    expect(plain.body.length).toBeGreaterThan(1024);

    const br = await admin.request({
      method: 'GET',
      url: '/api/v1/users?pageSize=100',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toMatch(/accept-encoding/i);
    expect(br.headers['content-type']).toMatch(/^application\/json/);
    expect(br.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(br.headers['x-content-type-options']).toBe('nosniff');
    expect(br.rawPayload.length).toBeLessThan(plain.body.length / 2);
    expect(Number(br.headers['content-length'])).toBe(br.rawPayload.length);
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString())).toEqual(JSON.parse(plain.body));

    const gz = await admin.request({
      method: 'GET',
      url: '/api/v1/users?pageSize=100',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString())).toEqual(JSON.parse(plain.body));
  });

  it('the OpenAPI document (public, large) is compressed too', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/openapi.json',
      headers: { 'accept-encoding': 'br' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    const document = brotliDecompressSync(response.rawPayload);
    expect(JSON.parse(document.toString())).toHaveProperty('openapi');
    // Larger than what is compressed on the event loop: the thread pool's path, gzip too.
    expect(document.length).toBeGreaterThan(64 * 1024);
    const gz = await app.inject({ method: 'GET', url: '/api/openapi.json', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(document)).toBe(true);
  });

  it('a small one, or a client that accepts no encoding, gets plain JSON', async () => {
    const small = await app.inject({ method: 'GET', url: '/api/health', headers: { 'accept-encoding': 'br, gzip' } });
    expect(small.statusCode).toBe(200);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.json()).toMatchObject({ status: expect.any(String) });

    const refused = await admin.request({
      method: 'GET',
      url: '/api/v1/users?pageSize=100',
      headers: { 'accept-encoding': 'br;q=0, gzip;q=0' },
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.json()).toHaveProperty('users');
  });

  it('the CSV export stays a plain stream, with its headers', async () => {
    const response = await admin.request({
      method: 'GET',
      url: '/api/v1/users/export.csv',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body.split('\n').length).toBeGreaterThan(9);
  });
});

describe('chooseEncoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['identity', null],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['BR;q=0.5', 'br'],
    ['gzip;q=0', null],
    ['*', null],
  ] as const)('%s → %s', (header, expected) => {
    expect(chooseEncoding(header)).toBe(expected);
  });
});
