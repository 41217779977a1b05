/**
 * "An Administrator can see which accounts have MFA and which are pending" (issue 5): every account
 * the API shows carries mfaStatus (off / pending / on), and the User Accounts list filters by it.
 * Pending = the Administrator checked "Enroll in Multi-Factor Authentication" but no factor is
 * confirmed yet; a factor still being set up (unconfirmed) does not count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPendingTotpFactor } from '../../src/server/services/mfa-factors.js';
import type { User } from '../../src/shared/schemas/users.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { errorOf, quickSession, quickUser, uniqueEmail } from '../helpers/fixtures.js';
import { giveTotpFactor } from '../helpers/mfa-fixtures.js';
import { createTestApp, type Caller, type TestApp } from '../helpers/test-app.js';

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
afterAll(async () => t?.close());

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
