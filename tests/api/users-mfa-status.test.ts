/**
 * "An Administrator can see which accounts have MFA and which are pending": every account
 * the API shows carries mfaStatus (off / pending / on), and the User Accounts list filters by it.
 * Pending = the Administrator checked "Enroll in Multi-Factor Authentication" but no factor is
 * confirmed yet; a factor still being set up (unconfirmed) does not count.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPendingTotpFactor } from '../../src/server/services/mfa-factors.js';
import type { User } from '../../src/shared/schemas/users.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { errorOf, quickSession, quickUser, uniqueEmail } from '../helpers/fixtures.js';
import { codeNow, giveTotpFactor } from '../helpers/mfa-fixtures.js';
import { createTestApp, TEST_PASSWORD, usingPostgres, type Caller, type TestApp } from '../helpers/test-app.js';
import { nowIso, shiftClockForTests, resetClockForTests } from '../../src/server/clock.js';

let t: TestApp;
let admin: Caller;
const ids: Record<'off' | 'pending' | 'settingUp' | 'on', string> = { off: '', pending: '', settingUp: '', on: '' };
const tag = `mfa-${Date.now().toString(36)}`;

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
  for (const key of Object.keys(ids) as Array<keyof typeof ids>) {
    ids[key] = (await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { email: uniqueEmail(`${tag}-${key}`) })).id;
  }
  await t.db.updateTable('users').set({ mfa_enrolled: 1 }).where('id', 'in', [ids.pending, ids.settingUp]).execute();
  await createPendingTotpFactor(t.db, t.config.secretKey, ids.settingUp, 'Half set up');
  await giveTotpFactor(t, ids.on);
});
afterAll(async () => {
  resetClockForTests();
  await t?.close();
});

async function list(query: Record<string, string>): Promise<User[]> {
  const response = await admin.request({ method: 'GET', url: '/api/v1/users', query: { search: tag, ...query } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ users: User[] }>().users;
}

describe('MFA status of accounts', () => {
  it('is off, pending (also while a factor is only being set up) or on', async () => {
    const byId = new Map((await list({})).map((user) => [user.id, user.mfaStatus]));
    expect(Object.fromEntries(Object.entries(ids).map(([key, id]) => [key, byId.get(id)]))).toEqual({
      off: 'off',
      pending: 'pending',
      settingUp: 'pending',
      on: 'on',
    });
  });

  it('filters the list by each status, with a total to match', async () => {
    const idsOf = async (mfa: string) => (await list({ mfa })).map((user) => user.id).sort();
    expect(await idsOf('on')).toEqual([ids.on]);
    expect(await idsOf('pending')).toEqual([ids.pending, ids.settingUp].sort());
    expect(await idsOf('off')).toEqual([ids.off]);
    const response = await admin.request({
      method: 'GET',
      url: '/api/v1/users',
      query: { search: tag, mfa: 'pending' },
    });
    expect(response.json<{ total: { count: number; exact: boolean } }>().total).toEqual({ count: 2, exact: true });
  });

  it('is on one account and on /me alike', async () => {
    const one = await admin.request({ method: 'GET', url: `/api/v1/users/${ids.on}` });
    expect(one.json<User>().mfaStatus).toBe('on');
    const me = await admin.request({ method: 'GET', url: '/api/v1/me' });
    expect(me.json<{ user: User }>().user.mfaStatus).toBe('off');
  });

  it('refuses an unknown status with 400', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/users', query: { mfa: 'maybe' } });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).fields).toHaveProperty('mfa');
  });
});

/**
 * The list filters by users.mfa_status, which the database keeps (migration 0014: triggers on
 * mfa_factors, and a generated column on SQLite or a trigger-set column on PostgreSQL) rather than
 * computing it per request. After each way MFA
 * changes, the filter must still agree with the status every account shows (mfaStatusOf).
 */
describe('the MFA filter stays right through every MFA change', () => {
  async function statusOf(id: string, email: string): Promise<string> {
    const shown = (await admin.request({ method: 'GET', url: `/api/v1/users/${id}` })).json<User>().mfaStatus;
    const filtered: string[] = [];
    for (const mfa of ['off', 'pending', 'on']) {
      const response = await admin.request({ method: 'GET', url: '/api/v1/users', query: { search: email, mfa } });
      const found = response.json<{ users: User[]; total: { count: number } }>();
      if (found.users.some((user) => user.id === id)) filtered.push(mfa);
      expect(found.total.count, `${email} ${mfa}`).toBe(found.users.length);
    }
    expect(filtered, `${email}: listed under ${filtered.join(', ')}, shown as ${shown}`).toEqual([shown]);
    return shown;
  }

  it('through the API: required by an Administrator, enrollment started and confirmed, a second factor removed, reset', async () => {
    const email = uniqueEmail(`${tag}-life`);
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { email });
    const own = await quickSession(t, user);
    expect(await statusOf(user.id, email)).toBe('off');

    const require = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { mfaEnrolled: true },
    });
    expect(require.statusCode, require.body).toBe(200);
    expect(await statusOf(user.id, email)).toBe('pending');

    const enroll = async () => {
      const start = await own.request({
        method: 'POST',
        url: '/api/v1/me/mfa/totp',
        payload: { currentPassword: TEST_PASSWORD },
      });
      expect(start.statusCode, start.body).toBe(201);
      // Started, not confirmed: still pending (on, for a second factor).
      expect(await statusOf(user.id, email)).not.toBe('off');
      const confirm = await own.request({
        method: 'POST',
        url: '/api/v1/me/mfa/totp/confirm',
        payload: { code: codeNow(start.json<{ secret: string }>().secret) },
      });
      expect(confirm.statusCode, confirm.body).toBe(200);
      return confirm.json<{ factor: { id: string } }>().factor.id;
    };
    const first = await enroll();
    expect(await statusOf(user.id, email)).toBe('on');
    shiftClockForTests(30_000); // a new time step, so the second app's code is no replay
    await enroll();
    const remove = await own.request({
      method: 'DELETE',
      url: `/api/v1/me/mfa/factors/${first}`,
      payload: { currentPassword: TEST_PASSWORD },
    });
    expect(remove.statusCode, remove.body).toBeLessThan(300);
    expect(await statusOf(user.id, email)).toBe('on');

    // The lost-phone reset: MFA off and every factor gone.
    const reset = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { mfaEnrolled: false },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    expect(await statusOf(user.id, email)).toBe('off');
  });

  it('through writes the API does not make: a factor confirmed without the flag, moved to another account, deleted', async () => {
    const [a, b] = await Promise.all(
      ['moved-a', 'moved-b'].map((name) =>
        quickUser(t, SYSTEM_GROUP_IDS.regularUser, { email: uniqueEmail(`${tag}-${name}`) }),
      ),
    );
    const { id: factorId } = await createPendingTotpFactor(t.db, t.config.secretKey, a!.id, 'By hand');
    expect(await statusOf(a!.id, a!.email)).toBe('off');
    // A confirmed factor means "on", whatever the flag says (mfaStatusOf's rule).
    await t.db.updateTable('mfa_factors').set({ confirmed_at: nowIso() }).where('id', '=', factorId).execute();
    expect(await statusOf(a!.id, a!.email)).toBe('on');
    await t.db.updateTable('users').set({ mfa_enrolled: 1 }).where('id', 'in', [a!.id, b!.id]).execute();
    expect(await statusOf(b!.id, b!.email)).toBe('pending');
    // The status itself cannot be written wrong: SQLite refuses a write to a generated column,
    // PostgreSQL's trigger computes it again whatever was written.
    const forged = sql`update users set mfa_status = 'on' where id = ${b!.id}`.execute(t.db);
    if (usingPostgres) await forged;
    else await expect(forged).rejects.toThrow();
    expect(await statusOf(b!.id, b!.email)).toBe('pending');
    await t.db.updateTable('mfa_factors').set({ user_id: b!.id }).where('id', '=', factorId).execute();
    expect([await statusOf(a!.id, a!.email), await statusOf(b!.id, b!.email)]).toEqual(['pending', 'on']);
    await t.db.updateTable('mfa_factors').set({ confirmed_at: null }).where('id', '=', factorId).execute();
    expect(await statusOf(b!.id, b!.email)).toBe('pending');
    await t.db.updateTable('mfa_factors').set({ confirmed_at: nowIso() }).where('id', '=', factorId).execute();
    await t.db.deleteFrom('mfa_factors').where('id', '=', factorId).execute();
    expect(await statusOf(b!.id, b!.email)).toBe('pending');
    // An account deleted with its factors takes its status with it (no trigger error on the way).
    await giveTotpFactor(t, b!.id);
    expect(await statusOf(b!.id, b!.email)).toBe('on');
    await t.db.deleteFrom('users').where('id', '=', b!.id).execute();
    expect(await t.db.selectFrom('mfa_factors').select('id').where('user_id', '=', b!.id).execute()).toEqual([]);
  });
});
