/**
 * The page a visit starts on names, in `Link` headers, what the browser may fetch while the app's
 * JavaScript is still arriving (src/server/page-preloads.ts): the users list's chunks and the entry's
 * (from Vite's manifest), biggest first, and, for an account that will ask for it, the list's first page, at the very URL the
 * web client requests. A small UI of its own (a temp directory with a manifest) stands in for
 * `dist/web`, so this runs without a build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, sessionCookieFor } from '../../src/server/app.js';
import { createSession } from '../../src/server/auth/sessions.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { readListParams, userListUrl } from '../../src/shared/user-list-address.js';
import { createCustomGroup, quickUser } from '../helpers/fixtures.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const MANIFEST = {
  'index.html': { file: 'assets/index-Ab12Cd34.js', isEntry: true, imports: ['_react-Ef56.js'] },
  '_react-Ef56.js': { file: 'assets/react-Ef56.js' },
  '_table-Gh78.js': { file: 'assets/table-Gh78.js', imports: ['_react-Ef56.js'] },
  'pages/users/users-page.tsx': {
    file: 'assets/users-page-Ij90.js',
    isDynamicEntry: true,
    imports: ['_react-Ef56.js', '_table-Gh78.js', 'index.html'],
  },
  'pages/logs/logs-page.tsx': { file: 'assets/logs-page-Kl12.js', isDynamicEntry: true, imports: ['index.html'] },
};
const LIST_PRELOAD = '</api/v1/users?sort=email&order=asc&pageSize=25>; rel=preload; as=fetch; crossorigin=anonymous';
/** The size of each script in the stand-in UI: what orders them. */
const SIZES: Record<string, number> = {
  'assets/index-Ab12Cd34.js': 2000,
  'assets/react-Ef56.js': 9000,
  'assets/table-Gh78.js': 3000,
  'assets/users-page-Ij90.js': 1000,
};
const CHUNK_PRELOADS = [
  '</assets/react-Ef56.js>; rel=modulepreload',
  '</assets/table-Gh78.js>; rel=modulepreload',
  '</assets/index-Ab12Cd34.js>; rel=modulepreload',
  '</assets/users-page-Ij90.js>; rel=modulepreload',
].join(', ');

let t: TestApp;
let app: FastifyInstance;
let webRoot: string;

beforeAll(async () => {
  t = await createTestApp();
  webRoot = mkdtempSync(path.join(tmpdir(), 'latchkey-web-'));
  mkdirSync(path.join(webRoot, 'assets'));
  mkdirSync(path.join(webRoot, '.vite'));
  writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Latchkey</title>');
  writeFileSync(path.join(webRoot, '.vite', 'manifest.json'), JSON.stringify(MANIFEST));
  for (const [file, size] of Object.entries(SIZES)) writeFileSync(path.join(webRoot, file), 'x'.repeat(size));
  app = await buildApp({ db: t.db, config: t.config, webRoot });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await t?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

/** A session cookie of a new account in `groupId` (optionally one that must change its password first). */
async function cookieOf(groupId: string, mustChangePassword = false): Promise<string> {
  const user = await quickUser(t, groupId);
  if (mustChangePassword)
    await t.db.updateTable('users').set({ must_change_password: 1 }).where('id', '=', user.id).execute();
  const session = await createSession(t.db, user.id, { ip: '127.0.0.1', userAgent: 'vitest' });
  return `${sessionCookieFor(t.config.publicUrl).name}=${session.id}`;
}

describe('the users list page', () => {
  it('names the page’s chunks and the entry’s, biggest first (over HTTP/1.1 they get the first connections), then the list’s first page', async () => {
    const cookie = await cookieOf(SYSTEM_GROUP_IDS.administrator);
    const response = await app.inject({ method: 'GET', url: '/users', headers: { cookie } });
    expect(response.statusCode).toBe(200);
    expect(response.headers.link).toBe(`${CHUNK_PRELOADS}, ${LIST_PRELOAD}`);
  });

  it('names the page of the list the address asks for, as the web client builds its URL, and that URL answers', async () => {
    const cookie = await cookieOf(SYSTEM_GROUP_IDS.administrator);
    const search = 'search=%20ann%20&accountStatus=enabled&mfa=bogus&sort=lastName&order=desc&pageSize=50';
    const response = await app.inject({ method: 'GET', url: `/users?${search}`, headers: { cookie } });
    const url = '/api/v1/users?search=ann&accountStatus=enabled&sort=lastName&order=desc&pageSize=50';
    expect(url).toBe(userListUrl(readListParams(new URLSearchParams(search))));
    expect(response.headers.link).toContain(`<${url}>; rel=preload; as=fetch; crossorigin=anonymous`);
    const list = await app.inject({ method: 'GET', url, headers: { cookie } });
    expect(list.statusCode).toBe(200);
  });

  it('names no data for a visitor who is not signed in, or whose session is not valid (only the chunks)', async () => {
    for (const headers of [{}, { cookie: `${sessionCookieFor(t.config.publicUrl).name}=not-a-session` }]) {
      const response = await app.inject({ method: 'GET', url: '/users', headers });
      expect(response.statusCode).toBe(200);
      expect(response.headers.link).toBe(CHUNK_PRELOADS);
    }
  });

  it('names no data for an account that may not see the list, or that must first change its password', async () => {
    for (const cookie of [
      await cookieOf(await createCustomGroup(t, ['records:view'])),
      await cookieOf(SYSTEM_GROUP_IDS.administrator, true),
    ]) {
      const response = await app.inject({ method: 'GET', url: '/users', headers: { cookie } });
      expect(response.statusCode).toBe(200);
      expect(response.headers.link).toBe(CHUNK_PRELOADS);
    }
  });
});

describe('other pages and files', () => {
  it('names nothing for a page without preloads', async () => {
    const cookie = await cookieOf(SYSTEM_GROUP_IDS.administrator);
    for (const url of ['/logs', '/users/8d0c6a4e-6d1f-4a55-9a51-3a6c3c1d2b7e', '/']) {
      const response = await app.inject({ method: 'GET', url, headers: { cookie } });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers.link, url).toBeUndefined();
    }
  });

  it('does not serve the manifest itself', async () => {
    const response = await app.inject({ method: 'GET', url: '/.vite/manifest.json' });
    expect(response.statusCode).toBe(404);
  });
});
