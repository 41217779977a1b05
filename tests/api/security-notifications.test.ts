/**
 * Security notifications to the account's owner, delivered to a real SMTP server on loopback:
 * each goes to the right address, tells what happened, when and from where, and never carries
 * the secret involved (password, API token, authenticator secret) nor any link. A change that
 * rolls back sends nothing; an SSO account gets no password notice; without SMTP nothing is queued.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/server/services/audit.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { giveApiToken, quickSession, quickUser } from '../helpers/fixtures.js';
import { insertOidcProvider } from '../helpers/identity-provider-fixtures.js';
import { codeNow, freshIp, passwordStep } from '../helpers/mfa-fixtures.js';
import { startTestSmtpServer, type DeliveredEmail, type TestSmtpServer } from '../helpers/smtp-server.js';
import { createTestApp, TEST_PASSWORD, UI_HEADERS, type Caller, type TestApp } from '../helpers/test-app.js';

let smtp: TestSmtpServer;
let t: TestApp;
let admin: Caller;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp(smtp.env());
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});
beforeEach(() => {
  smtp.behave('accept');
});

const NEW_PASSWORD = 'a brand new passphrase 9 of mine';

/** Everything delivered to `email` once the queue is empty. */
async function mailTo(email: string): Promise<DeliveredEmail[]> {
  await t.app.mail.deliverDue();
  const queued = () =>
    t.db.selectFrom('email_outbox').select('id').where('recipient', '=', email).where('status', '!=', 'sent').execute();
  await expect.poll(async () => (await queued()).length).toBe(0);
  return smtp.delivered.filter((mail) => mail.to.includes(email));
}

async function kindsFor(userId: string): Promise<string[]> {
  const rows = await t.db.selectFrom('email_outbox').select('kind').where('user_id', '=', userId).execute();
  return rows.map((row) => row.kind);
}

function expectPlainNotice(mail: DeliveredEmail | undefined, secrets: string[]) {
  expect(mail).toBeDefined();
  expect(mail!.text).toMatch(/When: \d{1,2} \w+ \d{4} at \d{2}:\d{2} UTC/);
  expect(mail!.text).toContain('contact your administrator');
  expect(mail!.raw).not.toMatch(/https?:\/\//);
  for (const secret of secrets) expect(mail!.raw).not.toContain(secret);
}

describe('security notifications', () => {
  it('tells the owner their password was changed, without the password', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const own = await quickSession(t, user);
    const response = await own.request({
      method: 'POST',
      url: '/api/v1/me/password',
      remoteAddress: '203.0.113.7',
      payload: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD },
    });
    expect(response.statusCode, response.body).toBe(204);
    const [mail, ...more] = await mailTo(user.email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe('Your Latchkey password was changed');
    expect(mail!.text).toContain('From the address: 203.0.113.7');
    expect(mail!.text).not.toContain('by an administrator');
    // Your own change keeps the session you made it in.
    expect(mail!.text).toContain('your other sessions were signed out');
    expectPlainNotice(mail, [NEW_PASSWORD, TEST_PASSWORD]);
  });

  it('says so when an Administrator reset the password', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const response = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD } },
    });
    expect(response.statusCode, response.body).toBe(200);
    const [mail] = await mailTo(user.email);
    expect(mail!.text).toContain('changed by an administrator, and every session was signed out');
    expectPlainNotice(mail, [NEW_PASSWORD]);
  });

  it('tells an account its directory disabled it through SCIM', async () => {
    const provider = await insertOidcProvider(t, {
      issuer: 'http://127.0.0.1:9/not-contacted',
      clientId: 'latchkey',
      scopes: 'openid',
      groupsClaim: 'groups',
    });
    const generated = await admin.request({
      method: 'POST',
      url: `/api/v1/identity-providers/${provider.id}/scim-token`,
    });
    const scimToken = generated.json<{ token: string }>().token;
    const scim = (method: 'POST' | 'PATCH', url: string, payload: object) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
        payload: JSON.stringify(payload),
      });
    const email = `directory-${Date.now()}@example.test`;
    const created = await scim('POST', '/scim/v2/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: email,
      name: { givenName: 'Dee', familyName: 'Rectory' },
      active: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const deactivated = await scim('PATCH', `/scim/v2/Users/${created.json<{ id: string }>().id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(deactivated.statusCode, deactivated.body).toBe(200);
    const [mail, ...more] = await mailTo(email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe('Your Latchkey account was disabled');
    expect(mail!.text).toContain("disabled by your organisation's directory");
    expectPlainNotice(mail, [scimToken]);
  });

  it('tells of an API token generated and revoked, never the token', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const generated = await admin.request({ method: 'POST', url: `/api/v1/users/${user.id}/api-token` });
    expect(generated.statusCode).toBe(201);
    const token = generated.json<{ token: string; apiToken: { masked: string } }>();
    expect(
      (await admin.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/api-token` })).statusCode,
    ).toBeLessThan(300);
    const mails = await mailTo(user.email);
    expect(mails.map((mail) => mail.subject)).toEqual([
      'An API token was generated for your Latchkey account',
      'The API token of your Latchkey account was revoked',
    ]);
    for (const mail of mails) expectPlainNotice(mail, [token.token, token.apiToken.masked]);
  });

  it('tells of an authenticator added (never its secret) and of an Administrator resetting MFA', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const own = await quickSession(t, user);
    const start = await own.request({
      method: 'POST',
      url: '/api/v1/me/mfa/totp',
      payload: { currentPassword: TEST_PASSWORD },
    });
    expect(start.statusCode, start.body).toBe(201);
    const { secret } = start.json<{ secret: string }>();
    const confirm = await own.request({
      method: 'POST',
      url: '/api/v1/me/mfa/totp/confirm',
      payload: { code: codeNow(secret) },
    });
    expect(confirm.statusCode, confirm.body).toBe(200);
    const { recoveryCodes } = confirm.json<{ recoveryCodes: string[] }>();
    const reset = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { mfaEnrolled: false },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    const mails = await mailTo(user.email);
    expect(mails.map((mail) => mail.subject)).toEqual([
      'An authenticator was added to your Latchkey account',
      'Multi-factor authentication was reset on your Latchkey account',
    ]);
    expect(mails[1]!.text).toContain('reset by an administrator');
    for (const mail of mails) expectPlainNotice(mail, [secret, codeNow(secret), ...recoveryCodes]);
  });

  it('tells the owner their account was disabled', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const response = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { accountStatus: 'disabled' },
    });
    expect(response.statusCode, response.body).toBe(200);
    const [mail] = await mailTo(user.email);
    expect(mail!.subject).toBe('Your Latchkey account was disabled');
    expectPlainNotice(mail, []);
  });

  it('tells the owner sign-in was locked after failed attempts, without the guesses', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const ip = freshIp();
    const guesses = Array.from({ length: 10 }, (_, i) => `wrong guess number ${i}`);
    for (const guess of guesses) await passwordStep(t, user.email, { password: guess, ip });
    const [mail, ...more] = await mailTo(user.email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe('Sign-in to your Latchkey account was locked');
    expect(mail!.text).toMatch(/locked until \d{1,2} \w+ \d{4} at \d{2}:\d{2} UTC/);
    expect(mail!.text).toContain(`From the address: ${ip}`);
    expectPlainNotice(mail, guesses);
  });

  it('tells of a sign-in from a browser or address the account has not used before', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';
    const FIREFOX_NEWER = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
    const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/120.0 Safari/537.36';
    const signIn = async (ip: string, userAgent: string) => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers: { ...UI_HEADERS, 'user-agent': userAgent },
        payload: { email: user.email, password: TEST_PASSWORD },
        remoteAddress: ip,
      });
      expect(response.statusCode, response.body).toBe(200);
    };
    await signIn('198.51.100.1', FIREFOX); // the first sign-in: nothing to compare with
    await signIn('198.51.100.1', FIREFOX_NEWER); // the same browser, updated
    expect(await mailTo(user.email)).toEqual([]);
    await signIn('198.51.100.1', CHROME); // another browser
    await signIn('198.51.100.2', FIREFOX); // another address
    await signIn('198.51.100.2', FIREFOX); // seen now
    const mails = await mailTo(user.email);
    expect(mails.map((mail) => mail.subject)).toEqual([
      'New sign-in to your Latchkey account',
      'New sign-in to your Latchkey account',
    ]);
    expect(mails[0]!.text).toContain('Browser: Chrome on macOS');
    expect(mails[0]!.text).toContain('From the address: 198.51.100.1');
    expect(mails[1]!.text).toContain('Browser: Firefox on Linux');
    expect(mails[1]!.text).toContain('From the address: 198.51.100.2');
    for (const mail of mails) expectPlainNotice(mail, [TEST_PASSWORD]);
  });

  it('sends nothing for a change whose transaction rolls back', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await expect(
      t.db.transaction().execute(async (trx) => {
        await recordAudit(trx, {
          actor: null,
          target: { id: user.id, email: user.email },
          action: 'api_token.revoked',
          ip: '192.0.2.9',
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await mailTo(user.email)).toEqual([]);
    expect(await kindsFor(user.id)).toEqual([]);
  });

  it('sends no password notice to an SSO account', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await t.db.updateTable('users').set({ user_type: 'sso', password_hash: null }).where('id', '=', user.id).execute();
    await t.db.transaction().execute((trx) =>
      recordAudit(trx, {
        actor: null,
        target: { id: user.id, email: user.email },
        action: 'user.password_reset',
        ip: null,
      }),
    );
    expect(await kindsFor(user.id)).toEqual([]);
  });
});

describe('without SMTP configured', () => {
  it('queues no notification', async () => {
    const plain = await createTestApp();
    try {
      const user = await quickUser(plain, SYSTEM_GROUP_IDS.readOnlyUser);
      const token = await giveApiToken(plain, user.id);
      expect(token).toBeTruthy();
      const adminOfPlain = await quickSession(plain, await quickUser(plain, SYSTEM_GROUP_IDS.administrator));
      const response = await adminOfPlain.request({
        method: 'PATCH',
        url: `/api/v1/users/${user.id}/security`,
        payload: { accountStatus: 'disabled' },
      });
      expect(response.statusCode).toBe(200);
      expect(await plain.db.selectFrom('email_outbox').selectAll().execute()).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
