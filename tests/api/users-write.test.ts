/**
 * Creating, reading, updating and deleting accounts: every validation rule, the password policy at
 * the API, SSO rules, mass-assignment refusals, the protections around Administrators and the
 * groups one may hand out, and exactly one audit entry per change (never a secret in it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor } from '../../src/server/auth/authenticate.js';
import { deleteUser, findUserById } from '../../src/server/services/users.js';
import { AppError } from '../../src/server/app-error.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { expectRefused } from '../helpers/assertions.js';
import {
  auditSince,
  createCustomGroup,
  errorOf,
  giveApiToken,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
  uniqueEmail,
} from '../helpers/fixtures.js';
import { createTestApp, signIn, tokenCaller, TEST_PASSWORD, type Caller, type TestApp } from '../helpers/test-app.js';

const STRONG = 'violet harbour lantern 93';

function newUserBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: uniqueEmail('new'),
    firstName: 'Nina',
    lastName: 'Newcomer',
    title: 'Analyst',
    telephone: '+44 20 7946 0000',
    password: STRONG,
    confirmPassword: STRONG,
    securityGroupId: SYSTEM_GROUP_IDS.regularUser,
    sessionTimeoutMinutes: 60,
    functionalGroup: 'Finance',
    ...overrides,
  };
}

let t: TestApp;
let admin: Caller;
let adminId: string;

beforeAll(async () => {
  t = await createTestApp();
  const user = await quickUser(t, SYSTEM_GROUP_IDS.administrator, { firstName: 'Ada', lastName: 'Admin' });
  adminId = user.id;
  admin = await quickSession(t, user);
});
afterAll(async () => t?.close());

describe('POST /api/v1/users', () => {
  it('creates a native account: 201, the account without secrets, an argon2id hash stored, one user.created audit entry', async () => {
    const auditBefore = await lastAuditId(t);
    const body = newUserBody({ email: '  Nina.Newcomer@Example.TEST ' });
    const response = await admin.request({ method: 'POST', url: '/api/v1/users', payload: body });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({
      email: 'Nina.Newcomer@Example.TEST',
      firstName: 'Nina',
      lastName: 'Newcomer',
      title: 'Analyst',
      telephone: '+44 20 7946 0000',
      securityGroup: { id: SYSTEM_GROUP_IDS.regularUser, name: 'Regular User' },
      functionalGroup: 'Finance',
      accountStatus: 'enabled',
      userType: 'native',
      ssoProvider: null,
      lastLoginAt: null,
      sessionTimeoutMinutes: 60,
      mustChangePassword: false,
      mfaEnrolled: false,
    });
    expect(response.body).not.toMatch(/argon2|violet harbour|passwordHash|password_hash/i);

    const row = await findUserById(t.db, created.id);
    expect(row?.email_normalized).toBe('nina.newcomer@example.test');
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);

    const audit = await auditSince(t, auditBefore);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'user.created',
      actor_user_id: adminId,
      target_user_id: created.id,
      target_email: 'Nina.Newcomer@Example.TEST',
      details: { securityGroup: SYSTEM_GROUP_IDS.regularUser, userType: 'native' },
    });

    const signedIn = await signIn(t, 'nina.newcomer@example.test', STRONG);
    expect((await signedIn.request({ method: 'GET', url: '/api/v1/me' })).json().user.id).toBe(created.id);
  });

  it('accepts a 12-character password made of words, spaces and emoji (length counts characters, not bytes)', async () => {
    const password = 'tea 🍵 time 🕒';
    expect([...password]).toHaveLength(12);
    const body = newUserBody({ password, confirmPassword: password });
    const response = await admin.request({ method: 'POST', url: '/api/v1/users', payload: body });
    expect(response.statusCode, response.body).toBe(201);
    await signIn(t, body.email as string, password);
  });

  it('creates an SSO account without a password, managed by the identity provider named; it cannot sign in with one', async () => {
    const body = newUserBody({
      userType: 'sso',
      ssoProvider: '  Entra ID ',
      password: undefined,
      confirmPassword: undefined,
    });
    const response = await admin.request({ method: 'POST', url: '/api/v1/users', payload: body });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ userType: 'sso', ssoProvider: 'Entra ID' });
    const row = await findUserById(t.db, response.json().id);
    expect(row).toMatchObject({ password_hash: null, sso_provider: 'Entra ID' });
    expect((await admin.request({ method: 'GET', url: `/api/v1/users/${row!.id}` })).json().ssoProvider).toBe(
      'Entra ID',
    );
    await expect(signIn(t, body.email as string, '')).rejects.toThrow();
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['a missing email', { email: undefined }, 'email'],
    ['a malformed email', { email: 'not-an-email' }, 'email'],
    ['an email with two @', { email: 'a@b@example.test' }, 'email'],
    ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.test` }, 'email'],
    ['a missing first name', { firstName: undefined }, 'firstName'],
    ['a blank first name', { firstName: '   ' }, 'firstName'],
    ['a missing last name', { lastName: undefined }, 'lastName'],
    ['a first name over 100 characters', { firstName: 'x'.repeat(101) }, 'firstName'],
    ['a missing security group', { securityGroupId: undefined }, 'securityGroupId'],
    ['an unknown security group', { securityGroupId: 'super-admins' }, 'securityGroupId'],
    ['a missing session timeout', { sessionTimeoutMinutes: undefined }, 'sessionTimeoutMinutes'],
    ['a session timeout under 5 minutes', { sessionTimeoutMinutes: 4 }, 'sessionTimeoutMinutes'],
    ['a session timeout over 720 minutes', { sessionTimeoutMinutes: 721 }, 'sessionTimeoutMinutes'],
    ['a fractional session timeout', { sessionTimeoutMinutes: 30.5 }, 'sessionTimeoutMinutes'],
    ['a session timeout sent as text', { sessionTimeoutMinutes: '30' }, 'sessionTimeoutMinutes'],
    ['a telephone with letters', { telephone: 'call me maybe' }, 'telephone'],
    ['an unknown user type', { userType: 'ldap' }, 'userType'],
    ['no password for a native account', { password: undefined, confirmPassword: undefined }, 'password'],
    ['an empty password', { password: '', confirmPassword: '' }, 'password'],
    ['a password of 11 characters', { password: 'abcdefghijk', confirmPassword: 'abcdefghijk' }, 'password'],
    [
      'a password of 11 characters that is 13 UTF-16 units long',
      { password: 'tea 🍵 time🕒', confirmPassword: 'tea 🍵 time🕒' },
      'password',
    ],
    ['a password over 256 characters', { password: 'x'.repeat(257), confirmPassword: 'x'.repeat(257) }, 'password'],
    ['a common password', { password: 'password1234', confirmPassword: 'password1234' }, 'password'],
    [
      'a common password in other letter case',
      { password: 'PASSWORD1234', confirmPassword: 'PASSWORD1234' },
      'password',
    ],
    ['one character repeated', { password: 'aaaaaaaaaaaaaaaa', confirmPassword: 'aaaaaaaaaaaaaaaa' }, 'password'],
    [
      'the account email as password',
      {
        email: 'nico.solo@example.test',
        password: 'nico.solo@example.test',
        confirmPassword: 'nico.solo@example.test',
      },
      'password',
    ],
    [
      'the account name as password',
      {
        firstName: 'Marguerite',
        lastName: 'Delacroix',
        password: 'Marguerite Delacroix 1',
        confirmPassword: 'Marguerite Delacroix 1',
      },
      'password',
    ],
    ['a confirmation that does not match', { confirmPassword: `${STRONG}!` }, 'confirmPassword'],
    ['no confirmation', { confirmPassword: undefined }, 'confirmPassword'],
    ['a password for an SSO account', { userType: 'sso', ssoProvider: 'Okta' }, 'password'],
    [
      'an SSO account without an identity provider',
      { userType: 'sso', password: undefined, confirmPassword: undefined },
      'ssoProvider',
    ],
    [
      'an SSO account with a blank identity provider',
      { userType: 'sso', ssoProvider: '   ', password: undefined, confirmPassword: undefined },
      'ssoProvider',
    ],
    [
      'an identity provider name over 100 characters',
      { userType: 'sso', ssoProvider: 'x'.repeat(101), password: undefined, confirmPassword: undefined },
      'ssoProvider',
    ],
    ['an identity provider for a native account', { ssoProvider: 'Okta' }, 'ssoProvider'],
    [
      'an identity provider without a user type (native by default)',
      { userType: undefined, ssoProvider: 'Okta' },
      'ssoProvider',
    ],
    ['an unknown field', { isAdmin: true }, 'isAdmin'],
    [
      'an account status (set on the Password & Security tab, not here)',
      { accountStatus: 'disabled' },
      'accountStatus',
    ],
    ['a password hash', { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def' }, 'passwordHash'],
    ['a chosen ID', { id: 'my-own-id' }, 'id'],
    ['a must-change-password flag that is not true or false', { mustChangePassword: 'yes' }, 'mustChangePassword'],
    [
      'must-change-password on an SSO account (it has no Latchkey password)',
      {
        userType: 'sso',
        ssoProvider: 'Okta',
        password: undefined,
        confirmPassword: undefined,
        mustChangePassword: true,
      },
      'mustChangePassword',
    ],
  ];
  for (const [what, overrides, field] of invalid) {
    it(`refuses ${what} with 400 naming ${field}, creating nothing`, async () => {
      await expectRefused(
        t,
        () => admin.request({ method: 'POST', url: '/api/v1/users', payload: newUserBody(overrides) }),
        400,
        'validation_failed',
        field,
      );
    });
  }

  it('creates a native account that must change its password at next login: shown in the list, audited, enforced at sign-in', async () => {
    const auditBefore = await lastAuditId(t);
    const body = newUserBody({ mustChangePassword: true });
    const response = await admin.request({ method: 'POST', url: '/api/v1/users', payload: body });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(created.mustChangePassword).toBe(true);
    expect((await findUserById(t.db, created.id))?.must_change_password).toBe(1);

    const audit = await auditSince(t, auditBefore);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'user.created',
      target_user_id: created.id,
      details: { userType: 'native', mustChangePassword: true },
    });

    // The users list carries the flag, on and off.
    const plain = (await admin.request({ method: 'POST', url: '/api/v1/users', payload: newUserBody() })).json();
    for (const [account, flag] of [
      [created, true],
      [plain, false],
    ] as const) {
      const list = await admin.request({
        method: 'GET',
        url: `/api/v1/users?search=${encodeURIComponent(account.email)}`,
      });
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json().users).toEqual([expect.objectContaining({ id: account.id, mustChangePassword: flag })]);
    }

    // Its first sign-in may do nothing but change the password.
    const session = await signIn(t, body.email as string, STRONG);
    expect((await session.request({ method: 'GET', url: '/api/v1/me' })).json().user.mustChangePassword).toBe(true);
    expect((await session.request({ method: 'GET', url: `/api/v1/users/${created.id}` })).statusCode).toBe(403);
  });

  it('refuses must-change-password at creation to whoever may create accounts but not force a password change (403, naming the field), creating nothing', async () => {
    const managerGroup = await createCustomGroup(t, ['users_groups:view', 'users_groups:create']);
    const manager = await quickSession(t, await quickUser(t, managerGroup));
    const error = await expectRefused(
      t,
      () =>
        manager.request({
          method: 'POST',
          url: '/api/v1/users',
          payload: newUserBody({ securityGroupId: managerGroup, mustChangePassword: true }),
        }),
      403,
      'forbidden',
      'mustChangePassword',
    );
    expect(error.message).toBe('Only an Administrator can set User Must Change Password at Next Login.');
    // Without the flag, the same account is created.
    const created = await manager.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: newUserBody({ securityGroupId: managerGroup }),
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().mustChangePassword).toBe(false);
  });

  it('refuses an email already in use, in any letter case, with 409 email_taken, creating nothing', async () => {
    const existing = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    for (const email of [existing.email, existing.email.toUpperCase(), ` ${existing.email} `]) {
      await expectRefused(
        t,
        () => admin.request({ method: 'POST', url: '/api/v1/users', payload: newUserBody({ email }) }),
        409,
        'email_taken',
        'email',
      );
    }
  });

  it('creates only one account when the same new email is sent four times at once (the others get 409, never 500)', async () => {
    for (let round = 0; round < 3; round++) {
      const body = newUserBody();
      const answers = await Promise.all(
        [1, 2, 3, 4].map(() => admin.request({ method: 'POST', url: '/api/v1/users', payload: body })),
      );
      expect(answers.map((a) => a.statusCode).sort(), answers.map((a) => a.body).join('\n')).toEqual([
        201, 409, 409, 409,
      ]);
      for (const answer of answers.filter((a) => a.statusCode === 409))
        expect(errorOf(answer).code).toBe('email_taken');
      const rows = await t.db
        .selectFrom('users')
        .select('id')
        .where('email_normalized', '=', String(body.email).toLowerCase())
        .execute();
      expect(rows).toHaveLength(1);
    }
  });
});

describe('GET /api/v1/users/:id', () => {
  it('answers one account with every list field and no secret', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.orchestrationUser, {
      title: 'Scheduler',
      functionalGroup: 'Automation',
    });
    const response = await admin.request({ method: 'GET', url: `/api/v1/users/${user.id}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: user.id,
      email: user.email,
      title: 'Scheduler',
      functionalGroup: 'Automation',
      securityGroup: { id: SYSTEM_GROUP_IDS.orchestrationUser, name: 'Orchestration User' },
      dateFormat: 'yyyy-mm-dd',
      timeFormat: '24-hour',
      theme: 'light',
    });
    expect(Object.keys(response.json())).not.toContain('passwordHash');
    expect(response.body).not.toContain('argon2');
  });

  it('answers 404 not_found for an unknown ID', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/users/00000000-0000-0000-0000-000000000000' });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).code).toBe('not_found');
  });
});

describe('PATCH /api/v1/users/:id (Account Settings)', () => {
  const edits: Array<[string, unknown, string]> = [
    ['firstName', 'Renamed', 'first_name'],
    ['lastName', 'Otherwise', 'last_name'],
    ['title', 'Head of Things', 'title'],
    ['telephone', '+1 (555) 010-9999 x12', 'telephone'],
    ['dateFormat', 'dd mon yyyy', 'date_format'],
    ['timeFormat', '12-hour', 'time_format'],
    ['sessionTimeoutMinutes', 45, 'session_timeout_minutes'],
    ['functionalGroup', 'Workplace', 'functional_group'],
    ['theme', 'dark', 'theme'],
  ];
  for (const [field, value, column] of edits) {
    it(`saves ${field} and records one user.updated entry with its old and new value`, async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      const before = await findUserById(t.db, user.id);
      const auditBefore = await lastAuditId(t);
      const response = await admin.request({
        method: 'PATCH',
        url: `/api/v1/users/${user.id}`,
        payload: { [field]: value },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()[field]).toEqual(value);
      const after = await findUserById(t.db, user.id);
      expect((after as unknown as Record<string, unknown>)[column]).toEqual(value);
      expect(after?.updated_at).not.toBe(before?.updated_at);
      const audit = await auditSince(t, auditBefore);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: 'user.updated',
        actor_user_id: adminId,
        target_user_id: user.id,
        details: { changes: { [column]: { from: (before as unknown as Record<string, unknown>)[column], to: value } } },
      });
    });
  }

  it('finds a renamed account by its new name and no longer by its old one', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { firstName: 'Quentin', lastName: 'Quayle' });
    await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      payload: { firstName: 'Xavier', lastName: 'Xylo' },
    });
    const byNew = (await admin.request({ method: 'GET', url: '/api/v1/users?search=xavier xy' })).json();
    expect(byNew.users.map((u: { id: string }) => u.id)).toEqual([user.id]);
    expect((await admin.request({ method: 'GET', url: '/api/v1/users?search=quentin' })).json().total).toEqual({
      count: 0,
      exact: true,
    });
  });

  it('writes no audit entry when nothing changes', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { title: 'Same' });
    const auditBefore = await lastAuditId(t);
    for (const payload of [{}, { title: 'Same' }]) {
      const response = await admin.request({ method: 'PATCH', url: `/api/v1/users/${user.id}`, payload });
      expect(response.statusCode).toBe(200);
    }
    expect(await auditSince(t, auditBefore)).toEqual([]);
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['a session timeout of 4 minutes', { sessionTimeoutMinutes: 4 }, 'sessionTimeoutMinutes'],
    ['a session timeout of 721 minutes', { sessionTimeoutMinutes: 721 }, 'sessionTimeoutMinutes'],
    ['a session timeout of null', { sessionTimeoutMinutes: null }, 'sessionTimeoutMinutes'],
    ['an empty first name', { firstName: '' }, 'firstName'],
    ['an unknown date format', { dateFormat: 'yyyy/mm/dd' }, 'dateFormat'],
    ['an unknown time format', { timeFormat: 'metric' }, 'timeFormat'],
    ['an unknown theme', { theme: 'neon' }, 'theme'],
    ['a telephone with letters', { telephone: 'ring ring' }, 'telephone'],
    ['the email (read-only: it is the login ID)', { email: 'new-login@example.test' }, 'email'],
    [
      'the security group (set on the Password & Security tab)',
      { securityGroupId: SYSTEM_GROUP_IDS.administrator },
      'securityGroupId',
    ],
    ['the account status', { accountStatus: 'disabled' }, 'accountStatus'],
    ['the user type', { userType: 'sso' }, 'userType'],
    ['a password', { password: STRONG }, 'password'],
    ['an unknown field next to a valid one', { title: 'Fine', favouriteColour: 'blue' }, 'favouriteColour'],
  ];
  for (const [what, payload, field] of invalid) {
    it(`refuses ${what} with 400 naming ${field}, changing nothing`, async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await expectRefused(
        t,
        () => admin.request({ method: 'PATCH', url: `/api/v1/users/${user.id}`, payload }),
        400,
        'validation_failed',
        field,
      );
    });
  }

  for (const field of ['firstName', 'lastName', 'title', 'telephone'] as const) {
    it(`refuses a change of an SSO account's ${field} (its identity provider owns it) with 400, changing nothing`, async () => {
      const sso = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await t.db
        .updateTable('users')
        .set({ user_type: 'sso', sso_provider: 'Okta', password_hash: null })
        .where('id', '=', sso.id)
        .execute();
      const value = field === 'telephone' ? '+1 555 0199' : 'Local Edit';
      await expectRefused(
        t,
        () => admin.request({ method: 'PATCH', url: `/api/v1/users/${sso.id}`, payload: { [field]: value } }),
        400,
        'validation_failed',
        field,
      );
    });
  }

  it("saves an SSO account's own preferences (theme, formats, timeout, functional group)", async () => {
    const sso = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { firstName: 'Sam', lastName: 'Sso' });
    await t.db
      .updateTable('users')
      .set({ user_type: 'sso', sso_provider: 'Okta', password_hash: null })
      .where('id', '=', sso.id)
      .execute();
    const payload = {
      theme: 'dark',
      dateFormat: 'mm/dd/yyyy',
      timeFormat: '12-hour',
      sessionTimeoutMinutes: 15,
      functionalGroup: 'Ops',
      firstName: 'Sam',
    };
    const response = await admin.request({ method: 'PATCH', url: `/api/v1/users/${sso.id}`, payload });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject(payload);
  });

  it('answers 404 for an unknown account, changing nothing', async () => {
    await expectRefused(
      t,
      () => admin.request({ method: 'PATCH', url: '/api/v1/users/no-such-account', payload: { title: 'x' } }),
      404,
      'not_found',
    );
  });

  it("lets a Read Only User change their own settings through /users/:id, but not another account's", async () => {
    const reader = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const caller = await quickSession(t, reader);
    const own = await caller.request({
      method: 'PATCH',
      url: `/api/v1/users/${reader.id}`,
      payload: { theme: 'dark' },
    });
    expect(own.statusCode).toBe(200);
    const other = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await expectRefused(
      t,
      () => caller.request({ method: 'PATCH', url: `/api/v1/users/${other.id}`, payload: { theme: 'dark' } }),
      403,
      'forbidden',
    );
  });
});

describe('PATCH /api/v1/me', () => {
  it('saves your own settings and records you as both actor and target', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.orchestrationUser);
    const caller = await quickSession(t, user);
    const auditBefore = await lastAuditId(t);
    const response = await caller.request({
      method: 'PATCH',
      url: '/api/v1/me',
      payload: { title: 'Runbook owner', theme: 'system' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: user.id, title: 'Runbook owner', theme: 'system' });
    const audit = await auditSince(t, auditBefore);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'user.updated', actor_user_id: user.id, target_user_id: user.id });
  });

  for (const [what, payload, field] of [
    ['your security group', { securityGroupId: SYSTEM_GROUP_IDS.administrator }, 'securityGroupId'],
    ['your email', { email: 'someone-else@example.test' }, 'email'],
    ['your account status', { accountStatus: 'enabled' }, 'accountStatus'],
    ['must-change-password', { mustChangePassword: false }, 'mustChangePassword'],
    [
      'your security group next to an allowed field',
      { title: 'Boss', securityGroupId: SYSTEM_GROUP_IDS.administrator },
      'securityGroupId',
    ],
  ] as const) {
    it(`refuses ${what} with 400, changing nothing`, async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
      const session = await quickSession(t, user);
      await expectRefused(
        t,
        () => session.request({ method: 'PATCH', url: '/api/v1/me', payload }),
        400,
        'validation_failed',
        field,
      );
    });
  }
});

describe('DELETE /api/v1/users/:id', () => {
  it('deletes the account (204), ends its sessions and API token at once, and records one user.deleted entry', async () => {
    const victim = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const victimSession = await signIn(t, victim.email, TEST_PASSWORD);
    const victimToken = tokenCaller(t, await giveApiToken(t, victim.id));
    expect((await victimSession.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
    const auditBefore = await lastAuditId(t);

    const response = await admin.request({ method: 'DELETE', url: `/api/v1/users/${victim.id}` });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(await findUserById(t.db, victim.id)).toBeUndefined();
    expect(await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', victim.id).execute()).toEqual([]);
    expect(await t.db.selectFrom('api_tokens').select('user_id').where('user_id', '=', victim.id).execute()).toEqual(
      [],
    );
    expect((await victimSession.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    expect((await victimToken.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);

    const audit = await auditSince(t, auditBefore);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'user.deleted',
      actor_user_id: adminId,
      target_user_id: victim.id,
      target_email: victim.email,
      details: { securityGroup: SYSTEM_GROUP_IDS.regularUser, userType: 'native' },
    });
  });

  it('answers 404 for an account that does not exist (or no longer does)', async () => {
    const victim = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    expect((await admin.request({ method: 'DELETE', url: `/api/v1/users/${victim.id}` })).statusCode).toBe(204);
    await expectRefused(
      t,
      () => admin.request({ method: 'DELETE', url: `/api/v1/users/${victim.id}` }),
      404,
      'not_found',
    );
  });

  it('refuses to delete yourself with 409 cannot_delete_self, changing nothing', async () => {
    await expectRefused(
      t,
      () => admin.request({ method: 'DELETE', url: `/api/v1/users/${adminId}` }),
      409,
      'cannot_delete_self',
    );
  });

  it('lets an Administrator delete another enabled Administrator', async () => {
    const second = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    expect((await admin.request({ method: 'DELETE', url: `/api/v1/users/${second.id}` })).statusCode).toBe(204);
  });

  it('refuses to delete the last enabled Administrator with 409 last_administrator, changing nothing', async () => {
    // Through the API the deleting Administrator is itself enabled, so there are always two; the
    // rule bites when the actor lost its rights while its request was in flight: its own account
    // was disabled after the gate let the request through.
    const own = await createTestApp();
    try {
      const first = await quickUser(own, SYSTEM_GROUP_IDS.administrator);
      const last = await quickUser(own, SYSTEM_GROUP_IDS.administrator);
      const actor = await actorFor(own.db, first, 'session', null);
      await own.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', first.id).execute();
      const before = await stateSnapshot(own);
      const refusal = await deleteUser(own.db, { actor, ip: '127.0.0.1' }, last.id).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(AppError);
      expect((refusal as AppError).code).toBe('last_administrator');
      expect((refusal as AppError).status).toBe(409);
      expect(await stateSnapshot(own)).toEqual(before);
    } finally {
      await own.close();
    }
  });

  it('keeps one Administrator when the last two delete each other at the same moment (one 204, the other refused)', async () => {
    const own = await createTestApp();
    try {
      for (let round = 0; round < 3; round++) {
        await own.db.deleteFrom('users').execute();
        const a = await quickUser(own, SYSTEM_GROUP_IDS.administrator);
        const b = await quickUser(own, SYSTEM_GROUP_IDS.administrator);
        const [byA, byB] = await Promise.all([
          (await quickSession(own, a)).request({ method: 'DELETE', url: `/api/v1/users/${b.id}` }),
          (await quickSession(own, b)).request({ method: 'DELETE', url: `/api/v1/users/${a.id}` }),
        ]);
        const statuses = [byA.statusCode, byB.statusCode].sort();
        expect(statuses[0]).toBe(204);
        // The loser is refused by the rule (409 last_administrator) or, if the winner committed
        // first, by the gate (its own session is gone: 401).
        expect([401, 409]).toContain(statuses[1]);
        const left = await own.db.selectFrom('users').select('security_group_id').execute();
        expect(left).toEqual([{ security_group_id: SYSTEM_GROUP_IDS.administrator }]);
      }
    } finally {
      await own.close();
    }
  });
});

describe('a custom group holding every Users & Groups right (but below Administrator)', () => {
  let manager: Caller;
  let managerGroup: string;
  let administrator: { id: string; email: string };

  beforeAll(async () => {
    managerGroup = await createCustomGroup(t, [
      'users_groups:view',
      'users_groups:create',
      'users_groups:update',
      'users_groups:delete',
      'users_groups:export',
    ]);
    manager = await quickSession(t, await quickUser(t, managerGroup));
    administrator = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
  });

  it('may view an Administrator account', async () => {
    expect((await manager.request({ method: 'GET', url: `/api/v1/users/${administrator.id}` })).statusCode).toBe(200);
  });

  it('cannot change an Administrator account: 403 administrator_protected, changing nothing', async () => {
    await expectRefused(
      t,
      () =>
        manager.request({ method: 'PATCH', url: `/api/v1/users/${administrator.id}`, payload: { title: 'Demoted' } }),
      403,
      'administrator_protected',
    );
  });

  it('cannot delete an Administrator account: 403 administrator_protected, changing nothing', async () => {
    await expectRefused(
      t,
      () => manager.request({ method: 'DELETE', url: `/api/v1/users/${administrator.id}` }),
      403,
      'administrator_protected',
    );
  });

  for (const [group, label] of [
    [SYSTEM_GROUP_IDS.administrator, 'the Administrator group'],
    [SYSTEM_GROUP_IDS.regularUser, 'the Regular User group (data-record rights the manager lacks)'],
    [SYSTEM_GROUP_IDS.readOnlyUser, 'even the Read Only User group (records:view, reports:view)'],
  ] as const) {
    it(`cannot create an account in ${label}: 403 group_exceeds_own_rights, creating nothing`, async () => {
      await expectRefused(
        t,
        () =>
          manager.request({ method: 'POST', url: '/api/v1/users', payload: newUserBody({ securityGroupId: group }) }),
        403,
        'group_exceeds_own_rights',
        'securityGroupId',
      );
    });
  }

  it('may create an account in its own group or in a group with fewer rights', async () => {
    const lesser = await createCustomGroup(t, ['users_groups:view']);
    for (const securityGroupId of [managerGroup, lesser]) {
      const response = await manager.request({
        method: 'POST',
        url: '/api/v1/users',
        payload: newUserBody({ securityGroupId }),
      });
      expect(response.statusCode, response.body).toBe(201);
    }
  });

  it('may update any account that is not an Administrator, but delete only one whose rights it holds', async () => {
    const worker = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    expect(
      (await manager.request({ method: 'PATCH', url: `/api/v1/users/${worker.id}`, payload: { title: 'Moved' } }))
        .statusCode,
    ).toBe(200);
    // A Regular User holds data-record rights the manager lacks: deleting it is refused like disabling it.
    const refused = await manager.request({ method: 'DELETE', url: `/api/v1/users/${worker.id}` });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('account_exceeds_own_rights');
    const peer = await quickUser(t, managerGroup);
    expect((await manager.request({ method: 'DELETE', url: `/api/v1/users/${peer.id}` })).statusCode).toBe(204);
  });
});

describe('the audit log', () => {
  it('never holds a password or a password hash in any entry written by this file', async () => {
    const rows = await t.db.selectFrom('audit_events').selectAll().execute();
    expect(rows.length).toBeGreaterThan(10);
    const dump = JSON.stringify(rows);
    for (const secret of [STRONG, TEST_PASSWORD, 'tea 🍵 time 🕒', '$argon2']) expect(dump).not.toContain(secret);
  });
});
