/**
 * "People can lengthen their own session": a Regular User could set their own
 * Session Timeout to 720 minutes. Now the installation has a Maximum Session Timeout (default 60,
 * an Administrator's setting): nobody may choose above it, and every session is capped at it from
 * the very next request.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetClockForTests, shiftClockForTests } from '../../src/server/clock.js';
import { findUserById } from '../../src/server/services/users.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import {
  auditSince,
  errorOf,
  giveApiToken,
  lastAuditId,
  quickSession,
  quickUser,
  setMaxSessionTimeout,
  stateSnapshot,
  uniqueEmail,
} from '../helpers/fixtures.js';
import { createTestApp, TEST_PASSWORD, tokenCaller, type Caller, type TestApp } from '../helpers/test-app.js';

const MINUTE = 60_000;

let t: TestApp;
let administrator: Caller;

beforeAll(async () => {
  t = await createTestApp();
  // A token, not a session: tokens have no inactivity limit, so moving the clock never signs it out.
  const admin = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
  administrator = tokenCaller(t, await giveApiToken(t, admin.id));
});
afterAll(async () => t?.close());
beforeEach(async () => setMaxSessionTimeout(t, 60));
afterEach(() => resetClockForTests());

async function regularUser(timeout = 30) {
  const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { sessionTimeoutMinutes: timeout });
  return { user, caller: await quickSession(t, user) };
}

async function setMaximum(caller: Caller, minutes: number) {
  return caller.request({ method: 'PATCH', url: '/api/v1/settings', payload: { maxSessionTimeoutMinutes: minutes } });
}

async function storedMaximum(): Promise<number> {
  const row = await t.db.selectFrom('installation_settings').select('max_session_timeout_minutes').executeTakeFirst();
  return row!.max_session_timeout_minutes;
}

describe('GET /api/v1/settings', () => {
  it('answers every signed-in account with the default maximum of 60 minutes; only an Administrator may update', async () => {
    const { caller } = await regularUser();
    const asUser = await caller.request({ method: 'GET', url: '/api/v1/settings' });
    expect(asUser.statusCode).toBe(200);
    expect(asUser.json()).toMatchObject({ maxSessionTimeoutMinutes: 60, can: { update: false } });
    const asAdministrator = await administrator.request({ method: 'GET', url: '/api/v1/settings' });
    expect(asAdministrator.json()).toMatchObject({ maxSessionTimeoutMinutes: 60, can: { update: true } });
  });

  it('returns 401 without credentials', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/settings' })).statusCode).toBe(401);
  });
});

describe('attack: a Regular User lengthens their own session', () => {
  for (const url of ['/api/v1/me', 'self']) {
    it(`refuses 720 minutes on ${url === 'self' ? 'PATCH /api/v1/users/{own id}' : 'PATCH /api/v1/me'} with a 400 naming the maximum, changing nothing`, async () => {
      const { user, caller } = await regularUser();
      const before = await stateSnapshot(t);
      const response = await caller.request({
        method: 'PATCH',
        url: url === 'self' ? `/api/v1/users/${user.id}` : url,
        payload: { sessionTimeoutMinutes: 720, title: 'Night owl' },
      });
      expect(response.statusCode, response.body).toBe(400);
      const error = errorOf(response);
      expect(error.code).toBe('validation_failed');
      expect(error.fields?.sessionTimeoutMinutes).toBe(
        "Session Timeout must be at most 60 minutes (this installation's maximum).",
      );
      expect(await stateSnapshot(t)).toEqual(before);
      expect((await findUserById(t.db, user.id))!.session_timeout_minutes).toBe(30);
    });
  }

  it('allows any value up to the maximum (60 by default)', async () => {
    const { user, caller } = await regularUser();
    const response = await caller.request({
      method: 'PATCH',
      url: '/api/v1/me',
      payload: { sessionTimeoutMinutes: 60 },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect((await findUserById(t.db, user.id))!.session_timeout_minutes).toBe(60);
  });
});

describe('PATCH /api/v1/settings', () => {
  it('lets an Administrator raise the maximum (audited from → to by the real actor), and people may then choose up to it', async () => {
    const auditBefore = await lastAuditId(t);
    const raised = await setMaximum(administrator, 120);
    expect(raised.statusCode, raised.body).toBe(200);
    expect(raised.json()).toMatchObject({ maxSessionTimeoutMinutes: 120, can: { update: true } });
    expect(await storedMaximum()).toBe(120);
    const entries = await auditSince(t, auditBefore);
    expect(entries.map((entry) => entry.action)).toEqual(['settings.updated']);
    expect(entries[0]!.details).toEqual({ changes: { maxSessionTimeoutMinutes: { from: 60, to: 120 } } });
    expect(entries[0]!.actor_user_id).not.toBeNull();

    const { caller } = await regularUser();
    const within = await caller.request({
      method: 'PATCH',
      url: '/api/v1/me',
      payload: { sessionTimeoutMinutes: 120 },
    });
    expect(within.statusCode, within.body).toBe(200);
    const above = await caller.request({ method: 'PATCH', url: '/api/v1/me', payload: { sessionTimeoutMinutes: 121 } });
    expect(above.statusCode).toBe(400);
    expect(errorOf(above).fields?.sessionTimeoutMinutes).toContain('at most 120 minutes');
  });

  it('writes no audit entry when nothing changes', async () => {
    const auditBefore = await lastAuditId(t);
    expect((await setMaximum(administrator, 60)).statusCode).toBe(200);
    expect(await auditSince(t, auditBefore)).toEqual([]);
  });

  for (const group of [
    SYSTEM_GROUP_IDS.regularUser,
    SYSTEM_GROUP_IDS.readOnlyUser,
    SYSTEM_GROUP_IDS.orchestrationUser,
  ] as const) {
    it(`returns 403 for a ${group} account and changes nothing`, async () => {
      const user = await quickUser(t, group);
      for (const caller of [await quickSession(t, user), tokenCaller(t, await giveApiToken(t, user.id))]) {
        const snapshot = await stateSnapshot(t);
        const response = await setMaximum(caller, 720);
        expect(response.statusCode).toBe(403);
        expect(errorOf(response).code).toBe('forbidden');
        expect(await stateSnapshot(t)).toEqual(snapshot);
      }
      expect(await storedMaximum()).toBe(60);
    });
  }

  for (const [label, body] of [
    ['under 5 minutes', { maxSessionTimeoutMinutes: 4 }],
    ['over 720 minutes', { maxSessionTimeoutMinutes: 721 }],
    ['a fraction', { maxSessionTimeoutMinutes: 30.5 }],
    ['text', { maxSessionTimeoutMinutes: '90' }],
    ['null', { maxSessionTimeoutMinutes: null }],
    ['an unknown field', { maxSessionTimeoutMinutes: 90, sessionLifetime: 5 }],
  ] as const) {
    it(`refuses ${label} with a 400 and changes nothing`, async () => {
      const before = await stateSnapshot(t);
      const response = await administrator.request({ method: 'PATCH', url: '/api/v1/settings', payload: body });
      expect(response.statusCode, response.body).toBe(400);
      expect(errorOf(response).code).toBe('validation_failed');
      expect(await stateSnapshot(t)).toEqual(before);
    });
  }
});

describe('creating accounts', () => {
  it('refuses a New User whose Session Timeout is above the maximum with a 400 naming it, creating nothing', async () => {
    const email = uniqueEmail('too-long');
    const before = await stateSnapshot(t);
    const response = await administrator.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        email,
        firstName: 'Too',
        lastName: 'Long',
        password: TEST_PASSWORD,
        confirmPassword: TEST_PASSWORD,
        securityGroupId: SYSTEM_GROUP_IDS.regularUser,
        sessionTimeoutMinutes: 90,
      },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(errorOf(response).fields?.sessionTimeoutMinutes).toBe(
      "Session Timeout must be at most 60 minutes (this installation's maximum).",
    );
    expect(await stateSnapshot(t)).toEqual(before);
  });
});

describe('the session check caps every account at the maximum', () => {
  it('ends a session idle longer than a lowered maximum on its very next request', async () => {
    expect((await setMaximum(administrator, 120)).statusCode).toBe(200);
    const control = await regularUser(120);
    const victim = await regularUser(120);
    shiftClockForTests(61 * MINUTE);
    // With the maximum at 120, 61 idle minutes are fine.
    expect((await control.caller.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);

    expect((await setMaximum(administrator, 60)).statusCode).toBe(200);
    const ended = await victim.caller.request({ method: 'GET', url: '/api/v1/me' });
    expect(ended.statusCode).toBe(401);
    expect(errorOf(ended).code).toBe('session_expired');
    expect(await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', victim.user.id).execute()).toEqual(
      [],
    );
    // The control was active a moment ago: it stays signed in.
    expect((await control.caller.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
  });

  it('caps an account whose stored timeout is above the maximum (an old value) at the maximum', async () => {
    const { user, caller } = await regularUser(30);
    // As if set before the maximum existed (or before it was lowered).
    await t.db.updateTable('users').set({ session_timeout_minutes: 720 }).where('id', '=', user.id).execute();
    shiftClockForTests(59 * MINUTE);
    expect((await caller.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
    shiftClockForTests(60 * MINUTE);
    expect((await caller.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
  });

  it('lets an account keep an unchanged old value above the maximum when saving other fields, but not set a new one', async () => {
    const { user, caller } = await regularUser(30);
    await t.db.updateTable('users').set({ session_timeout_minutes: 120 }).where('id', '=', user.id).execute();
    // The Account Settings form sends every field back, the old timeout included.
    const unchanged = await caller.request({
      method: 'PATCH',
      url: '/api/v1/me',
      payload: { sessionTimeoutMinutes: 120, title: 'Still here' },
    });
    expect(unchanged.statusCode, unchanged.body).toBe(200);
    expect(unchanged.json()).toMatchObject({ sessionTimeoutMinutes: 120, title: 'Still here' });
    const changed = await caller.request({
      method: 'PATCH',
      url: '/api/v1/me',
      payload: { sessionTimeoutMinutes: 90 },
    });
    expect(changed.statusCode).toBe(400);
    expect((await findUserById(t.db, user.id))!.session_timeout_minutes).toBe(120);
  });
});
