/**
 * Sign-in, sign-out and sessions: the cookie, session IDs stored only hashed, one uniform answer
 * for every failed sign-in, the login history, the lockout, and the ways a session ends
 * (sign-out, inactivity, the 12-hour limit, a disabled account).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { resetClockForTests, shiftClockForTests } from '../../src/server/clock.js';
import { hashSecret } from '../../src/server/security/secrets.js';
import { SYSTEM_GROUPS, SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import {
  auditSince,
  errorOf,
  giveApiToken,
  lastAuditId,
  quickUser,
  setMaxSessionTimeout,
  stateSnapshot,
} from '../helpers/fixtures.js';
import {
  createTestApp,
  sessionCaller,
  tokenCaller,
  TEST_PASSWORD,
  UI_HEADERS,
  type TestApp,
} from '../helpers/test-app.js';

const MINUTE = 60_000;
let ipCounter = 0;
/** Every test signs in from addresses of its own, so the per-address lock of one test never touches another. */
const freshIp = () => `10.1.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

function signInRequest(t: TestApp, email: string, password: string, ip = freshIp(), userAgent = 'vitest-agent/1.0') {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: { ...UI_HEADERS, 'user-agent': userAgent },
    payload: { email, password },
    remoteAddress: ip,
  });
}

function setCookieHeaders(response: LightMyRequestResponse): string[] {
  const raw = response.headers['set-cookie'];
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
}

function sessionCookieOf(response: LightMyRequestResponse, name = 'latchkey_session'): string {
  const cookie = response.cookies.find((c) => c.name === name);
  if (!cookie) throw new Error(`no ${name} cookie in ${JSON.stringify(setCookieHeaders(response))}`);
  return `${name}=${cookie.value}`;
}

async function me(t: TestApp, cookie: string): Promise<LightMyRequestResponse> {
  return sessionCaller(t, cookie).request({ method: 'GET', url: '/api/v1/me' });
}

describe('sign-in and sessions over http', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(() => resetClockForTests());

  it('sets an HttpOnly, SameSite=Lax, Path=/ session cookie without Secure over http', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const response = await signInRequest(t, user.email, TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    const [header, ...more] = setCookieHeaders(response);
    expect(more).toEqual([]);
    expect(header).toMatch(/^latchkey_session=[A-Za-z0-9_-]{43};/);
    const attributes = header!
      .split(';')
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    expect(attributes).not.toContain('secure');
    expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
  });

  it('sends security headers on API answers: nosniff, no framing, no HSTS over plain http, no X-Powered-By', async () => {
    for (const url of ['/api/v1/setup', '/api/health', '/api/v1/no-such-thing']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      // A JSON answer may load nothing and be framed by nobody (OWASP REST Security Cheat Sheet).
      expect(response.headers['content-security-policy'], url).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers['x-frame-options'], url).toBe('DENY');
      expect(response.headers['referrer-policy'], url).toBe('no-referrer');
      expect(response.headers['cross-origin-resource-policy'], url).toBe('same-origin');
      expect(response.headers['strict-transport-security'], url).toBeUndefined();
      expect(response.headers['x-powered-by'], url).toBeUndefined();
    }
  });

  it('sends the page policy on pages: the API reference runs only its own scripts', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/docs' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
  });

  it('answers a sign-in with the account and its abilities, never a password hash', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.orchestrationUser);
    const response = await signInRequest(t, user.email, TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user.id).toBe(user.id);
    expect(body.user.lastLoginAt).toEqual(expect.any(String));
    expect(body.authenticatedBy).toBe('session');
    const orchestration = SYSTEM_GROUPS.find((g) => g.id === SYSTEM_GROUP_IDS.orchestrationUser)!;
    expect(body.abilities).toEqual({ permissions: [...orchestration.permissions].sort(), isAdministrator: false });
    expect(response.body).not.toMatch(/argon2|password_?hash/i);
  });

  it('accepts the email in any case and with surrounding spaces', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const response = await signInRequest(t, `  ${user.email.toUpperCase()} `, TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    expect(response.json().user.id).toBe(user.id);
  });

  it('issues a new session ID at every sign-in and stores each only as its SHA-256', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const first = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
    const second = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
    expect(first).not.toBe(second);
    expect((await me(t, first)).statusCode).toBe(200);
    expect((await me(t, second)).statusCode).toBe(200);

    const rows = await t.db.selectFrom('sessions').selectAll().where('user_id', '=', user.id).execute();
    const dump = JSON.stringify(rows);
    for (const cookie of [first, second]) {
      const value = cookie.split('=')[1]!;
      expect(dump).not.toContain(value);
      expect(rows.map((r) => r.id_hash)).toContain(hashSecret(value));
    }
    expect(rows).toHaveLength(2);
  });

  it('signs in all or nothing: when its login history entry cannot be written, no session exists and the last sign-in is unchanged', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    // A failure induced in the sign-in's last write, for this account only.
    if (t.databaseKind === 'sqlite') {
      await sql`create trigger test_refuse_login_history before insert on login_history
        when new.user_id = ${sql.lit(user.id)} begin select raise(abort, 'induced'); end`.execute(t.db);
    } else {
      await sql`create function test_refuse_login_history() returns trigger language plpgsql as $$
        begin raise exception 'induced'; end $$`.execute(t.db);
      await sql`create trigger test_refuse_login_history before insert on login_history for each row
        when (new.user_id = ${sql.lit(user.id)}) execute function test_refuse_login_history()`.execute(t.db);
    }
    try {
      const before = await stateSnapshot(t);
      const response = await signInRequest(t, user.email, TEST_PASSWORD);
      expect(response.statusCode).toBe(500);
      expect(response.headers['set-cookie']).toBeUndefined();
      const after = await stateSnapshot(t);
      expect(after.sessions).toEqual(before.sessions);
      expect(after.users).toEqual(before.users);
    } finally {
      await sql`drop trigger test_refuse_login_history${sql.raw(t.databaseKind === 'sqlite' ? '' : ' on login_history')}`.execute(
        t.db,
      );
      if (t.databaseKind !== 'sqlite') await sql`drop function test_refuse_login_history()`.execute(t.db);
    }
  });

  it('ignores a session ID chosen by the client (no session fixation): the answer carries a new one', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const planted = 'attacker-chosen-session-id-000000000000000';
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { ...UI_HEADERS, cookie: `latchkey_session=${planted}` },
      payload: { email: user.email, password: TEST_PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    expect(sessionCookieOf(response)).not.toContain(planted);
    expect((await me(t, `latchkey_session=${planted}`)).statusCode).toBe(401);
  });

  it('ends the session on the server at sign-out: the old cookie gets 401, the cookie is cleared, other sessions live on', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const cookie = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
    const otherDevice = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
    const auditBefore = await lastAuditId(t);

    const response = await sessionCaller(t, cookie).request({ method: 'DELETE', url: '/api/v1/session' });
    expect(response.statusCode).toBe(204);
    const cleared = setCookieHeaders(response).find((h) => h.startsWith('latchkey_session='));
    expect(cleared).toMatch(/^latchkey_session=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/i);

    const after = await me(t, cookie);
    expect(after.statusCode).toBe(401);
    expect(errorOf(after).code).toBe('session_expired');
    expect(
      await t.db
        .selectFrom('sessions')
        .select('id_hash')
        .where('id_hash', '=', hashSecret(cookie.split('=')[1]!))
        .execute(),
    ).toEqual([]);
    expect((await me(t, otherDevice)).statusCode).toBe(200);

    const audit = await auditSince(t, auditBefore);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'session.signed_out', actor_user_id: user.id, target_user_id: user.id });
  });

  it('refuses a signed-out cookie replayed on a write, changing nothing', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const cookie = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
    await sessionCaller(t, cookie).request({ method: 'DELETE', url: '/api/v1/session' });
    const before = await stateSnapshot(t);
    const response = await sessionCaller(t, cookie).request({
      method: 'PATCH',
      url: '/api/v1/me',
      payload: { title: 'Ghost' },
    });
    expect(response.statusCode).toBe(401);
    expect(await stateSnapshot(t)).toEqual(before);
  });

  describe('failed sign-ins', () => {
    it('gives a wrong email, a wrong password, a disabled account and an SSO account the same 401 and the same body, with no cookie', async () => {
      const native = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      const disabled = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();
      const sso = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await t.db
        .updateTable('users')
        .set({ user_type: 'sso', sso_provider: 'Okta', password_hash: null })
        .where('id', '=', sso.id)
        .execute();

      const answers = [
        await signInRequest(t, 'nobody-at-all@example.test', TEST_PASSWORD),
        await signInRequest(t, native.email, 'not the right password at all'),
        await signInRequest(t, disabled.email, TEST_PASSWORD),
        await signInRequest(t, sso.email, TEST_PASSWORD),
      ];
      for (const answer of answers) {
        expect(answer.statusCode).toBe(401);
        expect(answer.json()).toEqual({
          error: {
            code: 'invalid_credentials',
            message: 'The email or password is incorrect.',
            requestId: expect.any(String),
          },
        });
        expect(setCookieHeaders(answer)).toEqual([]);
      }
    });

    it('records every attempt in login_history with its success flag, reason, account, address and user agent', async () => {
      const native = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      const disabled = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();
      const sso = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await t.db
        .updateTable('users')
        .set({ user_type: 'sso', sso_provider: 'Okta', password_hash: null })
        .where('id', '=', sso.id)
        .execute();
      const ghost = 'ghost-account@example.test';
      const ip = freshIp();

      await signInRequest(t, native.email, TEST_PASSWORD, ip, 'agent-success');
      await signInRequest(t, native.email, 'wrong password entirely', ip, 'agent-wrong');
      await signInRequest(t, ghost, TEST_PASSWORD, ip, 'agent-ghost');
      await signInRequest(t, disabled.email, TEST_PASSWORD, ip, 'agent-disabled');
      await signInRequest(t, sso.email, TEST_PASSWORD, ip, 'agent-sso');

      const rows = await t.db.selectFrom('login_history').selectAll().where('ip', '=', ip).orderBy('id').execute();
      expect(
        rows.map((r) => ({
          email: r.email,
          user: r.user_id,
          success: Number(r.success),
          reason: r.reason,
          agent: r.user_agent,
          method: r.method,
        })),
      ).toEqual([
        { email: native.email, user: native.id, success: 1, reason: null, agent: 'agent-success', method: 'password' },
        {
          email: native.email,
          user: native.id,
          success: 0,
          reason: 'wrong_password',
          agent: 'agent-wrong',
          method: 'password',
        },
        { email: ghost, user: null, success: 0, reason: 'unknown_account', agent: 'agent-ghost', method: 'password' },
        {
          email: disabled.email,
          user: disabled.id,
          success: 0,
          reason: 'account_disabled',
          agent: 'agent-disabled',
          method: 'password',
        },
        { email: sso.email, user: sso.id, success: 0, reason: 'sso_account', agent: 'agent-sso', method: 'password' },
      ]);
      for (const row of rows) expect(Date.parse(row.occurred_at)).toBeGreaterThan(Date.now() - 60_000);
      expect(JSON.stringify(rows)).not.toContain(TEST_PASSWORD);
    });

    it('records the time of a successful sign-in as the Last Login', async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      expect(user.last_login_at).toBeNull();
      await signInRequest(t, user.email, TEST_PASSWORD);
      const row = await t.db
        .selectFrom('users')
        .select('last_login_at')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect(Math.abs(Date.parse(row.last_login_at!) - Date.now())).toBeLessThan(60_000);
    });

    it('refuses a sign-in body without a password or with unknown fields with 400, before any attempt is counted', async () => {
      const ip = freshIp();
      for (const payload of [
        { email: 'a@example.test' },
        { email: 'a@example.test', password: 'x', remember: true },
        { password: 'x' },
      ]) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          headers: UI_HEADERS,
          payload,
          remoteAddress: ip,
        });
        expect(response.statusCode).toBe(400);
        expect(errorOf(response).code).toBe('validation_failed');
      }
      expect(await t.db.selectFrom('login_history').select('id').where('ip', '=', ip).execute()).toEqual([]);
    });
  });

  describe('lockout', () => {
    async function failTimes(email: string, times: number, ipFor: () => string = freshIp): Promise<void> {
      for (let i = 0; i < times; i++) {
        const response = await signInRequest(t, email, `wrong password number ${i}`, ipFor());
        expect(response.statusCode).toBe(401);
      }
    }

    it('still signs in with the right password after 9 failures (the lock starts at 10)', async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await failTimes(user.email, 9);
      expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(200);
    });

    it('locks an email after 10 failures within 15 minutes, from any addresses: 429 login_locked even with the right password', async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await failTimes(user.email, 10);
      const ip = freshIp();
      const response = await signInRequest(t, user.email, TEST_PASSWORD, ip);
      expect(response.statusCode).toBe(429);
      expect(errorOf(response).code).toBe('login_locked');
      expect(setCookieHeaders(response)).toEqual([]);
      const logged = await t.db.selectFrom('login_history').selectAll().where('ip', '=', ip).execute();
      expect(logged.map((r) => [Number(r.success), r.reason])).toEqual([[0, 'locked']]);
    });

    // Regression: on PostgreSQL parallel failures each read the same count and wrote count + 1, so
    // 20 guesses at once counted 2 to 7 and never locked the account.
    it('counts failed sign-ins sent in parallel: 20 at once lock the account', async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => signInRequest(t, user.email, `parallel guess ${i}`)),
      );
      expect(answers.map((a) => a.statusCode).every((status) => status === 401 || status === 429)).toBe(true);
      const response = await signInRequest(t, user.email, TEST_PASSWORD);
      expect(response.statusCode).toBe(429);
      expect(errorOf(response).code).toBe('login_locked');
    });

    it('counts failures for one email whatever its letter case', async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await failTimes(user.email.toUpperCase(), 5);
      await failTimes(user.email, 5);
      expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(429);
    });

    it('ends the lock by itself after 15 minutes', async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await failTimes(user.email, 10);
      shiftClockForTests(14 * MINUTE);
      expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(429);
      shiftClockForTests(MINUTE + 1000);
      expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(200);
    });

    it('does not add up failures more than 15 minutes apart', async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await failTimes(user.email, 9);
      shiftClockForTests(15 * MINUTE + 1000);
      await failTimes(user.email, 9);
      expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(200);
    });

    it('locks an unknown email the same way, so the lock reveals nothing about which accounts exist', async () => {
      const ghost = `ghost-${Date.now()}@example.test`;
      await failTimes(ghost, 10);
      const response = await signInRequest(t, ghost, TEST_PASSWORD);
      expect(response.statusCode).toBe(429);
      expect(errorOf(response).code).toBe('login_locked');
    });

    // This used to lock every account at the address (an office behind one NAT lost
    // its Administrator). The address's own limits are far higher and only touch failures (lockout.test.ts).
    it('does not lock other accounts at an address after 10 failures on made-up emails from it', async () => {
      const victim = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      const office = freshIp();
      for (let i = 0; i < 10; i++) await signInRequest(t, `sprayed-${i}@example.test`, 'Summer2024!!', office);
      expect((await signInRequest(t, victim.email, TEST_PASSWORD, office)).statusCode).toBe(200);
    });
  });

  describe('how sessions end', () => {
    it("ends a session after the account's Session Timeout of inactivity; activity keeps it alive", async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { sessionTimeoutMinutes: 5 });
      const cookie = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
      shiftClockForTests(4 * MINUTE);
      expect((await me(t, cookie)).statusCode).toBe(200);
      shiftClockForTests(4 * MINUTE);
      expect((await me(t, cookie)).statusCode).toBe(200);
      shiftClockForTests(5 * MINUTE);
      const expired = await me(t, cookie);
      expect(expired.statusCode).toBe(401);
      expect(errorOf(expired).code).toBe('session_expired');
      expect(await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute()).toEqual([]);
    });

    it('uses the timeout the account has now, not the one it had at sign-in', async () => {
      await setMaxSessionTimeout(t, 720);
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { sessionTimeoutMinutes: 120 });
      const cookie = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
      await t.db.updateTable('users').set({ session_timeout_minutes: 10 }).where('id', '=', user.id).execute();
      shiftClockForTests(11 * MINUTE);
      expect((await me(t, cookie)).statusCode).toBe(401);
    });

    it('ends every session 12 hours after sign-in, however active', async () => {
      await setMaxSessionTimeout(t, 720);
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { sessionTimeoutMinutes: 720 });
      const cookie = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
      for (let hour = 1; hour < 12; hour++) {
        shiftClockForTests(60 * MINUTE);
        expect((await me(t, cookie)).statusCode, `after ${hour} hours`).toBe(200);
      }
      shiftClockForTests(59 * MINUTE);
      expect((await me(t, cookie)).statusCode).toBe(200);
      shiftClockForTests(2 * MINUTE);
      const expired = await me(t, cookie);
      expect(expired.statusCode).toBe(401);
      expect(errorOf(expired).code).toBe('session_expired');
    });

    it("stops a disabled account's existing session and API token on the very next request", async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
      const cookie = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
      const token = tokenCaller(t, await giveApiToken(t, user.id));
      expect((await me(t, cookie)).statusCode).toBe(200);
      expect((await token.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);

      await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
      expect((await me(t, cookie)).statusCode).toBe(401);
      expect((await sessionCaller(t, cookie).request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(401);
      expect((await token.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(401);
    });

    it("applies a change of the account's security group on the very next request (no cached rights)", async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
      const cookie = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
      const caller = sessionCaller(t, cookie);
      expect((await caller.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(403);
      await t.db
        .updateTable('users')
        .set({ security_group_id: SYSTEM_GROUP_IDS.administrator })
        .where('id', '=', user.id)
        .execute();
      expect((await caller.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(200);
      await t.db
        .updateTable('users')
        .set({ security_group_id: SYSTEM_GROUP_IDS.readOnlyUser })
        .where('id', '=', user.id)
        .execute();
      expect((await caller.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(403);
    });

    it('ends the sessions of a deleted account at once', async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      const cookie = sessionCookieOf(await signInRequest(t, user.email, TEST_PASSWORD));
      await t.db.deleteFrom('users').where('id', '=', user.id).execute();
      expect((await me(t, cookie)).statusCode).toBe(401);
      expect(await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute()).toEqual([]);
    });
  });
});

describe('sign-in behind HTTPS (LATCHKEY_PUBLIC_URL=https://…)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LATCHKEY_PUBLIC_URL: 'https://latchkey.example.com' });
  });
  afterAll(async () => t?.close());

  it('names the cookie __Host-latchkey_session and marks it Secure, HttpOnly, SameSite=Lax, Path=/ with no Domain', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const response = await signInRequest(t, user.email, TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    const [header] = setCookieHeaders(response);
    expect(header).toMatch(/^__Host-latchkey_session=[A-Za-z0-9_-]{43};/);
    const attributes = header!
      .split(';')
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
    expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);

    const cookie = sessionCookieOf(response, '__Host-latchkey_session');
    expect((await me(t, cookie)).statusCode).toBe(200);
    // The plain name means nothing here: only the __Host- cookie is read.
    expect((await me(t, cookie.replace('__Host-', ''))).statusCode).toBe(401);
  });

  it('sends Strict-Transport-Security over HTTPS, on API answers and pages alike', async () => {
    for (const url of ['/api/v1/setup', '/api/docs']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.headers['strict-transport-security'], url).toMatch(/max-age=\d+/);
    }
  });

  it('accepts a change from the public HTTPS origin and refuses one from its http:// twin', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const good = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { ...UI_HEADERS, origin: 'https://latchkey.example.com' },
      payload: { email: user.email, password: TEST_PASSWORD },
    });
    expect(good.statusCode).toBe(200);
    const downgraded = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { ...UI_HEADERS, origin: 'http://latchkey.example.com' },
      payload: { email: user.email, password: TEST_PASSWORD },
    });
    expect(downgraded.statusCode).toBe(403);
    expect(errorOf(downgraded).code).toBe('csrf_failed');
  });
});
