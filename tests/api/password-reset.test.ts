/**
 * "Forgot password" through the API (issue 17), sending through a real SMTP server on loopback:
 * one answer for every email, the limits, and the emailed link: single use, 30 minutes, dead after
 * any other password change, every session ended, "must change password" cleared, nobody signed in
 * (MFA still asked). Without email configured nothing is sent and nothing is offered. Runs on
 * SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetClockForTests, shiftClockForTests } from '../../src/server/clock.js';
import { verifyPassword } from '../../src/server/security/password-hashing.js';
import { hashSecret } from '../../src/server/security/secrets.js';
import { MAX_REQUESTS_PER_ACCOUNT, MAX_REQUESTS_PER_ADDRESS } from '../../src/server/services/password-reset-links.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { FORGOT_PASSWORD_ANSWER } from '../../src/shared/schemas/password-reset.js';
import {
  auditSince,
  errorOf,
  giveApiToken,
  givePasswordResetLink,
  lastAuditId,
  quickSession,
  stateSnapshot,
  uniqueEmail,
} from '../helpers/fixtures.js';
import { freshIp, giveTotpFactor, passwordStep, sessionCookieOf, sessionCount } from '../helpers/mfa-fixtures.js';
import { startTestSmtpServer, type DeliveredEmail, type TestSmtpServer } from '../helpers/smtp-server.js';
import {
  createTestApp,
  makeUser,
  signInAs,
  snapshot,
  TEST_PASSWORD,
  tokenCaller,
  UI_HEADERS,
  type Caller,
  type TestApp,
} from '../helpers/test-app.js';

const NEW_PASSWORD = 'a brand new passphrase 2026';
const MINUTE = 60 * 1000;

let smtp: TestSmtpServer;
let t: TestApp;
let admin: Caller;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp(smtp.env());
  admin = (await signInAs(t, SYSTEM_GROUP_IDS.administrator)).caller;
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});
afterEach(() => resetClockForTests());

/** Delivers what is queued now (the worker would, a moment later) and returns the emails sent to `to`. */
async function mailTo(to: string): Promise<DeliveredEmail[]> {
  await t.app.mail.deliverDue();
  return smtp.delivered.filter((email) => email.to.includes(to));
}

/** The link of the one reset email sent to `to`, and its secret. */
async function linkSentTo(to: string): Promise<{ link: string; token: string; email: DeliveredEmail }> {
  const emails = await mailTo(to);
  expect(emails).toHaveLength(1);
  const link = /https?:\/\/\S+/.exec(emails[0]!.text)?.[0] ?? '';
  return { link, token: new URL(link).hash.replace(/^#token=/, ''), email: emails[0]! };
}

function askForLink(email: string, ip = freshIp()) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/forgot-password',
    headers: UI_HEADERS,
    payload: { email },
    remoteAddress: ip,
  });
}

function useLink(token: string, newPassword = NEW_PASSWORD) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/reset-password',
    headers: UI_HEADERS,
    payload: { token, newPassword },
    remoteAddress: freshIp(),
  });
}

async function passwordIs(userId: string, password: string): Promise<boolean> {
  const row = await t.db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirstOrThrow();
  return verifyPassword(row.password_hash, password);
}

describe('asking for a link', () => {
  it('answers the same, status and body, for an account, no account, an SSO account and a disabled one', async () => {
    const native = await makeUser(t);
    const sso = await makeUser(t, SYSTEM_GROUP_IDS.regularUser, { userType: 'sso' });
    const disabled = await makeUser(t);
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();

    const answers = [];
    for (const email of [native.email, uniqueEmail('nobody'), sso.email, disabled.email]) {
      const response = await askForLink(email);
      answers.push({ status: response.statusCode, body: response.json<unknown>() });
    }
    expect(answers[0]).toEqual({ status: 202, body: { message: FORGOT_PASSWORD_ANSWER } });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    // Only the account with a Latchkey password, enabled, gets an email.
    expect(await mailTo(native.email)).toHaveLength(1);
    expect(await mailTo(sso.email)).toEqual([]);
    expect(await mailTo(disabled.email)).toEqual([]);
  });

  it('emails a short, plain message with a 256-bit single-use link; only its SHA-256 is stored', async () => {
    const user = await makeUser(t);
    expect((await askForLink(user.email.toUpperCase())).statusCode).toBe(202);
    const { link, token, email } = await linkSentTo(user.email);
    expect(email.to).toEqual([user.email]);
    expect(email.subject).toBe('Reset your Latchkey password');
    expect(link.startsWith(`${t.config.publicUrl.origin}/reset-password#token=`)).toBe(true);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(email.text).toContain('30 minutes');
    expect(email.text).toContain('If you did not ask for this, ignore this email');
    const rows = await t.db.selectFrom('password_reset_links').selectAll().where('user_id', '=', user.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(hashSecret(token));
    expect(Date.parse(rows[0]!.expires_at) - Date.parse(rows[0]!.created_at)).toBe(30 * MINUTE);
    // Nowhere in the database in clear: not the link table, not the outbox, not the audit log.
    const everything = JSON.stringify(await stateSnapshot(t));
    expect(everything).not.toContain(token);

    expect((await useLink(token)).statusCode).toBe(204);
    expect(await passwordIs(user.id, NEW_PASSWORD)).toBe(true);
  });

  it('waits for the same floor whether or not a link is sent', async () => {
    const native = await makeUser(t);
    const timed = async (email: string) => {
      const started = performance.now();
      expect((await askForLink(email)).statusCode).toBe(202);
      return performance.now() - started;
    };
    // The middle of three each, so one pause of a busy machine does not decide.
    const median = async (email: () => string) => {
      const times = [await timed(email()), await timed(email()), await timed(email())];
      return times.sort((a, b) => a - b)[1]!;
    };
    const withAccount = await median(() => native.email);
    const without = await median(() => uniqueEmail('nobody'));
    // Both wait for the same floor (250 ms), which the work of either stays well below: that is
    // what makes them alike. (No bound on their difference: on a busy machine that measures the
    // machine, not Latchkey.)
    expect(withAccount).toBeGreaterThanOrEqual(240);
    expect(without).toBeGreaterThanOrEqual(240);
  });

  it('audits every request with what came of it, never a link', async () => {
    const sso = await makeUser(t, SYSTEM_GROUP_IDS.regularUser, { userType: 'sso' });
    const nobody = uniqueEmail('nobody');
    const before = await lastAuditId(t);
    await askForLink(sso.email);
    await askForLink(nobody.toUpperCase());
    const entries = await auditSince(t, before);
    expect(entries.map((e) => [e.action, e.target_user_id, e.details])).toEqual([
      ['password_reset.requested', sso.id, { email: sso.email, outcome: 'sso_account' }],
      ['password_reset.requested', null, { email: nobody, outcome: expect.any(String) }],
    ]);
    expect(entries[1]!.details.outcome).toBe('no_account');
  });

  it(`limits each email to ${MAX_REQUESTS_PER_ACCOUNT} requests in 15 minutes, whether or not it has an account`, async () => {
    const native = await makeUser(t);
    for (const email of [native.email, uniqueEmail('nobody')]) {
      for (let i = 0; i < MAX_REQUESTS_PER_ACCOUNT; i++) expect((await askForLink(email)).statusCode).toBe(202);
      // Another letter case and another address: still the same email.
      const limited = await askForLink(` ${email.toUpperCase()} `);
      expect(limited.statusCode).toBe(429);
      expect(errorOf(limited).code).toBe('password_reset_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    }
    shiftClockForTests(16 * MINUTE);
    expect((await askForLink(native.email)).statusCode).toBe(202);
  });

  it(`limits each client address to ${MAX_REQUESTS_PER_ADDRESS} requests in 15 minutes, whatever the emails`, async () => {
    const ip = freshIp();
    for (let i = 0; i < MAX_REQUESTS_PER_ADDRESS; i++) {
      expect((await askForLink(uniqueEmail('spray'), ip)).statusCode).toBe(202);
    }
    const limited = await askForLink(uniqueEmail('spray'), ip);
    expect(limited.statusCode).toBe(429);
    expect(errorOf(limited).code).toBe('password_reset_limited');
    expect((await askForLink(uniqueEmail('spray'))).statusCode).toBe(202);
  }, 30_000);

  it('is refused without the UI’s CSRF header, like sign-in', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/forgot-password',
      payload: { email: uniqueEmail() },
    });
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).code).toBe('csrf_failed');
  });
});

describe('using a link', () => {
  it('sets the password, ends every session, clears "must change", keeps the API token, signs nobody in', async () => {
    const user = await makeUser(t);
    await t.db.updateTable('users').set({ must_change_password: 1 }).where('id', '=', user.id).execute();
    const session = await quickSession(t, user);
    const apiToken = await giveApiToken(t, user.id);
    const token = await givePasswordResetLink(t, user.id);
    const before = await lastAuditId(t);

    const response = await useLink(token);
    expect(response.statusCode).toBe(204);
    expect(response.cookies).toEqual([]);
    expect(await passwordIs(user.id, NEW_PASSWORD)).toBe(true);
    expect(await sessionCount(t, user.id)).toBe(0);
    expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    // As after an Administrator's reset: the API token is a separate credential.
    expect((await tokenCaller(t, apiToken).request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
    const row = await t.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(0);

    const entries = await auditSince(t, before);
    expect(entries.map((e) => [e.action, e.actor_user_id, e.target_user_id, e.details])).toEqual([
      ['user.password_reset', null, user.id, { by: 'email_link', sessionsEnded: 1, mustChangePassword: false }],
    ]);
    expect(JSON.stringify(entries)).not.toContain(token);
    // The owner is told, in words that match what happened (every session ended), without the link.
    const told = (await mailTo(user.email)).filter((email) => email.subject === 'Your Latchkey password was changed');
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain('with a reset link sent to this address, and every session was signed out');
    expect(told[0]!.text).not.toContain(token);

    // The new password signs in; the old one no longer does.
    expect((await passwordStep(t, user.email, { password: NEW_PASSWORD })).statusCode).toBe(200);
    expect((await passwordStep(t, user.email)).statusCode).toBe(401);
  });

  it('ends a sign-in lock from wrong passwords (the guesses were at the old password), audited', async () => {
    const user = await makeUser(t);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect((await passwordStep(t, user.email, { password: 'not the password' })).statusCode).toBe(401);
    }
    const locked = await passwordStep(t, user.email, { password: TEST_PASSWORD });
    expect(errorOf(locked).code).toBe('login_locked');
    const token = await givePasswordResetLink(t, user.id);
    const before = await lastAuditId(t);

    expect((await useLink(token)).statusCode).toBe(204);
    expect((await passwordStep(t, user.email, { password: NEW_PASSWORD })).statusCode).toBe(200);
    const unlocked = (await auditSince(t, before)).filter((entry) => entry.action === 'account.unlocked');
    expect(unlocked.map((e) => [e.actor_user_id, e.target_user_id, e.details.by, e.details.failures])).toEqual([
      [null, user.id, 'email_link', 10],
    ]);
  });

  it('leaves the second factor required at the next sign-in', async () => {
    const user = await makeUser(t);
    await giveTotpFactor(t, user.id);
    expect((await useLink(await givePasswordResetLink(t, user.id))).statusCode).toBe(204);
    const signIn = await passwordStep(t, user.email, { password: NEW_PASSWORD });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json()).toMatchObject({ mfaRequired: true });
    expect(sessionCookieOf(signIn)).toBeNull();
    expect(await sessionCount(t, user.id)).toBe(0);
  });

  async function expectLinkRefused(token: string, userId: string) {
    const before = await snapshot(t);
    const auditBefore = await lastAuditId(t);
    const response = await useLink(token, 'yet another passphrase 77');
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('password_reset_link_invalid');
    expect(await snapshot(t)).toBe(before);
    expect(await auditSince(t, auditBefore)).toEqual([]);
    expect(await passwordIs(userId, 'yet another passphrase 77')).toBe(false);
  }

  it('works once', async () => {
    const user = await makeUser(t);
    const token = await givePasswordResetLink(t, user.id);
    expect((await useLink(token)).statusCode).toBe(204);
    await expectLinkRefused(token, user.id);
  });

  it('works for 30 minutes', async () => {
    const user = await makeUser(t);
    const token = await givePasswordResetLink(t, user.id);
    shiftClockForTests(30 * MINUTE + 1000);
    await expectLinkRefused(token, user.id);
    resetClockForTests();
    shiftClockForTests(29 * MINUTE);
    expect((await useLink(token)).statusCode).toBe(204);
  });

  it('ends when the password changes any other way (an Administrator’s reset, your own change)', async () => {
    const user = await makeUser(t);
    const first = await givePasswordResetLink(t, user.id);
    const reset = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD } },
    });
    expect(reset.statusCode).toBe(200);
    await expectLinkRefused(first, user.id);

    const second = await givePasswordResetLink(t, user.id);
    const own = await quickSession(t, user);
    const change = await own.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: {
        resetPassword: {
          currentPassword: NEW_PASSWORD,
          newPassword: `${NEW_PASSWORD} again`,
          confirmNewPassword: `${NEW_PASSWORD} again`,
        },
      },
    });
    expect(change.statusCode).toBe(200);
    await expectLinkRefused(second, user.id);

    // And a link used ends the account's other links.
    const third = await givePasswordResetLink(t, user.id);
    const fourth = await givePasswordResetLink(t, user.id);
    expect((await useLink(third)).statusCode).toBe(204);
    await expectLinkRefused(fourth, user.id);
  });

  it('is refused for an account disabled or turned into SSO since, and for a made-up link', async () => {
    const disabled = await makeUser(t);
    const token = await givePasswordResetLink(t, disabled.id);
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();
    await expectLinkRefused(token, disabled.id);
    await expectLinkRefused('x'.repeat(43), disabled.id);
  });

  it('applies the password policy, changing nothing and leaving the link usable', async () => {
    const user = await makeUser(t);
    const token = await givePasswordResetLink(t, user.id);
    const before = await snapshot(t);
    const response = await useLink(token, 'short');
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).fields?.newPassword).toBeTruthy();
    const sameAsEmail = await useLink(token, user.email);
    expect(sameAsEmail.statusCode).toBe(400);
    expect(await snapshot(t)).toBe(before);
    expect((await useLink(token)).statusCode).toBe(204);
    expect(await passwordIs(user.id, TEST_PASSWORD)).toBe(false);
  });

  it('of two uses at once, exactly one succeeds', async () => {
    const user = await makeUser(t);
    const token = await givePasswordResetLink(t, user.id);
    const answers = await Promise.all([useLink(token), useLink(token, `${NEW_PASSWORD} two`)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([204, 400]);
  });
});

describe('the setting', () => {
  it('is on by default; an Administrator turns it off, audited as settings.updated', async () => {
    const settings = await admin.request({ method: 'GET', url: '/api/v1/settings' });
    expect(settings.json()).toMatchObject({ selfServicePasswordReset: true });
    const before = await lastAuditId(t);
    const off = await admin.request({
      method: 'PATCH',
      url: '/api/v1/settings',
      payload: { selfServicePasswordReset: false },
    });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ selfServicePasswordReset: false });
    const entries = await auditSince(t, before);
    expect(entries.map((e) => [e.action, e.details])).toEqual([
      ['settings.updated', { changes: { selfServicePasswordReset: { from: true, to: false } } }],
    ]);
    const user = await makeUser(t);
    const auditBefore = await lastAuditId(t);
    expect((await askForLink(user.email)).json()).toEqual({ message: FORGOT_PASSWORD_ANSWER });
    expect((await auditSince(t, auditBefore)).map((e) => e.details.outcome)).toEqual(['turned_off']);
    expect(await mailTo(user.email)).toEqual([]);
    const available = await t.app.inject({ method: 'GET', url: '/api/v1/auth/forgot-password' });
    expect(available.json()).toEqual({ available: false });
    await admin.request({ method: 'PATCH', url: '/api/v1/settings', payload: { selfServicePasswordReset: true } });
    const again = await t.app.inject({ method: 'GET', url: '/api/v1/auth/forgot-password' });
    expect(again.json()).toEqual({ available: true });
  });

  it('refuses a value that is not true or false, changing nothing', async () => {
    const response = await admin.request({
      method: 'PATCH',
      url: '/api/v1/settings',
      payload: { selfServicePasswordReset: 'no' },
    });
    expect(response.statusCode).toBe(400);
    const settings = await admin.request({ method: 'GET', url: '/api/v1/settings' });
    expect(settings.json()).toMatchObject({ selfServicePasswordReset: true });
  });
});

describe('without email configured', () => {
  let bare: TestApp;
  beforeAll(async () => {
    bare = await createTestApp();
  });
  afterAll(async () => bare?.close());

  it('offers nothing, answers the same, and creates no link', async () => {
    expect((await bare.app.inject({ method: 'GET', url: '/api/v1/auth/forgot-password' })).json()).toEqual({
      available: false,
    });
    const user = await makeUser(bare);
    const response = await bare.app.inject({
      method: 'POST',
      url: '/api/v1/auth/forgot-password',
      headers: UI_HEADERS,
      payload: { email: user.email },
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ message: FORGOT_PASSWORD_ANSWER });
    expect(await bare.db.selectFrom('password_reset_links').selectAll().execute()).toEqual([]);
    const audit = await auditSince(bare, 0);
    expect(audit.filter((e) => e.action === 'password_reset.requested').map((e) => e.details.outcome)).toEqual([
      'email_not_configured',
    ]);
  });
});
