/**
 * Whatever a client sends, the answer is a 4xx with the one error shape `{ error: { code, message } }`,
 * never a 500 and never a framework's own error format; and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { ErrorBodySchema } from '../../src/shared/schemas/common.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { quickSession, quickUser, stateSnapshot } from '../helpers/fixtures.js';
import { createTestApp, UI_HEADERS, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;
let adminId: string;

beforeAll(async () => {
  t = await createTestApp();
  const user = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
  adminId = user.id;
  admin = await quickSession(t, user);
});
afterAll(async () => t?.close());

const json = { 'content-type': 'application/json' };
const validUser = {
  email: 'valid.person@example.test',
  firstName: 'Valid',
  lastName: 'Person',
  password: 'a perfectly fine passphrase 1',
  confirmPassword: 'a perfectly fine passphrase 1',
  securityGroupId: SYSTEM_GROUP_IDS.regularUser,
  sessionTimeoutMinutes: 60,
};

const cases: Array<[string, InjectOptions, number?]> = [
  ['malformed JSON', { method: 'POST', url: '/api/v1/users', headers: json, payload: '{"email": ' }, 400],
  ['JSON with a trailing comma', { method: 'PATCH', url: '/api/v1/me', headers: json, payload: '{"title":"x",}' }, 400],
  ['a JSON body that is null', { method: 'POST', url: '/api/v1/users', headers: json, payload: 'null' }, 400],
  ['a JSON body that is an array', { method: 'POST', url: '/api/v1/users', headers: json, payload: '[1,2,3]' }, 400],
  ['a JSON body that is a string', { method: 'PATCH', url: '/api/v1/me', headers: json, payload: '"title"' }, 400],
  ['an empty JSON body', { method: 'POST', url: '/api/v1/users', headers: json, payload: '' }, 400],
  [
    'a text/plain body',
    { method: 'POST', url: '/api/v1/users', headers: { 'content-type': 'text/plain' }, payload: 'hello' },
  ],
  [
    'a form-encoded body',
    {
      method: 'POST',
      url: '/api/v1/users',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a%40b.c',
    },
    415,
  ],
  [
    'a multipart body',
    {
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\n\r\n--x--',
    },
    415,
  ],
  [
    'a body over 1 MiB',
    {
      method: 'POST',
      url: '/api/v1/users',
      headers: json,
      payload: JSON.stringify({ ...validUser, title: 'x'.repeat(1_100_000) }),
    },
    413,
  ],
  [
    'a body of 100,000 nested arrays',
    {
      method: 'PATCH',
      url: '/api/v1/me',
      headers: json,
      payload: `{"title":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    },
  ],
  [
    'a number too large for JSON to hold',
    { method: 'PATCH', url: '/api/v1/me', headers: json, payload: '{"sessionTimeoutMinutes":1e400}' },
    400,
  ],
  [
    'a __proto__ key in the body',
    { method: 'PATCH', url: '/api/v1/me', headers: json, payload: '{"__proto__":{"isAdmin":true}}' },
    400,
  ],
  [
    'a constructor.prototype key in the body',
    { method: 'PATCH', url: '/api/v1/me', headers: json, payload: '{"constructor":{"prototype":{"isAdmin":true}}}' },
    400,
  ],
  [
    'an empty body with a JSON content type on DELETE',
    { method: 'DELETE', url: '/api/v1/users/no-such-user', headers: json, payload: '' },
    400,
  ],
  ['a page number of 1e99', { method: 'GET', url: '/api/v1/users?page=1e99' }, 400],
  ['a page number of Infinity', { method: 'GET', url: '/api/v1/users?page=Infinity' }, 400],
  ['a negative page size', { method: 'GET', url: '/api/v1/users?pageSize=-1' }, 400],
  ['a page given twice', { method: 'GET', url: '/api/v1/users?page=1&page=2' }, 400],
  ['a search given twice', { method: 'GET', url: '/api/v1/users?search=a&search=b' }, 400],
  ['a bracketed query key', { method: 'GET', url: '/api/v1/users?search[$ne]=x' }, 400],
  ['a __proto__ query key', { method: 'GET', url: '/api/v1/users?__proto__=x' }, 400],
  [
    '3,000 unknown query parameters',
    { method: 'GET', url: `/api/v1/users?${Array.from({ length: 3000 }, (_, i) => `k${i}=1`).join('&')}` },
    400,
  ],
  ['a 10,000-character search', { method: 'GET', url: `/api/v1/users?search=${'a'.repeat(10_000)}` }, 400],
  ['a sort column that is SQL', { method: 'GET', url: "/api/v1/users?sort=email'%20OR%201=1--" }, 400],
  ['an ID over 64 characters', { method: 'GET', url: `/api/v1/users/${'x'.repeat(65)}` }, 400],
  ['a path with broken percent-encoding', { method: 'GET', url: '/api/v1/users/%ff' }, 400],
  ['a path with a truncated percent-escape', { method: 'GET', url: '/api/v1/users/%E0%A4%A' }, 400],
  ['a NUL character in a path ID', { method: 'GET', url: '/api/v1/users/%00' }, 400],
  ['a NUL character in the search', { method: 'GET', url: '/api/v1/users?search=ab%00cd' }, 400],
  ['a NUL character in the CSV export search', { method: 'GET', url: '/api/v1/users/export.csv?search=%00' }, 400],
  [
    'a NUL character in a body field',
    { method: 'PATCH', url: '/api/v1/me', headers: json, payload: '{"title":"before\\u0000after"}' },
    400,
  ],
  [
    'a NUL character in a new account',
    {
      method: 'POST',
      url: '/api/v1/users',
      headers: json,
      payload: JSON.stringify({ ...validUser, firstName: 'Nul\u0000Byte' }),
    },
    400,
  ],
  [
    'a NUL character in the sign-in email',
    {
      method: 'POST',
      url: '/api/v1/session',
      headers: json,
      payload: JSON.stringify({ email: 'a\u0000@example.test', password: 'whatever it is' }),
    },
    400,
  ],
  ['an unknown API path', { method: 'GET', url: '/api/v1/does-not-exist' }, 404],
  ['an unknown method on a known path', { method: 'PUT', url: '/api/v1/users' }, 404],
];

describe('errors never become 500', () => {
  for (const [what, request, status] of cases) {
    it(`answers ${what} with ${status ?? 'a 4xx'} in the JSON error shape, changing nothing`, async () => {
      const before = await stateSnapshot(t);
      const response = await admin.request(request);
      if (status !== undefined) expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
      expect(response.statusCode, response.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(ErrorBodySchema.strict().safeParse(response.json()).success, response.body.slice(0, 300)).toBe(true);
      expect(await stateSnapshot(t)).toEqual(before);
    });
  }

  it('answers a bad Authorization header with 401 in the error shape', async () => {
    for (const authorization of ['Bearer', 'Basic dXNlcjpwYXNz', 'Bearer two tokens', 'Token lk_abc']) {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
      expect(response.statusCode, authorization).toBe(401);
      expect(ErrorBodySchema.safeParse(response.json()).success).toBe(true);
    }
  });

  it('answers a session cookie that is not even well-formed with 401', async () => {
    for (const cookie of [
      'latchkey_session=%E0%A4%A',
      'latchkey_session=',
      'latchkey_session="unterminated',
      `latchkey_session=${'x'.repeat(4000)}`,
    ]) {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      expect(response.statusCode, cookie).toBe(401);
      expect(ErrorBodySchema.safeParse(response.json()).success).toBe(true);
    }
  });

  it('still serves the account after all of the above (no request broke the app)', async () => {
    const response = await admin.request({ method: 'GET', url: `/api/v1/users/${adminId}` });
    expect(response.statusCode).toBe(200);
  });

  it('answers a sign-in with malformed JSON before any attempt is counted', async () => {
    const before = await stateSnapshot(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { ...UI_HEADERS, ...json },
      payload: '{"email":',
    });
    expect(response.statusCode).toBe(400);
    expect(await stateSnapshot(t)).toEqual(before);
  });
});
