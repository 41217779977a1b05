/**
 * The request id (src/server/request-id.ts): taken from a sane incoming X-Request-Id or generated,
 * answered in X-Request-Id, quoted in every error body and carried by every log line written while
 * serving the request. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { quickSession, quickUser } from '../helpers/fixtures.js';
import { captureLog } from '../helpers/log-capture.js';
import { createTestApp, type Caller, type TestApp } from '../helpers/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let t: TestApp;
let log: string[];
let person: Caller;

beforeAll(async () => {
  t = await createTestApp({ LOG_LEVEL: 'info', LATCHKEY_ACCESS_LOG: 'all' });
  log = captureLog(t.app);
  person = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.regularUser));
});
afterAll(async () => t?.close());

function logLines(): Array<Record<string, unknown>> {
  return log
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the request id', () => {
  it('is generated (a random UUID) when none is sent, and answered in X-Request-Id', async () => {
    const first = await person.request({ method: 'GET', url: '/api/v1/me' });
    const second = await person.request({ method: 'GET', url: '/api/v1/me' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
  });

  it("is a reverse proxy's X-Request-Id when that one is sane", async () => {
    for (const sent of ['f3b1c2d4-aa00-4b1e-9c3d-0123456789ab', 'Root=1-5759e988-bd862e3fe1be46a994272793', 'a']) {
      const response = await person.request({ method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': sent } });
      expect(response.headers['x-request-id']).toBe(sent);
    }
  });

  it('is generated instead of an X-Request-Id that is too long or holds unsafe characters', async () => {
    for (const sent of ['x'.repeat(129), '', 'two words', '"quoted"', 'semi;colon', '<script>', '{"a":1}']) {
      const response = await person.request({ method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': sent } });
      expect(response.headers['x-request-id'], sent).toMatch(UUID);
    }
  });

  it('is in every error body, whatever raised the error', async () => {
    const cases = [
      { status: 401, response: await t.app.inject({ method: 'GET', url: '/api/v1/me' }) },
      { status: 403, response: await person.request({ method: 'GET', url: '/api/v1/security-groups' }) },
      { status: 404, response: await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' }) },
      {
        status: 400,
        response: await person.request({ method: 'PATCH', url: '/api/v1/me', payload: { title: 42 } }),
      },
      // Refused by Fastify itself before routing (a malformed URL).
      { status: 400, response: await t.app.inject({ method: 'GET', url: '/api/v1/users/%ff' }) },
    ];
    for (const { status, response } of cases) {
      expect(response.statusCode, response.body).toBe(status);
      const header = response.headers['x-request-id'];
      expect(header, response.body).toMatch(UUID);
      expect(response.json<{ error: { requestId: string } }>().error.requestId).toBe(header);
    }
  });

  it('is on every log line written while serving the request', async () => {
    log.length = 0;
    const sent = 'proxy-7f00aa';
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': sent } });
    expect(response.statusCode).toBe(401);
    const lines = logLines();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.reqId).toBe(sent);
  });
});
