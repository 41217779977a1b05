/**
 * Changing your own password kept the same session ID. Now every
 * re-authentication and every own password change gives this browser a new session ID (the old
 * cookie stops working at once) and, for a password change or turning off MFA, ends the account's
 * other sessions. API tokens have no session: nothing to rotate. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { errorOf, giveApiToken, quickSession, quickUser } from '../helpers/fixtures.js';
import { giveTotpFactor } from '../helpers/mfa-fixtures.js';
import {
  createTestApp,
  sessionCaller,
  TEST_PASSWORD,
  tokenCaller,
  type Caller,
  type TestApp,
} from '../helpers/test-app.js';

const NEW_PASSWORD = 'rotated after the change 2026';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

/** The new session cookie a response sets (`name=value`), if any. */
function newSessionCookie(response: LightMyRequestResponse): string | null {
  const cookie = response.cookies.find((c) => c.name.endsWith('latchkey_session') && c.value);
  return cookie ? `${cookie.name}=${cookie.value}` : null;
}

async function statusWith(cookie: string): Promise<number> {
  return (await sessionCaller(t, cookie).request({ method: 'GET', url: '/api/v1/me' })).statusCode;
}

/** Sends `request` as a fresh session of `user` and checks the rotation: old ID dead, new one alive. */
async function expectRotated(
  user: { id: string },
  send: (caller: Caller) => Promise<LightMyRequestResponse>,
  expectedStatus: number,
): Promise<{ response: LightMyRequestResponse; other: Caller }> {
  const caller = await quickSession(t, user);
  const other = await quickSession(t, user);
  const oldCookie = caller.cookie!;
  const endsBefore = await absoluteEnds(user.id);
  const response = await send(caller);
  expect(response.statusCode, response.body).toBe(expectedStatus);
  const renewed = newSessionCookie(response);
  expect(renewed).not.toBeNull();
  expect(renewed).not.toBe(oldCookie);
  expect(await statusWith(oldCookie)).toBe(401);
  expect(await statusWith(renewed!)).toBe(200);
  // Re-authenticating never extends the 12-hour absolute lifetime: the new session ends when the old would have.
  const endsAfter = await absoluteEnds(user.id);
  expect(endsAfter.every((end) => endsBefore.includes(end))).toBe(true);
  return { response, other };
}

/** The absolute ends of the account's live sessions. */
async function absoluteEnds(userId: string): Promise<string[]> {
  const rows = await t.db.selectFrom('sessions').select('expires_at').where('user_id', '=', userId).execute();
  return rows.map((row) => row.expires_at);
}

describe('own password change: a new session here, every other session ends', () => {
  it('POST /api/v1/me/password', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const { other } = await expectRotated(
      user,
      (caller) =>
        caller.request({
          method: 'POST',
          url: '/api/v1/me/password',
          payload: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD },
        }),
      204,
    );
    expect((await other.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
  });

  it('the forced-change screen (User Must Change Password at Next Login)', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await t.db.updateTable('users').set({ must_change_password: 1 }).where('id', '=', user.id).execute();
    const { response } = await expectRotated(
      user,
      (caller) =>
        caller.request({
          method: 'POST',
          url: '/api/v1/me/password',
          payload: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD },
        }),
      204,
    );
    // The new session is a full one: the forced change is done.
    const renewed = sessionCaller(t, newSessionCookie(response)!);
    expect((await renewed.request({ method: 'GET', url: `/api/v1/users/${user.id}` })).statusCode).toBe(200);
  });

  it('Reset Password on your own Password & Security tab', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const { other } = await expectRotated(
      user,
      (caller) =>
        caller.request({
          method: 'PATCH',
          url: `/api/v1/users/${user.id}/security`,
          payload: {
            resetPassword: {
              currentPassword: TEST_PASSWORD,
              newPassword: NEW_PASSWORD,
              confirmNewPassword: NEW_PASSWORD,
            },
          },
        }),
      200,
    );
    expect((await other.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
  });

  it('a wrong current password rotates nothing', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const caller = await quickSession(t, user);
    const oldCookie = caller.cookie!;
    const response = await caller.request({
      method: 'POST',
      url: '/api/v1/me/password',
      payload: {
        currentPassword: 'not my password at all',
        newPassword: NEW_PASSWORD,
        confirmNewPassword: NEW_PASSWORD,
      },
    });
    expect(errorOf(response).code).toBe('current_password_incorrect');
    expect(newSessionCookie(response)).toBeNull();
    expect(await statusWith(oldCookie)).toBe(200);
  });

  it('by API token: the password changes, there is no session to rotate (no cookie)', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const token = tokenCaller(t, await giveApiToken(t, user.id));
    const session = await quickSession(t, user);
    const response = await token.request({
      method: 'POST',
      url: '/api/v1/me/password',
      payload: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD },
    });
    expect(response.statusCode, response.body).toBe(204);
    expect(newSessionCookie(response)).toBeNull();
    expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    expect((await token.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
  });
});

describe('re-authentication on the MFA routes rotates this session', () => {
  it('starting an authenticator app with the current password', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await expectRotated(
      user,
      (caller) =>
        caller.request({ method: 'POST', url: '/api/v1/me/mfa/totp', payload: { currentPassword: TEST_PASSWORD } }),
      201,
    );
  });

  it('starting a passkey with the current password', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await expectRotated(
      user,
      (caller) =>
        caller.request({
          method: 'POST',
          url: '/api/v1/me/mfa/passkeys/options',
          payload: { currentPassword: TEST_PASSWORD },
        }),
      200,
    );
  });

  it('new recovery codes', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await giveTotpFactor(t, user.id);
    await expectRotated(
      user,
      (caller) =>
        caller.request({
          method: 'POST',
          url: '/api/v1/me/mfa/recovery-codes',
          payload: { currentPassword: TEST_PASSWORD },
        }),
      200,
    );
  });

  it('removing a factor, and even a refused removal (the last factor) after a right password keeps the browser signed in', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const first = await giveTotpFactor(t, user.id);
    const second = await giveTotpFactor(t, user.id);
    const remove = (caller: Caller, id: string) =>
      caller.request({
        method: 'DELETE',
        url: `/api/v1/me/mfa/factors/${id}`,
        payload: { currentPassword: TEST_PASSWORD },
      });
    await expectRotated(user, (caller) => remove(caller, first.factorId), 204);
    const { response } = await expectRotated(user, (caller) => remove(caller, second.factorId), 409);
    expect(errorOf(response).code).toBe('mfa_last_factor');
  });

  it('turning off your own MFA on the tab (current password)', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    await giveTotpFactor(t, user.id);
    const { other } = await expectRotated(
      user,
      (caller) =>
        caller.request({
          method: 'PATCH',
          url: `/api/v1/users/${user.id}/security`,
          payload: { mfaEnrolled: false, currentPassword: TEST_PASSWORD },
        }),
      200,
    );
    expect((await other.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
  });
});

describe('changes without re-authentication keep the session', () => {
  it("an Administrator changing someone else's group keeps its own session ID", async () => {
    const admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    const target = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const response = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${target.id}/security`,
      payload: { securityGroupId: SYSTEM_GROUP_IDS.regularUser },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(newSessionCookie(response)).toBeNull();
  });
});
