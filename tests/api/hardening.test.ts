import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetClockForTests, shiftClockForTests } from '../../src/server/clock.js';
import { AppError } from '../../src/server/app-error.js';
import {
  checkSecretWithinLimits,
  purgeStaleThrottleRows,
  WINDOW_MS,
  LOCK_MS,
  MAX_FAILURES,
} from '../../src/server/services/login-throttle.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { createTestApp, signInAs, TEST_PASSWORD, UI_HEADERS, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());
afterEach(() => resetClockForTests());

/** One wrong secret for `email`, through the one place that counts them. */
async function recordFailure(t: TestApp, email: string): Promise<void> {
  const attempt = {
    email,
    userId: null,
    method: 'password',
    client: { ip: '10.99.0.1', userAgent: 'vitest' },
    delayStepMs: 0,
  };
  await checkSecretWithinLimits(t.db, attempt, async () => ({
    ok: false,
    reason: 'wrong_password',
    error: new AppError('invalid_credentials'),
  })).catch(() => undefined);
}

describe('hardening', () => {
  it('refuses a token in the query string on public routes too (sign-in, setup)', async () => {
    for (const url of ['/api/v1/session?token=lk_x', '/api/v1/setup?access_token=lk_x']) {
      const response = await t.app.inject({ method: 'POST', url, headers: UI_HEADERS, payload: {} });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code).toBe('token_in_query');
    }
  });

  it('marks API answers about accounts as not to be stored by browsers or proxies', async () => {
    const { caller } = await signInAs(t, SYSTEM_GROUP_IDS.administrator);
    const response = await caller.request({ method: 'GET', url: '/api/v1/users' });
    expect(response.headers['cache-control']).toBe('no-store');
    const refused = await t.app.inject({ method: 'GET', url: '/api/v1/users' });
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('purges failed-sign-in counts once their window and lock are over, and keeps live ones', async () => {
    await recordFailure(t, 'stale@example.test');
    for (let i = 0; i < MAX_FAILURES; i++) await recordFailure(t, 'locked@example.test');
    shiftClockForTests(WINDOW_MS + 1000);
    await recordFailure(t, 'fresh@example.test');
    await purgeStaleThrottleRows(t.db);
    const keysAfterWindow = (await t.db.selectFrom('login_throttle').select('key').execute()).map((r) => r.key);
    expect(keysAfterWindow).toContain('account:fresh@example.test');
    expect(keysAfterWindow).not.toContain('account:stale@example.test');
    // The lock started with the 10th failure and lasts LOCK_MS: still locked just after the window.
    expect(keysAfterWindow.includes('account:locked@example.test')).toBe(LOCK_MS > WINDOW_MS + 1000);
    shiftClockForTests(LOCK_MS);
    await purgeStaleThrottleRows(t.db);
    const keysAfterLock = (await t.db.selectFrom('login_throttle').select('key').execute()).map((r) => r.key);
    expect(keysAfterLock).not.toContain('account:locked@example.test');
  });

  it('accepts a 256-character password made of emoji (counted as characters, not UTF-16 units)', async () => {
    const { caller } = await signInAs(t, SYSTEM_GROUP_IDS.administrator);
    // 200 different animal emoji in a scrambled order (a repeated pair would be too easy to guess):
    // within 256 characters, more than 256 UTF-16 units.
    const password = Array.from({ length: 200 }, (_, i) => String.fromCodePoint(0x1f400 + ((i * 37) % 200))).join('');
    expect([...password].length).toBeLessThanOrEqual(256);
    expect(password.length).toBeGreaterThan(256);
    const response = await caller.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        email: 'emoji@example.test',
        firstName: 'Emo',
        lastName: 'Ji',
        password,
        confirmPassword: password,
        securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
        sessionTimeoutMinutes: 30,
      },
    });
    expect(response.statusCode, response.body).toBe(201);
  });
});

describe('API reference page', () => {
  it('serves /api/docs with a CSP that lets Swagger UI style itself but runs no inline script', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });
});

describe('session rotation at sign-in', () => {
  it('ends the session the browser had before when it signs in again', async () => {
    const { user, caller: before } = await signInAs(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { ...UI_HEADERS, cookie: before.cookie! },
      payload: { email: user.email, password: TEST_PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    expect((await before.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
  });
});
