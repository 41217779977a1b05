/**
 * A re-enabled account's old API token worked again. Disabling an account now
 * destroys its token in the same transaction (audited as tokenRevoked), on the tab and on
 * PUT account-status; enabling it again brings nothing back. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { auditSince, giveApiToken, lastAuditId, quickSession, quickUser } from '../helpers/fixtures.js';
import { createTestApp, tokenCaller, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
});
afterAll(async () => t?.close());

const ways = {
  'the Password & Security tab': (id: string, accountStatus: string) =>
    admin.request({ method: 'PATCH', url: `/api/v1/users/${id}/security`, payload: { accountStatus } }),
  'PUT account-status': (id: string, accountStatus: string) =>
    admin.request({ method: 'PUT', url: `/api/v1/users/${id}/account-status`, payload: { accountStatus } }),
};

describe('disable → enable → the old API token', () => {
  for (const [way, setStatus] of Object.entries(ways)) {
    it(`is refused for good (401), the token row gone, audited tokenRevoked: true (${way})`, async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      const token = tokenCaller(t, await giveApiToken(t, user.id));
      expect((await token.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
      const since = await lastAuditId(t);

      expect((await setStatus(user.id, 'disabled')).statusCode).toBe(200);
      expect(await t.db.selectFrom('api_tokens').select('user_id').where('user_id', '=', user.id).execute()).toEqual(
        [],
      );
      expect((await setStatus(user.id, 'enabled')).statusCode).toBe(200);
      const after = await token.request({ method: 'GET', url: '/api/v1/me' });
      expect(after.statusCode).toBe(401);

      const entries = (await auditSince(t, since)).filter((e) => e.target_user_id === user.id);
      expect(entries.map((e) => [e.action, e.details])).toEqual([
        [
          'user.security_updated',
          { changes: { status: { from: 'enabled', to: 'disabled' } }, sessionsEnded: 0, tokenRevoked: true },
        ],
        ['user.security_updated', { changes: { status: { from: 'disabled', to: 'enabled' } } }],
      ]);
    });
  }

  it('an account without a token is audited tokenRevoked: false', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await quickSession(t, user);
    const since = await lastAuditId(t);
    expect((await ways['PUT account-status'](user.id, 'disabled')).statusCode).toBe(200);
    const [entry] = await auditSince(t, since);
    expect(entry?.details).toMatchObject({ sessionsEnded: 1, tokenRevoked: false });
  });
});
