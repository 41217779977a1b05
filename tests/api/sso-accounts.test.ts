/**
 * What an identity provider's word does to accounts (sso/sign-in.ts), whatever the
 * protocol: the OIDC and SAML suites prove the protocols; this one proves the account rules on a
 * verified profile. And: nothing lets an SSO account gain or use a local password, through any
 * route, and an SSO account's status is still the Administrators' to change.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { createSession } from '../../src/server/auth/sessions.js';
import { signInWithSso, SsoSignInError, type SsoProfile } from '../../src/server/sso/sign-in.js';
import type { IdentityProviderRow } from '../../src/server/sso/provider-settings.js';
import { findUserById } from '../../src/server/services/users.js';
import { insertOidcProvider } from '../helpers/identity-provider-fixtures.js';
import { giveTotpFactor } from '../helpers/mfa-fixtures.js';
import {
  auditSince,
  createCustomGroup,
  errorOf,
  giveApiToken,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
} from '../helpers/fixtures.js';
import { createTestApp, makeUser, TEST_PASSWORD, UI_HEADERS, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let provider: IdentityProviderRow;
let admin: Caller;
/** Custom groups for the mapping: "narrow" holds fewer permissions than "wide". */
let narrowGroup: string;
let wideGroup: string;
const client = { ip: '127.0.0.1', userAgent: 'vitest' };

const OIDC_SETTINGS = {
  issuer: 'http://127.0.0.1:9/not-contacted-here',
  clientId: 'latchkey',
  scopes: 'openid email profile',
  groupsClaim: 'groups',
};

function profile(overrides: Partial<SsoProfile> = {}): SsoProfile {
  const id = randomUUID().slice(0, 8);
  return {
    subject: `subject-${id}`,
    email: `sso-${id}@corp.example`,
    emailVerified: true,
    firstName: 'Ada',
    lastName: 'Lovelace',
    title: 'Analyst',
    telephone: '+44 20 7946 0000',
    groups: [],
    ...overrides,
  };
}

async function loginHistoryOf(email: string) {
  return t.db.selectFrom('login_history').selectAll().where('email', '=', email).orderBy('id').execute();
}

beforeAll(async () => {
  t = await createTestApp();
  narrowGroup = await createCustomGroup(t, ['records:view']);
  wideGroup = await createCustomGroup(t, ['records:view', 'records:create', 'records:update', 'tasks:view']);
  provider = await insertOidcProvider(t, OIDC_SETTINGS, {
    name: 'Corp Okta',
    defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
    groupMappings: { analysts: narrowGroup, engineers: wideGroup, admins: SYSTEM_GROUP_IDS.administrator },
  });
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
});
afterAll(async () => t?.close());

describe('the first sign-in creates the account', () => {
  it('as an SSO account without a password, managed by the provider, in the default group when no mapping matches', async () => {
    const person = profile({ groups: ['nobody-maps-this'] });
    const before = await lastAuditId(t);
    const { user, session } = await signInWithSso(t.db, provider, person, client);
    expect(user).toMatchObject({
      email: person.email,
      user_type: 'sso',
      sso_provider: 'Corp Okta',
      password_hash: null,
      first_name: 'Ada',
      last_name: 'Lovelace',
      title: 'Analyst',
      telephone: '+44 20 7946 0000',
      security_group_id: SYSTEM_GROUP_IDS.readOnlyUser,
      status: 'enabled',
    });
    const stored = await t.db
      .selectFrom('sessions')
      .selectAll()
      .where('id_hash', '=', session.idHash)
      .executeTakeFirst();
    expect(stored?.identity_provider_id).toBe(provider.id);
    const identity = await t.db.selectFrom('sso_identities').selectAll().where('user_id', '=', user.id).execute();
    expect(identity).toHaveLength(1);
    expect(identity[0]).toMatchObject({ provider_id: provider.id, subject: person.subject });
    const actions = (await auditSince(t, before)).map((entry) => entry.action);
    expect(actions).toEqual(['sso.account_created', 'sso.signed_in']);
    expect((await loginHistoryOf(person.email)).map((row) => [row.success, row.method])).toEqual([[1, 'oidc']]);
  });

  it('in the mapped group; when several mappings match, the one with the fewest permissions wins', async () => {
    const { user } = await signInWithSso(
      t.db,
      provider,
      profile({ groups: ['engineers', 'analysts', 'admins'] }),
      client,
    );
    expect(user.security_group_id).toBe(narrowGroup);
    const { user: engineer } = await signInWithSso(t.db, provider, profile({ groups: ['engineers'] }), client);
    expect(engineer.security_group_id).toBe(wideGroup);
  });

  it('gives a session that works at once, with no password change or MFA step pending', async () => {
    const { user, session } = await signInWithSso(t.db, provider, profile(), client);
    const cookie = `latchkey_session=${session.id}`;
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { id: user.id, userType: 'sso', ssoProvider: 'Corp Okta' },
      identityProvider: { id: provider.id, name: 'Corp Okta', signOutUrl: `/api/v1/sso/oidc/${provider.id}/logout` },
    });
    const records = await t.app.inject({ method: 'GET', url: '/api/v1/records', headers: { cookie } });
    expect(records.statusCode).toBe(200);
  });

  it('two first sign-ins of one person at once make one account', async () => {
    const person = profile();
    const results = await Promise.all([
      signInWithSso(t.db, provider, person, client),
      signInWithSso(t.db, provider, person, client),
    ]);
    expect(results[0].user.id).toBe(results[1].user.id);
    const accounts = await t.db.selectFrom('users').select('id').where('email_normalized', '=', person.email).execute();
    expect(accounts).toHaveLength(1);
  });
});

describe('later sign-ins follow the provider', () => {
  it('update name, title and telephone, and move the account when its groups change, auditing both', async () => {
    const person = profile({ groups: ['engineers'] });
    const { user } = await signInWithSso(t.db, provider, person, client);
    const before = await lastAuditId(t);
    const { user: again } = await signInWithSso(
      t.db,
      provider,
      { ...person, firstName: 'Augusta', title: 'Lead Analyst', telephone: '+44 20 7946 0999', groups: ['analysts'] },
      client,
    );
    expect(again.id).toBe(user.id);
    expect(again).toMatchObject({
      first_name: 'Augusta',
      first_name_normalized: 'augusta',
      title: 'Lead Analyst',
      telephone: '+44 20 7946 0999',
      security_group_id: narrowGroup,
    });
    const entries = await auditSince(t, before);
    expect(entries.map((entry) => entry.action)).toEqual(['sso.profile_updated', 'sso.group_changed', 'sso.signed_in']);
    expect(entries[0]!.details).toMatchObject({ first_name: { from: 'Ada', to: 'Augusta' } });
    expect(entries[1]!.details).toMatchObject({ securityGroup: { from: wideGroup, to: narrowGroup } });
  });

  it('an unchanged profile writes no profile or group audit entry', async () => {
    const person = profile();
    await signInWithSso(t.db, provider, person, client);
    const before = await lastAuditId(t);
    await signInWithSso(t.db, provider, person, client);
    expect((await auditSince(t, before)).map((entry) => entry.action)).toEqual(['sso.signed_in']);
  });

  it('a group mapping changed by an Administrator applies at the next sign-in (no mapping match: the default group)', async () => {
    const person = profile({ groups: ['analysts'] });
    await signInWithSso(t.db, provider, person, client);
    const { user } = await signInWithSso(t.db, provider, { ...person, groups: [] }, client);
    expect(user.security_group_id).toBe(SYSTEM_GROUP_IDS.readOnlyUser);
  });
});

describe('the last enabled Administrator', () => {
  it('is not demoted by a group mapping change at the provider; the refusal is audited', async () => {
    const only = await createTestApp();
    try {
      const idp = await insertOidcProvider(only, OIDC_SETTINGS, {
        groupMappings: { admins: SYSTEM_GROUP_IDS.administrator },
      });
      const person = profile({ groups: ['admins'] });
      const { user } = await signInWithSso(only.db, idp, person, client);
      expect(user.security_group_id).toBe(SYSTEM_GROUP_IDS.administrator);
      const { user: again } = await signInWithSso(only.db, idp, { ...person, groups: [] }, client);
      expect(again.security_group_id).toBe(SYSTEM_GROUP_IDS.administrator);
      const refused = await only.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'sso.group_change_refused')
        .execute();
      expect(refused).toHaveLength(1);
      // With a second enabled Administrator, the mapping applies.
      await makeUser(only, SYSTEM_GROUP_IDS.administrator);
      const { user: demoted } = await signInWithSso(only.db, idp, { ...person, groups: [] }, client);
      expect(demoted.security_group_id).toBe(SYSTEM_GROUP_IDS.readOnlyUser);
    } finally {
      await only.close();
    }
  });
});

describe('an email is never enough to take over an account', () => {
  it('refuses an unverified email that matches a native account, which keeps its password and sessions', async () => {
    const linking = await insertOidcProvider(t, OIDC_SETTINGS, { allowEmailLinking: true });
    const native = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    await createSession(t.db, native.id, client);
    const before = await stateSnapshot(t);
    const error = await signInWithSso(
      t.db,
      linking,
      profile({ email: native.email, emailVerified: false }),
      client,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsoSignInError);
    expect((error as SsoSignInError).code).toBe('account_exists');
    const after = await stateSnapshot(t);
    // Only the failure's own records were added.
    for (const table of Object.keys(before).filter((name) => !['login_history', 'audit_events'].includes(name)))
      expect(after[table], table).toEqual(before[table]);
    const history = await loginHistoryOf(native.email);
    expect(history.at(-1)).toMatchObject({ success: 0, user_id: native.id });
    expect(history.at(-1)!.reason).toMatch(/^sso_email_in_use: the provider did not say the email is verified/);
    // The password still works.
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: UI_HEADERS,
      payload: { email: native.email, password: TEST_PASSWORD },
    });
    expect(signIn.statusCode).toBe(200);
  });

  it('refuses a verified email of a native account when the provider does not allow linking', async () => {
    const native = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const error = await signInWithSso(t.db, provider, profile({ email: native.email }), client).catch(
      (e: unknown) => e,
    );
    expect((error as SsoSignInError).reason).toMatch(/linking to existing accounts is not allowed/);
    expect((await findUserById(t.db, native.id))!.user_type).toBe('native');
  });

  it('links a verified email when the provider allows it: the account becomes SSO and loses password, MFA and sessions', async () => {
    const linking = await insertOidcProvider(t, OIDC_SETTINGS, { name: 'Linking IdP', allowEmailLinking: true });
    const native = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    await giveTotpFactor(t, native.id);
    await t.db
      .updateTable('users')
      .set({ must_change_password: 1, mfa_enrolled: 1 })
      .where('id', '=', native.id)
      .execute();
    const oldSession = await createSession(t.db, native.id, client);
    const before = await lastAuditId(t);
    const { user, session } = await signInWithSso(
      t.db,
      linking,
      profile({ email: native.email.toUpperCase() }),
      client,
    );
    expect(user.id).toBe(native.id);
    expect(user).toMatchObject({
      user_type: 'sso',
      sso_provider: 'Linking IdP',
      password_hash: null,
      must_change_password: 0,
      mfa_enrolled: 0,
    });
    expect(await t.db.selectFrom('mfa_factors').select('id').where('user_id', '=', native.id).execute()).toEqual([]);
    const sessions = await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', native.id).execute();
    expect(sessions.map((row) => row.id_hash)).toEqual([session.idHash]);
    expect(sessions.map((row) => row.id_hash)).not.toContain(oldSession.idHash);
    const linked = (await auditSince(t, before)).find((entry) => entry.action === 'sso.account_linked');
    expect(linked?.details).toMatchObject({ provider: 'Linking IdP', wasNative: true });
  });

  it('links an SSO account an Administrator created for this provider, when the email is verified', async () => {
    const precreated = await makeUser(t, SYSTEM_GROUP_IDS.regularUser, { userType: 'sso', ssoProvider: 'corp okta' });
    const { user } = await signInWithSso(t.db, provider, profile({ email: precreated.email }), client);
    expect(user.id).toBe(precreated.id);
  });

  it('refuses an SSO account of another provider, and a second identity of the same provider for one account', async () => {
    const elsewhere = await makeUser(t, SYSTEM_GROUP_IDS.regularUser, { userType: 'sso', ssoProvider: 'Entra ID' });
    const error = await signInWithSso(t.db, provider, profile({ email: elsewhere.email }), client).catch(
      (e: unknown) => e,
    );
    expect((error as SsoSignInError).reason).toMatch(/belongs to another identity provider/);

    const person = profile();
    await signInWithSso(t.db, provider, person, client);
    const impostor = await signInWithSso(t.db, provider, profile({ email: person.email }), client).catch(
      (e: unknown) => e,
    );
    expect((impostor as SsoSignInError).reason).toMatch(/linked to another identity of this provider/);
  });
});

describe('refusals', () => {
  it('a disabled account cannot sign in through its provider', async () => {
    const person = profile();
    const { user } = await signInWithSso(t.db, provider, person, client);
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    const error = await signInWithSso(t.db, provider, person, client).catch((e: unknown) => e);
    expect((error as SsoSignInError).code).toBe('account_disabled');
    expect((await loginHistoryOf(person.email)).at(-1)).toMatchObject({ success: 0, reason: 'sso_account_disabled' });
    expect(await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute()).toHaveLength(
      1,
    );
  });

  it('a disabled provider signs nobody in, and the refusal is audited with its reason', async () => {
    const off = await insertOidcProvider(t, OIDC_SETTINGS, { enabled: false });
    const person = profile();
    const before = await lastAuditId(t);
    const error = await signInWithSso(t.db, off, person, client).catch((e: unknown) => e);
    expect((error as SsoSignInError).code).toBe('provider_disabled');
    expect(await findUserByEmailNormalized(person.email)).toBeUndefined();
    const [entry] = await auditSince(t, before);
    expect(entry).toMatchObject({ action: 'sso.sign_in_failed', details: { reason: 'sso_provider_disabled' } });
  });

  it('disabling a provider signs out everyone it signed in, at once, and says so in the audit; other sessions stay', async () => {
    const doomed = await insertOidcProvider(t, OIDC_SETTINGS, { name: `Doomed ${randomUUID().slice(0, 6)}` });
    const { session } = await signInWithSso(t.db, doomed, profile(), client);
    const { session: elsewhere } = await signInWithSso(t.db, provider, profile(), client);
    const cookie = (id: string) => ({ cookie: `latchkey_session=${id}` });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: cookie(session.id) })).statusCode).toBe(
      200,
    );
    const before = await lastAuditId(t);
    const response = await admin.request({
      method: 'PATCH',
      url: `/api/v1/identity-providers/${doomed.id}`,
      payload: { enabled: false },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: cookie(session.id) })).statusCode).toBe(
      401,
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: cookie(elsewhere.id) })).statusCode).toBe(
      200,
    );
    const [entry] = await auditSince(t, before);
    expect(entry).toMatchObject({ action: 'identity_provider.updated', details: { sessionsEnded: 1 } });
  });

  it('a profile without a subject or an email is refused', async () => {
    await expect(signInWithSso(t.db, provider, profile({ subject: '' }), client)).rejects.toThrow(/no subject/);
    await expect(signInWithSso(t.db, provider, profile({ email: 'not-an-email' }), client)).rejects.toThrow(/no email/);
  });
});

async function findUserByEmailNormalized(email: string) {
  return t.db.selectFrom('users').select('id').where('email_normalized', '=', email.toLowerCase()).executeTakeFirst();
}

describe('nothing lets an SSO account gain or use a local password', () => {
  let ssoUser: Awaited<ReturnType<typeof signInWithSso>>['user'];
  let ssoCaller: Caller;

  beforeAll(async () => {
    const signedIn = await signInWithSso(t.db, provider, profile({ groups: ['admins'] }), client);
    ssoUser = signedIn.user;
    ssoCaller = {
      cookie: `latchkey_session=${signedIn.session.id}`,
      request: (options) =>
        t.app.inject({
          ...options,
          headers: { ...UI_HEADERS, cookie: `latchkey_session=${signedIn.session.id}`, ...(options.headers ?? {}) },
        }),
    };
  });

  const NEW_PASSWORD = 'another long passphrase 77';

  it('password sign-in is refused with the same generic message as a wrong password', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: UI_HEADERS,
      payload: { email: ssoUser.email, password: TEST_PASSWORD },
    });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).code).toBe('invalid_credentials');
    expect((await loginHistoryOf(ssoUser.email)).at(-1)).toMatchObject({ success: 0, reason: 'sso_account' });
  });

  const refusedChanges: Array<[string, () => Promise<import('fastify').LightMyRequestResponse>]> = [
    [
      'an Administrator resetting its password',
      () =>
        admin.request({
          method: 'PATCH',
          url: `/api/v1/users/${ssoUser.id}/security`,
          payload: { resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD } },
        }),
    ],
    [
      'an Administrator forcing a password change',
      () =>
        admin.request({
          method: 'PATCH',
          url: `/api/v1/users/${ssoUser.id}/security`,
          payload: { mustChangePassword: true },
        }),
    ],
    [
      'an Administrator requiring MFA (the provider handles it)',
      () =>
        admin.request({ method: 'PATCH', url: `/api/v1/users/${ssoUser.id}/security`, payload: { mfaEnrolled: true } }),
    ],
    [
      'an Administrator generating an API token through the hidden tab',
      () => admin.request({ method: 'POST', url: `/api/v1/users/${ssoUser.id}/api-token` }),
    ],
    [
      'the account setting a password for itself (it has no current one)',
      () =>
        ssoCaller.request({
          method: 'POST',
          url: '/api/v1/me/password',
          payload: {
            currentPassword: 'anything at all 1',
            newPassword: NEW_PASSWORD,
            confirmNewPassword: NEW_PASSWORD,
          },
        }),
    ],
    [
      'the account resetting its own password on the security route',
      () =>
        ssoCaller.request({
          method: 'PATCH',
          url: `/api/v1/users/${ssoUser.id}/security`,
          payload: {
            resetPassword: { currentPassword: 'x', newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD },
          },
        }),
    ],
    [
      'the account adding an authenticator app',
      () => ssoCaller.request({ method: 'POST', url: '/api/v1/me/mfa/totp', payload: {} }),
    ],
    [
      'the account adding a passkey',
      () => ssoCaller.request({ method: 'POST', url: '/api/v1/me/mfa/passkeys/options', payload: {} }),
    ],
  ];
  for (const [what, send] of refusedChanges) {
    it(`refuses ${what} with 409 sso_account and changes nothing`, async () => {
      const before = await stateSnapshot(t);
      const response = await send();
      expect(response.statusCode, response.body).toBe(409);
      expect(errorOf(response).code).toBe('sso_account');
      expect(errorOf(response).message.length).toBeGreaterThan(20);
      const after = await stateSnapshot(t);
      for (const table of Object.keys(before).filter((name) => name !== 'login_throttle'))
        expect(after[table], table).toEqual(before[table]);
      expect((await findUserById(t.db, ssoUser.id))!.password_hash).toBeNull();
    });
  }

  it('the Password & Security tab is refused for it (GET answers 409 sso_account)', async () => {
    const response = await admin.request({ method: 'GET', url: `/api/v1/users/${ssoUser.id}/security` });
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).code).toBe('sso_account');
  });

  it('creating an SSO account with a password is refused (400), and the account is not created', async () => {
    const email = `sso-with-password-${randomUUID().slice(0, 6)}@corp.example`;
    const response = await admin.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        email,
        firstName: 'Has',
        lastName: 'Password',
        userType: 'sso',
        ssoProvider: 'Corp Okta',
        password: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
        securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
        sessionTimeoutMinutes: 60,
      },
    });
    expect(response.statusCode).toBe(400);
    expect(await findUserByEmailNormalized(email)).toBeUndefined();
  });
});

describe('PUT /api/v1/users/:id/account-status (SSO accounts have no Password & Security tab)', () => {
  it('an Administrator disables an SSO account: its sessions end and its API token stops at once; enabling lets it back', async () => {
    const person = profile();
    const { user, session } = await signInWithSso(t.db, provider, person, client);
    const token = await giveApiToken(t, user.id);
    const before = await lastAuditId(t);
    const response = await admin.request({
      method: 'PUT',
      url: `/api/v1/users/${user.id}/account-status`,
      payload: { accountStatus: 'disabled' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ id: user.id, accountStatus: 'disabled' });
    const cookieMe = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: `latchkey_session=${session.id}` },
    });
    expect(cookieMe.statusCode).toBe(401);
    const tokenMe = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(tokenMe.statusCode).toBe(401);
    const [entry] = await auditSince(t, before);
    expect(entry).toMatchObject({ action: 'user.security_updated', target_user_id: user.id });
    await expect(signInWithSso(t.db, provider, person, client)).rejects.toThrow(SsoSignInError);

    const enabled = await admin.request({
      method: 'PUT',
      url: `/api/v1/users/${user.id}/account-status`,
      payload: { accountStatus: 'enabled' },
    });
    expect(enabled.json()).toMatchObject({ accountStatus: 'enabled' });
    await expect(signInWithSso(t.db, provider, person, client)).resolves.toMatchObject({ user: { id: user.id } });
  });

  it('refuses your own account, a wrong value and an unknown account, changing nothing', async () => {
    const adminUser = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    const caller = await quickSession(t, adminUser);
    const before = await stateSnapshot(t);
    const self = await caller.request({
      method: 'PUT',
      url: `/api/v1/users/${adminUser.id}/account-status`,
      payload: { accountStatus: 'disabled' },
    });
    expect(errorOf(self).code).toBe('cannot_disable_self');
    const bad = await caller.request({
      method: 'PUT',
      url: `/api/v1/users/${adminUser.id}/account-status`,
      payload: { accountStatus: 'locked' },
    });
    expect(bad.statusCode).toBe(400);
    const unknown = await caller.request({
      method: 'PUT',
      url: `/api/v1/users/${randomUUID()}/account-status`,
      payload: { accountStatus: 'disabled' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(await stateSnapshot(t)).toEqual(before);
  });

  it('a Users & Groups manager below Administrator cannot disable an Administrator, SSO or not', async () => {
    const managerGroup = await createCustomGroup(t, ['users_groups:view', 'users_groups:update']);
    const manager = await quickSession(t, await quickUser(t, managerGroup));
    const { user: ssoAdmin } = await signInWithSso(t.db, provider, profile({ groups: ['admins'] }), client);
    expect(ssoAdmin.security_group_id).toBe(SYSTEM_GROUP_IDS.administrator);
    const response = await manager.request({
      method: 'PUT',
      url: `/api/v1/users/${ssoAdmin.id}/account-status`,
      payload: { accountStatus: 'disabled' },
    });
    expect(response.statusCode).toBe(403);
    expect((await findUserById(t.db, ssoAdmin.id))!.status).toBe('enabled');
  });
});
