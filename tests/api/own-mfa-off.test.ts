/**
 * `PATCH /users/{self}/security {"mfaEnrolled":false}` deleted your own factors
 * with no password. Turning off your own MFA now needs your current password (a wrong one counts as
 * a failed sign-in), and is refused while someone else (an Administrator) requires MFA for you.
 * Clearing someone else's stays an act of those who may act on that account's security, audited.
 * SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { auditSince, errorOf, lastAuditId, quickSession, quickUser, stateSnapshot } from '../helpers/fixtures.js';
import { giveTotpFactor } from '../helpers/mfa-fixtures.js';
import { createTestApp, TEST_PASSWORD, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

/** An Administrator (who may change the MFA box) with MFA it set up itself, signed in. */
async function administratorWithOwnMfa(): Promise<{ id: string; caller: Caller }> {
  const user = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
  await giveTotpFactor(t, user.id);
  return { id: user.id, caller: await quickSession(t, user) };
}

function turnOff(caller: Caller, id: string, currentPassword?: string) {
  return caller.request({
    method: 'PATCH',
    url: `/api/v1/users/${id}/security`,
    payload: currentPassword === undefined ? { mfaEnrolled: false } : { mfaEnrolled: false, currentPassword },
  });
}

async function factorCount(userId: string): Promise<number> {
  return (await t.db.selectFrom('mfa_factors').select('id').where('user_id', '=', userId).execute()).length;
}

describe('turning off your own MFA', () => {
  it('without your password: refused (400 currentPassword), factors untouched', async () => {
    const { id, caller } = await administratorWithOwnMfa();
    const before = await stateSnapshot(t);
    const response = await turnOff(caller, id);
    expect(response.statusCode, response.body).toBe(400);
    expect(errorOf(response).fields?.currentPassword).toBe('Current Password is required.');
    expect(await stateSnapshot(t)).toEqual(before);
    expect(await factorCount(id)).toBe(1);
  });

  it('with a wrong password: refused, counted as a failed attempt, factors untouched', async () => {
    const { id, caller } = await administratorWithOwnMfa();
    const response = await turnOff(caller, id, 'this is not the password');
    expect(errorOf(response).code).toBe('current_password_incorrect');
    expect(await factorCount(id)).toBe(1);
    const attempt = await t.db
      .selectFrom('login_history')
      .select(['reason', 'method'])
      .where('user_id', '=', id)
      .executeTakeFirst();
    expect(attempt).toEqual({ reason: 'wrong_password', method: 'password_change' });
  });

  it('with the right password: done, audited as its own act', async () => {
    const { id, caller } = await administratorWithOwnMfa();
    const since = await lastAuditId(t);
    const response = await turnOff(caller, id, TEST_PASSWORD);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ mfaEnrolled: false, mfaActive: false });
    expect(await factorCount(id)).toBe(0);
    const entries = await auditSince(t, since);
    expect(entries.map((e) => [e.action, e.actor_user_id, e.target_user_id])).toEqual([
      ['user.security_updated', id, id],
      ['mfa.reset', id, id],
    ]);
  });

  it('refused while an Administrator requires it for you, even with the right password', async () => {
    const other = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    const user = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    const required = await other.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { mfaEnrolled: true },
    });
    expect(required.statusCode, required.body).toBe(200);
    await giveTotpFactor(t, user.id);
    const caller = await quickSession(t, user);

    const tab = await caller.request({ method: 'GET', url: `/api/v1/users/${user.id}/security` });
    expect(tab.json()).toMatchObject({
      mfaEnrolled: true,
      mfaRequiredByOther: true,
      can: { changeMfaEnrollment: { allowed: false }, turnOffMfaNeedsCurrentPassword: false },
    });
    const before = await stateSnapshot(t);
    const response = await turnOff(caller, user.id, TEST_PASSWORD);
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).code).toBe('mfa_required');
    // The tab showed this very refusal as the reason before it was tried.
    expect(tab.json().can.changeMfaEnrollment).toEqual({
      allowed: false,
      code: 'mfa_required',
      message: errorOf(response).message,
    });
    expect(await stateSnapshot(t)).toEqual(before);

    // The one who required it may still clear it (the lost-phone reset), audited.
    const since = await lastAuditId(t);
    const cleared = await turnOff(other, user.id);
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect((await auditSince(t, since)).map((e) => e.action)).toEqual(['user.security_updated', 'mfa.reset']);
    expect(await factorCount(user.id)).toBe(0);
  });

  it('ticking the box yourself does not make it required: you may turn it off again (with your password)', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    const caller = await quickSession(t, user);
    const on = await caller.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { mfaEnrolled: true },
    });
    expect(on.json()).toMatchObject({
      mfaEnrolled: true,
      mfaRequiredByOther: false,
      can: { changeMfaEnrollment: { allowed: true }, turnOffMfaNeedsCurrentPassword: true },
    });
    // (Until a factor is set up, that session may only enroll.)
    await giveTotpFactor(t, user.id);
    expect((await turnOff(caller, user.id, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it("someone else's MFA needs no password of theirs (it is not a re-authentication)", async () => {
    const admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await giveTotpFactor(t, user.id);
    const tab = await admin.request({ method: 'GET', url: `/api/v1/users/${user.id}/security` });
    expect(tab.json().can).toMatchObject({
      changeMfaEnrollment: { allowed: true },
      turnOffMfaNeedsCurrentPassword: false,
    });
    expect((await turnOff(admin, user.id)).statusCode).toBe(200);
  });
});
