/**
 * A user manager must not take over a stronger account. A custom group holding
 * every Users & Groups right (but no task rights) tries every security action on an Orchestration
 * User — reset its password, clear or set its MFA, disable it, change its group, make it change its
 * password, generate or revoke its token — and then tries to sign in as it. Every attempt is refused
 * with 403, changes nothing, and `can` (list row, single account, Password & Security tab) says so.
 * The same manager may act on a Read Only User, whose rights it holds. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserWithGroup } from '../../src/server/db/schema.js';
import { MODULES, SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { allowedOf, errorOf, giveApiToken, quickSession, quickUser, stateSnapshot } from '../helpers/fixtures.js';
import { giveTotpFactor } from '../helpers/mfa-fixtures.js';
import { createTestApp, tokenCaller, UI_HEADERS, type Caller, type TestApp } from '../helpers/test-app.js';

const ATTACKER_PASSWORD = 'the manager now knows this one 2026';
const USERS_GROUPS_ALL = MODULES.users_groups.verbs.map((verb) => `users_groups:${verb}`);

let t: TestApp;
let admin: Caller;
let manager: Caller;
let managerGroupId: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
  // Made the way a real Administrator makes it: through the API.
  const created = await admin.request({
    method: 'POST',
    url: '/api/v1/security-groups',
    payload: {
      name: 'User Managers',
      description: 'Manage accounts; view records and reports',
      permissions: [...USERS_GROUPS_ALL, 'records:view', 'reports:view'],
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  managerGroupId = created.json().id as string;
  manager = await quickSession(t, await quickUser(t, managerGroupId));
});
afterAll(async () => t?.close());

/** An Orchestration User with MFA on, a live session and an API token: everything worth taking. */
async function strongerAccount(): Promise<{ user: UserWithGroup; session: Caller; token: Caller }> {
  const user = await quickUser(t, SYSTEM_GROUP_IDS.orchestrationUser);
  await giveTotpFactor(t, user.id);
  return { user, session: await quickSession(t, user), token: tokenCaller(t, await giveApiToken(t, user.id)) };
}

function signInWith(email: string, password: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/session', headers: UI_HEADERS, payload: { email, password } });
}

describe('a user manager against an Orchestration User (rights it lacks)', () => {
  const attacks: Array<{ name: string; request: (id: string) => Parameters<Caller['request']>[0]; code: string }> = [
    {
      name: 'reset its password',
      request: (id) => ({
        method: 'PATCH',
        url: `/api/v1/users/${id}/security`,
        payload: { resetPassword: { newPassword: ATTACKER_PASSWORD, confirmNewPassword: ATTACKER_PASSWORD } },
      }),
      code: 'account_exceeds_own_rights',
    },
    {
      name: 'clear its MFA (the lost-phone reset)',
      request: (id) => ({ method: 'PATCH', url: `/api/v1/users/${id}/security`, payload: { mfaEnrolled: false } }),
      code: 'account_exceeds_own_rights',
    },
    {
      name: 'disable it on the tab',
      request: (id) => ({
        method: 'PATCH',
        url: `/api/v1/users/${id}/security`,
        payload: { accountStatus: 'disabled' },
      }),
      code: 'account_exceeds_own_rights',
    },
    {
      name: 'disable it with PUT account-status',
      request: (id) => ({
        method: 'PUT',
        url: `/api/v1/users/${id}/account-status`,
        payload: { accountStatus: 'disabled' },
      }),
      code: 'account_exceeds_own_rights',
    },
    {
      name: 'move it to a group the manager holds',
      request: (id) => ({
        method: 'PATCH',
        url: `/api/v1/users/${id}/security`,
        payload: { securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser },
      }),
      code: 'account_exceeds_own_rights',
    },
    {
      name: 'make it change its password at next login',
      request: (id) => ({
        method: 'PATCH',
        url: `/api/v1/users/${id}/security`,
        payload: { mustChangePassword: true },
      }),
      code: 'account_exceeds_own_rights',
    },
    {
      // Deleting ends every credential at once, like disabling: the same rule.
      name: 'delete it',
      request: (id) => ({ method: 'DELETE', url: `/api/v1/users/${id}` }),
      code: 'account_exceeds_own_rights',
    },
    {
      // Refused by the route gate already (Administrator-only permission), and by the rule behind it.
      name: 'generate its API token',
      request: (id) => ({ method: 'POST', url: `/api/v1/users/${id}/api-token` }),
      code: 'forbidden',
    },
    {
      name: 'revoke its API token',
      request: (id) => ({ method: 'DELETE', url: `/api/v1/users/${id}/api-token` }),
      code: 'forbidden',
    },
  ];

  for (const attack of attacks) {
    it(`cannot ${attack.name}: 403 ${attack.code}, nothing changes, the owner keeps its session and token`, async () => {
      const target = await strongerAccount();
      const before = await stateSnapshot(t);
      const response = await manager.request(attack.request(target.user.id));
      expect(response.statusCode, response.body).toBe(403);
      expect(errorOf(response).code).toBe(attack.code);
      expect(await stateSnapshot(t)).toEqual(before);
      expect((await target.session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
      expect((await target.token.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
    });
  }

  it('cannot sign in as it afterwards: the password it tried to set was never set', async () => {
    const target = await strongerAccount();
    await manager.request(attacks[0]!.request(target.user.id));
    const signIn = await signInWith(target.user.email, ATTACKER_PASSWORD);
    expect(signIn.statusCode).toBe(401);
  });

  it('`can` says no everywhere: list row, single account and the Password & Security tab', async () => {
    const { user } = await strongerAccount();
    const one = await manager.request({ method: 'GET', url: `/api/v1/users/${user.id}` });
    expect(allowedOf(one.json().can)).toEqual({
      update: true,
      delete: false,
      changeAccountStatus: false,
      unlockSignIn: false,
    });
    const list = await manager.request({
      method: 'GET',
      url: `/api/v1/users?search=${encodeURIComponent(user.email)}`,
    });
    expect(list.json().users).toEqual([expect.objectContaining({ id: user.id, can: one.json().can })]);
    const tab = await manager.request({ method: 'GET', url: `/api/v1/users/${user.id}/security` });
    expect(tab.statusCode, tab.body).toBe(200);
    expect(allowedOf(tab.json().can)).toEqual({
      changeSecurityGroup: false,
      changeAccountStatus: false,
      changeMfaEnrollment: false,
      generateApiToken: false,
      revokeApiToken: false,
      setMustChangePassword: false,
      resetPassword: 'none',
      turnOffMfaNeedsCurrentPassword: false,
    });
    // The reason shown is the account's rank, the one every refused request above answered with.
    expect(tab.json().can.changeSecurityGroup).toMatchObject({ allowed: false, code: 'account_exceeds_own_rights' });
  });

  it("the tab's Security Group list marks only groups the manager may assign", async () => {
    const groups = (await manager.request({ method: 'GET', url: '/api/v1/security-groups' })).json().groups as Array<{
      id: string;
      can: { assign: { allowed: boolean } };
    }>;
    const assign = (id: string) => groups.find((g) => g.id === id)?.can.assign.allowed;
    expect(assign(SYSTEM_GROUP_IDS.orchestrationUser)).toBe(false);
    expect(assign(SYSTEM_GROUP_IDS.administrator)).toBe(false);
    expect(assign(SYSTEM_GROUP_IDS.readOnlyUser)).toBe(true);
    expect(assign(managerGroupId)).toBe(true);
  });

  it('a group one right short is enough to refuse: Orchestration rights but tasks:fail', async () => {
    const almost = await admin.request({
      method: 'POST',
      url: '/api/v1/security-groups',
      payload: {
        name: 'Almost Orchestrators',
        description: 'Everything an Orchestration User holds but Fail, plus user management',
        permissions: [
          ...USERS_GROUPS_ALL,
          'records:view',
          'reports:view',
          'tasks:view',
          'tasks:update',
          'tasks:assign',
          'tasks:start',
          'tasks:complete',
          'tasks:cancel',
        ],
      },
    });
    expect(almost.statusCode, almost.body).toBe(201);
    const caller = await quickSession(t, await quickUser(t, almost.json().id as string));
    const { user } = await strongerAccount();
    const before = await stateSnapshot(t);
    const response = await caller.request(attacks[0]!.request(user.id));
    expect(response.statusCode).toBe(403);
    expect(await stateSnapshot(t)).toEqual(before);
  });
});

describe('the same user manager against a Read Only User (rights it holds)', () => {
  it('`can` says yes, and a password reset, MFA reset and disable all work', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await giveTotpFactor(t, user.id);
    const tab = await manager.request({ method: 'GET', url: `/api/v1/users/${user.id}/security` });
    expect(allowedOf(tab.json().can)).toMatchObject({
      changeSecurityGroup: true,
      changeAccountStatus: true,
      changeMfaEnrollment: true,
      resetPassword: 'other',
    });
    const list = await manager.request({
      method: 'GET',
      url: `/api/v1/users?search=${encodeURIComponent(user.email)}`,
    });
    expect(allowedOf(list.json().users[0].can)).toEqual({
      update: true,
      delete: true,
      changeAccountStatus: true,
      unlockSignIn: true,
    });

    const reset = await manager.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: {
        mfaEnrolled: false,
        resetPassword: { newPassword: ATTACKER_PASSWORD, confirmNewPassword: ATTACKER_PASSWORD },
      },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    expect((await signInWith(user.email, ATTACKER_PASSWORD)).statusCode).toBe(200);

    const disable = await manager.request({
      method: 'PUT',
      url: `/api/v1/users/${user.id}/account-status`,
      payload: { accountStatus: 'disabled' },
    });
    expect(disable.statusCode, disable.body).toBe(200);
    expect(disable.json().accountStatus).toBe('disabled');
  });

  it('still never an Administrator account, whatever it holds', async () => {
    const administrator = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    const before = await stateSnapshot(t);
    const response = await manager.request({
      method: 'PATCH',
      url: `/api/v1/users/${administrator.id}/security`,
      payload: { accountStatus: 'disabled' },
    });
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).code).toBe('administrator_protected');
    expect(await stateSnapshot(t)).toEqual(before);
  });
});
