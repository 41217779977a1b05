/**
 * The Password & Security tab through the API: every sentence of the seed article, and every
 * refusal leaves the data exactly as it was. Runs on SQLite and on PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetClockForTests } from '../../src/server/clock.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import {
  createTestApp,
  makeUser,
  signIn,
  signInAs,
  snapshot,
  TEST_PASSWORD,
  tokenCaller,
  UI_HEADERS,
  type Caller,
  type TestApp,
} from '../helpers/test-app.js';

const NEW_PASSWORD = 'a brand new passphrase 2026';

let t: TestApp;
let admin: Caller;
let adminId: string;

beforeAll(async () => {
  t = await createTestApp();
  const signedIn = await signInAs(t, SYSTEM_GROUP_IDS.administrator);
  admin = signedIn.caller;
  adminId = signedIn.user.id;
});
afterAll(async () => t?.close());
afterEach(() => resetClockForTests());

async function generateToken(caller: Caller, userId: string): Promise<string> {
  const response = await caller.request({ method: 'POST', url: `/api/v1/users/${userId}/api-token` });
  expect(response.statusCode).toBe(201);
  return response.json().token as string;
}

async function auditActions(targetId: string): Promise<string[]> {
  const rows = await t.db
    .selectFrom('audit_events')
    .select('action')
    .where('target_user_id', '=', targetId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}

/** Sends a request that must be refused, and checks the data did not change. */
async function expectRefusedUnchanged(
  caller: Caller,
  options: Parameters<Caller['request']>[0],
  status: number,
  code?: string,
) {
  const before = await snapshot(t);
  const response = await caller.request(options);
  expect(response.statusCode, response.body).toBe(status);
  if (code) expect(response.json().error.code).toBe(code);
  expect(await snapshot(t)).toBe(before);
  return response;
}

describe('GET /api/v1/users/:id/security', () => {
  it('shows group, status, masked token, MFA and must-change flags, and what the caller may change', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const response = await admin.request({ method: 'GET', url: `/api/v1/users/${user.id}/security` });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      securityGroup: { id: SYSTEM_GROUP_IDS.regularUser, name: 'Regular User' },
      accountStatus: 'enabled',
      apiToken: null,
      mfaEnrolled: false,
      mustChangePassword: false,
      can: {
        changeSecurityGroup: { allowed: true },
        changeAccountStatus: { allowed: true },
        changeMfaEnrollment: { allowed: true },
        generateApiToken: { allowed: true },
        setMustChangePassword: { allowed: true },
        resetPassword: 'other',
      },
    });
    expect(body.securityGroup.description.length).toBeGreaterThan(0);
  });

  it('lets a Read Only User see only their own tab, with nothing but their own password to change', async () => {
    const { user, caller } = await signInAs(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const own = await caller.request({ method: 'GET', url: `/api/v1/users/${user.id}/security` });
    expect(own.statusCode).toBe(200);
    expect(own.json().can).toMatchObject({
      changeSecurityGroup: { allowed: false },
      changeAccountStatus: { allowed: false },
      changeMfaEnrollment: { allowed: false },
      generateApiToken: { allowed: false },
      setMustChangePassword: { allowed: false },
      resetPassword: 'own',
      turnOffMfaNeedsCurrentPassword: false,
    });
    const other = await caller.request({ method: 'GET', url: `/api/v1/users/${adminId}/security` });
    expect(other.statusCode).toBe(403);
  });

  it('refuses every Password & Security operation for an SSO account', async () => {
    const sso = await makeUser(t, SYSTEM_GROUP_IDS.regularUser, { userType: 'sso', ssoProvider: 'Okta' });
    await expectRefusedUnchanged(admin, { method: 'GET', url: `/api/v1/users/${sso.id}/security` }, 409, 'sso_account');
    for (const payload of [
      { accountStatus: 'disabled' },
      { securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser },
      { mfaEnrolled: true },
      { mustChangePassword: true },
      { resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD } },
    ]) {
      await expectRefusedUnchanged(
        admin,
        { method: 'PATCH', url: `/api/v1/users/${sso.id}/security`, payload },
        409,
        'sso_account',
      );
    }
    await expectRefusedUnchanged(
      admin,
      { method: 'POST', url: `/api/v1/users/${sso.id}/api-token` },
      409,
      'sso_account',
    );
  });
});

describe('Generate API Token', () => {
  it('creates a token shown once, that authenticates the API as its owner, and stores only a hash', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const token = await generateToken(admin, user.id);
    expect(token).toMatch(/^lk_[A-Za-z0-9_-]{43}$/);

    const stored = await t.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token.slice(3));
    expect(stored.masked).toBe(`${token.slice(0, 7)}…${token.slice(-4)}`);

    const me = await tokenCaller(t, token).request({ method: 'GET', url: '/api/v1/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { id: user.id }, authenticatedBy: 'api_token' });

    const shown = await admin.request({ method: 'GET', url: `/api/v1/users/${user.id}/security` });
    expect(shown.json().apiToken.masked).toBe(stored.masked);
    expect(shown.json().apiToken.lastUsedAt).not.toBeNull();
    expect(shown.body).not.toContain(token);
    expect(await auditActions(user.id)).toContain('api_token.generated');
  });

  it('Generate again: the old token stops working at that instant and the new one works', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const first = await generateToken(admin, user.id);
    const second = await generateToken(admin, user.id);
    expect(second).not.toBe(first);
    expect((await tokenCaller(t, first).request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    expect((await tokenCaller(t, second).request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
  });

  it('is refused to every group but Administrator, even for their own account', async () => {
    for (const group of [
      SYSTEM_GROUP_IDS.regularUser,
      SYSTEM_GROUP_IDS.regularUserNoDelete,
      SYSTEM_GROUP_IDS.readOnlyUser,
      SYSTEM_GROUP_IDS.orchestrationUser,
    ]) {
      const { user, caller } = await signInAs(t, group);
      await expectRefusedUnchanged(
        caller,
        { method: 'POST', url: `/api/v1/users/${user.id}/api-token` },
        403,
        'forbidden',
      );
    }
  });

  it('records when and from which address the token was last used', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const token = await generateToken(admin, user.id);
    await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${token}` },
      remoteAddress: '10.1.2.3',
    });
    const row = await t.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.last_used_ip).toBe('10.1.2.3');
    expect(row.last_used_at).not.toBeNull();
  });

  it('refuses a token passed in the query string', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const token = await generateToken(admin, user.id);
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/me?access_token=${token}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('token_in_query');
  });

  it('a token acts with its owner’s current group: a demotion limits it on the very next request', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.administrator);
    const token = await generateToken(admin, user.id);
    const asToken = tokenCaller(t, token);
    expect((await asToken.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(200);
    const demote = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser },
    });
    expect(demote.statusCode, demote.body).toBe(200);
    expect((await asToken.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(403);
    expect((await asToken.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
  });

  it('a token needs no CSRF header (it is not a cookie) and works for writes', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.administrator);
    const token = await generateToken(admin, user.id);
    const target = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const response = await tokenCaller(t, token).request({
      method: 'PATCH',
      url: `/api/v1/users/${target.id}`,
      payload: { title: 'Scripted' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().title).toBe('Scripted');
  });
});

describe('Account Status and Security Group', () => {
  it('disabling an account ends its sessions and refuses its token at once; re-enabling revives neither', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const session = await signIn(t, user.email);
    const token = await generateToken(admin, user.id);

    const disable = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { accountStatus: 'disabled' },
    });
    expect(disable.statusCode, disable.body).toBe(200);
    expect(disable.json().accountStatus).toBe('disabled');
    expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    expect((await tokenCaller(t, token).request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);

    await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { accountStatus: 'enabled' },
    });
    expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    // Disabling destroyed the token: it does not come back with the account.
    expect((await tokenCaller(t, token).request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);

    const audit = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('target_user_id', '=', user.id)
      .where('action', '=', 'user.security_updated')
      .execute();
    expect(audit.map((a) => JSON.parse(a.details).changes.status)).toEqual([
      { from: 'enabled', to: 'disabled' },
      { from: 'disabled', to: 'enabled' },
    ]);
    expect(audit[0]!.actor_user_id).toBe(adminId);
  });

  it('a demoted account loses its rights on its very next request (session)', async () => {
    const { user, caller } = await signInAs(t, SYSTEM_GROUP_IDS.administrator);
    expect((await caller.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(200);
    await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser },
    });
    expect((await caller.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(403);
  });

  it('nobody may disable or demote the last enabled Administrator (not even themselves: nobody changes their own group)', async () => {
    const t2 = await createTestApp();
    try {
      const { user, caller } = await signInAs(t2, SYSTEM_GROUP_IDS.administrator);
      const before = await snapshot(t2);
      const demote = await caller.request({
        method: 'PATCH',
        url: `/api/v1/users/${user.id}/security`,
        payload: { securityGroupId: SYSTEM_GROUP_IDS.regularUser },
      });
      expect(demote.statusCode).toBe(409);
      expect(demote.json().error).toMatchObject({
        code: 'cannot_change_own_group',
        fields: {
          securityGroupId: 'You cannot change your own security group; someone else who manages accounts can.',
        },
      });
      expect(await snapshot(t2)).toBe(before);
      // The tab says so before anyone tries: the group is not offered.
      const tab = await caller.request({ method: 'GET', url: `/api/v1/users/${user.id}/security` });
      expect(tab.json().can.changeSecurityGroup).toMatchObject({ allowed: false, code: 'cannot_change_own_group' });
    } finally {
      await t2.close();
    }
  });

  it('you cannot disable your own account', async () => {
    await expectRefusedUnchanged(
      admin,
      { method: 'PATCH', url: `/api/v1/users/${adminId}/security`, payload: { accountStatus: 'disabled' } },
      409,
      'cannot_disable_self',
    );
  });

  it('refuses an unknown security group with a field message and changes nothing', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const response = await expectRefusedUnchanged(
      admin,
      { method: 'PATCH', url: `/api/v1/users/${user.id}/security`, payload: { securityGroupId: 'no-such-group' } },
      400,
      'validation_failed',
    );
    expect(response.json().error.fields.securityGroupId).toBeTruthy();
  });

  it('below Administrator: cannot touch an Administrator account nor grant a group with more rights', async () => {
    const groupId = 'user-managers';
    const now = new Date().toISOString();
    await t.db
      .insertInto('security_groups')
      .values({
        id: groupId,
        name: 'User Managers',
        description: 'test',
        is_system: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await t.db
      .insertInto('group_permissions')
      .values(
        // Every right of a Read Only User, so it may act on one (never on an account holding more).
        ['users_groups:view', 'users_groups:update', 'records:view', 'reports:view'].map((permission) => ({
          group_id: groupId,
          permission,
        })),
      )
      .execute();
    const { caller } = await signInAs(t, groupId);
    const regular = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);

    await expectRefusedUnchanged(
      caller,
      { method: 'PATCH', url: `/api/v1/users/${adminId}/security`, payload: { accountStatus: 'disabled' } },
      403,
    );
    await expectRefusedUnchanged(
      caller,
      {
        method: 'PATCH',
        url: `/api/v1/users/${adminId}/security`,
        payload: { resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD } },
      },
      403,
    );
    await expectRefusedUnchanged(
      caller,
      {
        method: 'PATCH',
        url: `/api/v1/users/${regular.id}/security`,
        payload: { securityGroupId: SYSTEM_GROUP_IDS.regularUser },
      },
      403,
      'group_exceeds_own_rights',
    );
    await expectRefusedUnchanged(
      caller,
      { method: 'PATCH', url: `/api/v1/users/${regular.id}/security`, payload: { mustChangePassword: true } },
      403,
      'forbidden',
    );
    // What it may do: disable a Read Only User.
    const ok = await caller.request({
      method: 'PATCH',
      url: `/api/v1/users/${regular.id}/security`,
      payload: { accountStatus: 'disabled' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

describe('The Change button is all or nothing', () => {
  it('a request with one refused field applies none of its other fields', async () => {
    const { user, caller } = await signInAs(t, SYSTEM_GROUP_IDS.regularUser);
    // Own password (allowed) together with own group (refused: never your own): nothing happens.
    await expectRefusedUnchanged(
      caller,
      {
        method: 'PATCH',
        url: `/api/v1/users/${user.id}/security`,
        payload: {
          securityGroupId: SYSTEM_GROUP_IDS.administrator,
          resetPassword: {
            currentPassword: TEST_PASSWORD,
            newPassword: NEW_PASSWORD,
            confirmNewPassword: NEW_PASSWORD,
          },
        },
      },
      409,
    );
  });

  it('a bad new password in the same request as a status change applies neither', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const response = await expectRefusedUnchanged(
      admin,
      {
        method: 'PATCH',
        url: `/api/v1/users/${user.id}/security`,
        payload: { accountStatus: 'disabled', resetPassword: { newPassword: 'short', confirmNewPassword: 'short' } },
      },
      400,
      'validation_failed',
    );
    expect(response.json().error.fields.newPassword).toMatch(/at least 12/);
  });

  it('applies group, status, MFA and must-change together, each audited old → new', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const response = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: {
        securityGroupId: SYSTEM_GROUP_IDS.orchestrationUser,
        accountStatus: 'disabled',
        mfaEnrolled: true,
        mustChangePassword: true,
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      accountStatus: 'disabled',
      mfaEnrolled: true,
      mustChangePassword: true,
      securityGroup: { id: SYSTEM_GROUP_IDS.orchestrationUser },
    });
    const entry = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('target_user_id', '=', user.id)
      .where('action', '=', 'user.security_updated')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(entry.details).changes).toEqual({
      security_group_id: { from: SYSTEM_GROUP_IDS.regularUser, to: SYSTEM_GROUP_IDS.orchestrationUser },
      status: { from: 'enabled', to: 'disabled' },
      mfa_enrolled: { from: 0, to: 1 },
      // Required by someone else: the owner cannot turn it off.
      mfa_required_by_other: { from: 0, to: 1 },
      must_change_password: { from: 0, to: 1 },
    });
  });

  it('refuses unknown fields', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    await expectRefusedUnchanged(
      admin,
      { method: 'PATCH', url: `/api/v1/users/${user.id}/security`, payload: { passwordHash: 'x' } },
      400,
    );
  });
});

describe('Reset Your Password', () => {
  it('needs the current password; keeps this session, ends the others', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const here = await signIn(t, user.email);
    const elsewhere = await signIn(t, user.email);
    const response = await here.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: {
        resetPassword: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD },
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect((await here.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
    expect((await elsewhere.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    await signIn(t, user.email, NEW_PASSWORD);
    const entry = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('target_user_id', '=', user.id)
      .where('action', '=', 'user.password_reset')
      .executeTakeFirstOrThrow();
    expect(entry.details).not.toContain(NEW_PASSWORD);
    expect(JSON.parse(entry.details)).toMatchObject({ by: 'self' });
  });

  it('refuses a missing or wrong current password, which counts as a failed attempt', async () => {
    const { user, caller } = await signInAs(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const missing = await expectRefusedUnchanged(
      caller,
      {
        method: 'PATCH',
        url: `/api/v1/users/${user.id}/security`,
        payload: { resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD } },
      },
      400,
    );
    expect(missing.json().error.fields.currentPassword).toBeTruthy();
    const failuresBefore = await t.db
      .selectFrom('login_history')
      .select('id')
      .where('user_id', '=', user.id)
      .where('success', '=', 0)
      .execute();
    const wrong = await caller.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: {
        resetPassword: {
          currentPassword: 'not my password at all',
          newPassword: NEW_PASSWORD,
          confirmNewPassword: NEW_PASSWORD,
        },
      },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({
      code: 'current_password_incorrect',
      fields: { currentPassword: 'The current password is incorrect.' },
    });
    const failuresAfter = await t.db
      .selectFrom('login_history')
      .select('id')
      .where('user_id', '=', user.id)
      .where('success', '=', 0)
      .execute();
    expect(failuresAfter.length).toBe(failuresBefore.length + 1);
    const throttle = await t.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', '=', `account:${user.email.toLowerCase()}`)
      .executeTakeFirstOrThrow();
    expect(throttle.failures).toBe(1);
    await signIn(t, user.email, TEST_PASSWORD);
  });

  it('the new password must meet the policy, match its confirmation and differ from the current one', async () => {
    const { user, caller } = await signInAs(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const cases: Array<[Record<string, string>, string]> = [
      [{ newPassword: 'password1234', confirmNewPassword: 'password1234' }, 'newPassword'],
      [{ newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD + 'x' }, 'confirmNewPassword'],
      [{ newPassword: TEST_PASSWORD, confirmNewPassword: TEST_PASSWORD }, 'newPassword'],
      [{ newPassword: user.email, confirmNewPassword: user.email }, 'newPassword'],
    ];
    for (const [change, field] of cases) {
      const response = await expectRefusedUnchanged(
        caller,
        {
          method: 'PATCH',
          url: `/api/v1/users/${user.id}/security`,
          payload: { resetPassword: { currentPassword: TEST_PASSWORD, ...change } },
        },
        400,
      );
      expect(Object.keys(response.json().error.fields)).toContain(field);
    }
  });
});

describe('Reset Password of another user', () => {
  it('an Administrator sets a new password without the old one; all of that user’s sessions end at once', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const session = await signIn(t, user.email);
    const response = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD } },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    await signIn(t, user.email, NEW_PASSWORD);
    const old = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: UI_HEADERS,
      payload: { email: user.email, password: TEST_PASSWORD },
    });
    expect(old.statusCode).toBe(401);
  });

  it('a Regular User cannot reset someone else’s password', async () => {
    const { caller } = await signInAs(t, SYSTEM_GROUP_IDS.regularUser);
    const other = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await expectRefusedUnchanged(
      caller,
      {
        method: 'PATCH',
        url: `/api/v1/users/${other.id}/security`,
        payload: { resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD } },
      },
      403,
    );
  });
});

describe('User Must Change Password at Next Login', () => {
  it('only Administrators may set it', async () => {
    const { user, caller } = await signInAs(t, SYSTEM_GROUP_IDS.regularUser);
    await expectRefusedUnchanged(
      caller,
      { method: 'PATCH', url: `/api/v1/users/${user.id}/security`, payload: { mustChangePassword: true } },
      403,
    );
  });

  it('blocks everything but the change itself, for the session and the API token alike, until the password is changed', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const token = await generateToken(admin, user.id);
    const set = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: {
        mustChangePassword: true,
        resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD },
      },
    });
    expect(set.statusCode, set.body).toBe(200);

    const session = await signIn(t, user.email, NEW_PASSWORD);
    const me = await session.request({ method: 'GET', url: '/api/v1/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.mustChangePassword).toBe(true);
    for (const caller of [session, tokenCaller(t, token)]) {
      const blocked = await caller.request({ method: 'GET', url: `/api/v1/users/${user.id}` });
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json().error).toMatchObject({
        code: 'password_change_required',
        message: 'You must change your password before you can do anything else.',
      });
      expect((await caller.request({ method: 'PATCH', url: '/api/v1/me', payload: { title: 'x' } })).statusCode).toBe(
        403,
      );
    }

    const finalPassword = 'my own secret phrase 77';
    const change = await session.request({
      method: 'POST',
      url: '/api/v1/me/password',
      payload: { currentPassword: NEW_PASSWORD, newPassword: finalPassword, confirmNewPassword: finalPassword },
    });
    expect(change.statusCode, change.body).toBe(204);
    expect((await session.request({ method: 'GET', url: `/api/v1/users/${user.id}` })).statusCode).toBe(200);
    expect((await tokenCaller(t, token).request({ method: 'GET', url: `/api/v1/users/${user.id}` })).statusCode).toBe(
      200,
    );
    const row = await t.db
      .selectFrom('users')
      .select('must_change_password')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(0);
  });

  it('the forced change refuses a wrong current password or a weak new one, and the account stays blocked', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { mustChangePassword: true },
    });
    const session = await signIn(t, user.email);
    await expectRefusedUnchanged(
      session,
      {
        method: 'POST',
        url: '/api/v1/me/password',
        payload: { currentPassword: TEST_PASSWORD, newPassword: 'short', confirmNewPassword: 'short' },
      },
      400,
    );
    expect((await session.request({ method: 'GET', url: `/api/v1/users/${user.id}` })).statusCode).toBe(403);
    // Sign out stays possible (the forced-change screen's Cancel).
    expect((await session.request({ method: 'DELETE', url: '/api/v1/session' })).statusCode).toBe(204);
  });
});

describe('Deleting an account ends its sessions and its token at once', () => {
  it('session and token are refused after Delete User', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const session = await signIn(t, user.email);
    const token = await generateToken(admin, user.id);
    expect((await admin.request({ method: 'DELETE', url: `/api/v1/users/${user.id}` })).statusCode).toBe(204);
    expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    expect((await tokenCaller(t, token).request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
  });
});
