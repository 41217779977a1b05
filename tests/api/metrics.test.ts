/**
 * GET /metrics (Prometheus): off by default, refused without its token, and scraped with it — the
 * text parsed line by line, the counters moving with real traffic (sign-ins, a lockout, token
 * calls, the credential cache, request durations by route pattern). SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { giveApiToken, quickUser } from '../helpers/fixtures.js';
import { giveTotpFactor } from '../helpers/mfa-fixtures.js';
import { createTestApp, TEST_PASSWORD, UI_HEADERS, usingPostgres, type TestApp } from '../helpers/test-app.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';

let t: TestApp;
let off: TestApp;
beforeAll(async () => {
  [t, off] = await Promise.all([createTestApp({ LATCHKEY_METRICS_TOKEN: METRICS_TOKEN }), createTestApp()]);
});
afterAll(async () => Promise.all([t?.close(), off?.close()]));

/** One sample line: `name{label="value",…} number` (the format's grammar, as a scraper reads it; NaN in any case, as Go's ParseFloat). */
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/i;

/** Scrapes and parses every line; fails on any line a Prometheus scraper would reject. */
async function scrape(): Promise<Map<string, number>> {
  const response = await t.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of response.body.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (comment) {
      if (comment[1] === 'TYPE') {
        expect(typed.has(comment[2]!), `TYPE of ${comment[2]} twice`).toBe(false);
        typed.add(comment[2]!);
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(comment[3]);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    expect(match, `not a valid sample line: ${line}`).not.toBeNull();
    const labels = (match![2] ?? '').replace(/,$/, '');
    samples.set(`${match![1]}{${labels}}`, Number(match![3]));
  }
  return samples;
}

const value = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;

async function signIn(email: string, password: string, ip: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: UI_HEADERS,
    payload: { email, password },
    remoteAddress: ip,
  });
}

describe('GET /metrics', () => {
  it('is not served when no metrics token is configured', async () => {
    const response = await off.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer x' } });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('latchkey_');
  });

  it('refuses a scrape without the token, or with a wrong one (401, nothing revealed)', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`]) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization ? { authorization } : {},
      });
      expect(response.statusCode, String(authorization)).toBe(401);
      expect(response.headers['www-authenticate']).toContain('Bearer');
      expect(response.body).not.toContain('latchkey_');
    }
  });

  it('a configured token shorter than 32 characters stops the start with a clear message', async () => {
    await expect(createTestApp({ LATCHKEY_METRICS_TOKEN: 'short' })).rejects.toThrow(/LATCHKEY_METRICS_TOKEN/);
  });

  it('counts sign-ins by method and result, lockouts, token calls, cache hits and request durations', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const token = await giveApiToken(t, user.id);
    const before = await scrape();

    expect((await signIn(user.email, TEST_PASSWORD, '10.9.0.1')).statusCode).toBe(200);
    expect((await signIn(user.email, 'not the password', '10.9.0.2')).statusCode).toBe(401);
    for (let i = 0; i < 2; i++) {
      const call = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(call.statusCode).toBe(200);
    }
    const refused = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: 'Bearer lk_not-a-real-token' },
    });
    expect(refused.statusCode).toBe(401);
    // The tenth failure locks the account (login-throttle's limit); the eleventh is refused unchecked.
    const victim = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    for (let i = 0; i < 11; i++) await signIn(victim.email, `wrong ${i}`, `10.9.1.${i}`);

    // A password right for an account with a second factor: a challenge, not yet a sign-in.
    const withMfa = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    await giveTotpFactor(t, withMfa.id);
    expect((await signIn(withMfa.email, TEST_PASSWORD, '10.9.0.3')).json()).toHaveProperty('mfaRequired');

    const after = await scrape();
    const delta = (key: string) => value(after, key) - value(before, key);
    expect(delta('latchkey_sign_ins_total{method="password",result="success"}')).toBe(1);
    expect(delta('latchkey_sign_ins_total{method="password",result="wrong_password"}')).toBe(11);
    expect(delta('latchkey_sign_ins_total{method="password",result="locked"}')).toBe(1);
    expect(delta('latchkey_lockouts_total{}')).toBe(1);
    expect(delta('latchkey_mfa_challenges_total{}')).toBe(1);
    expect(delta('latchkey_token_authentications_total{result="success"}')).toBe(2);
    expect(delta('latchkey_token_authentications_total{result="refused"}')).toBe(1);
    // The first call read the database, the second was answered from the cache.
    expect(delta('latchkey_credential_cache_lookups_total{result="hit"}')).toBeGreaterThanOrEqual(1);
    expect(delta('latchkey_credential_cache_lookups_total{result="miss"}')).toBeGreaterThanOrEqual(1);
    // By route pattern and status; the histogram's +Inf bucket equals its count.
    const me = 'route="/api/v1/me",method="GET",status="200"';
    expect(delta(`latchkey_http_request_duration_seconds_count{${me}}`)).toBe(2);
    expect(value(after, `latchkey_http_request_duration_seconds_bucket{${me},le="+Inf"}`)).toBe(
      value(after, `latchkey_http_request_duration_seconds_count{${me}}`),
    );
    // The wrong passwords (one, then ten for the victim) answered 401; the locked attempt did not.
    expect(
      delta('latchkey_http_request_duration_seconds_count{route="/api/v1/session",method="POST",status="401"}'),
    ).toBe(11);
    // Never an ID or a token in a label: routes are patterns.
    expect([...after.keys()].some((key) => key.includes(user.id) || key.includes(token))).toBe(false);
    // Process metrics (prom-client's) come with them.
    expect(value(after, 'latchkey_process_resident_memory_bytes{}')).toBeGreaterThan(0);
    if (usingPostgres) expect(after.has('latchkey_db_pool_connections{state="total"}')).toBe(true);
  });
});
