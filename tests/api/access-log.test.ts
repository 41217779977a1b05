/**
 * The access log (LATCHKEY_ACCESS_LOG): which answers get a line, and that a line never carries a
 * credential. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { quickSession, quickUser } from '../helpers/fixtures.js';
import { captureLog } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

interface LogLine {
  level: number;
  msg: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
}

const modes = ['all', 'failures', 'off'] as const;
const apps = new Map<(typeof modes)[number], { t: TestApp; lines: string[] }>();

beforeAll(async () => {
  for (const mode of modes) {
    const t = await createTestApp({ LOG_LEVEL: 'info', LATCHKEY_ACCESS_LOG: mode });
    apps.set(mode, { t, lines: captureLog(t.app) });
  }
});
afterAll(async () => {
  for (const { t } of apps.values()) await t.close();
});

/** Asks for one answer of each kind and returns the access-log lines it produced. */
async function accessLinesFor(mode: (typeof modes)[number]): Promise<LogLine[]> {
  const { t, lines } = apps.get(mode)!;
  const caller = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.regularUser));
  lines.length = 0;
  expect((await caller.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
  expect((await t.app.inject({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
  expect((await caller.request({ method: 'GET', url: '/api/v1/security-groups' })).statusCode).toBe(403);
  return lines
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.msg === 'request completed');
}

describe('LATCHKEY_ACCESS_LOG', () => {
  it('all: one line per answer, with method, address without secrets, status and time', async () => {
    const lines = await accessLinesFor('all');
    expect(lines.map((line) => [line.req?.url, line.res?.statusCode])).toEqual([
      ['/api/v1/me', 200],
      ['/api/v1/me', 401],
      ['/api/v1/security-groups', 403],
    ]);
    for (const line of lines) {
      expect(line.req?.method).toBe('GET');
      expect(line.responseTime).toEqual(expect.any(Number));
      // Credentials travel in headers, and no header is logged.
      expect(JSON.stringify(line)).not.toMatch(/cookie|authorization|latchkey_session/i);
    }
  });

  it('failures (the default): only answers with a status of 400 or above', async () => {
    const lines = await accessLinesFor('failures');
    expect(lines.map((line) => line.res?.statusCode)).toEqual([401, 403]);
  });

  it('off: no access lines at all', async () => {
    expect(await accessLinesFor('off')).toEqual([]);
  });
});
