/**
 * Multi-factor authentication over the API: the sign-in challenge (no session before the
 * second factor, single use, expiry, attempt cap, replay, recovery codes once, the shared lock),
 * enforced enrollment through the gate, enrollment and the account's own factors, an
 * Administrator's reset, and that no secret ever comes back after it was shown.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetClockForTests, shiftClockForTests } from '../../src/server/clock.js';
import { MAX_FAILURES } from '../../src/server/services/login-throttle.js';
import { CHALLENGE_LIFETIME_MS, MAX_CHALLENGE_FAILURES } from '../../src/server/services/mfa.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import {
  auditSince,
  errorOf,
  giveApiToken,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
} from '../helpers/fixtures.js';
import {
  challengeFor,
  codeNow,
  freshIp,
  giveTotpFactor,
  loginRows,
  mfaStep,
  passwordStep,
  sessionCookieOf,
  sessionCount,
} from '../helpers/mfa-fixtures.js';
import {
  createTestApp,
  sessionCaller,
  tokenCaller,
  TEST_PASSWORD,
  type Caller,
  type TestApp,
} from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());
afterEach(() => resetClockForTests());

const readOnly = () => quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);

/** A wrong code that is certainly not valid in the window around now. */
function wrongCode(secret: string): string {
  const valid = new Set([-1, 0, 1].map((s) => codeNow(secret, s)));
  for (let n = 0; ; n += 1) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

describe('sign-in with an authenticator app', () => {
  it('answers a correct password with a challenge and NO session cookie, then starts the session on the right code', async () => {
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    const step1 = await passwordStep(t, user.email);
    expect(step1.statusCode).toBe(200);
    expect(step1.json()).toEqual({ mfaRequired: true, challenge: expect.any(String), passkey: false });
    expect(step1.headers['set-cookie']).toBeUndefined();
    expect(await sessionCount(t, user.id)).toBe(0);
    // The challenge is not a session: it opens nothing.
    const { challenge } = step1.json<{ challenge: string }>();
    const asCookie = sessionCaller(t, `latchkey_session=${challenge}`);
    expect((await asCookie.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    // The database keeps only its hash.
    const stored = await t.db.selectFrom('mfa_challenges').selectAll().where('user_id', '=', user.id).execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(challenge);
    expect(Date.parse(stored[0]!.expires_at) - Date.parse(stored[0]!.created_at)).toBeLessThanOrEqual(10 * 60_000);

    const step2 = await mfaStep(t, { challenge, code: codeNow(secret) });
    expect(step2.statusCode, step2.body).toBe(200);
    expect(step2.json<{ user: { email: string } }>().user.email).toBe(user.email);
    const cookie = sessionCookieOf(step2);
    expect(cookie).not.toBeNull();
    expect((await sessionCaller(t, cookie!).request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
    expect(await t.db.selectFrom('mfa_challenges').selectAll().where('user_id', '=', user.id).execute()).toEqual([]);
    const rows = await loginRows(t, user.id);
    expect(rows.map((r) => [r.success, r.method, r.reason])).toEqual([[1, 'password+totp', null]]);
  });

  it('accepts a code from the step before or after, but not two steps away', async () => {
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    const far = await mfaStep(t, { challenge: await challengeFor(t, user.email), code: codeNow(secret, -2) });
    expect(errorOf(far).code).toBe('mfa_code_invalid');
    const before = await mfaStep(t, { challenge: await challengeFor(t, user.email), code: codeNow(secret, -1) });
    expect(before.statusCode).toBe(200);
    const after = await mfaStep(t, { challenge: await challengeFor(t, user.email), code: codeNow(secret, 1) });
    expect(after.statusCode).toBe(200);
  });

  it('uses a challenge once only', async () => {
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    const challenge = await challengeFor(t, user.email);
    expect((await mfaStep(t, { challenge, code: codeNow(secret) })).statusCode).toBe(200);
    const again = await mfaStep(t, { challenge, code: codeNow(secret, 1) });
    expect(again.statusCode).toBe(401);
    expect(errorOf(again).code).toBe('mfa_challenge_invalid');
    expect(sessionCookieOf(again)).toBeNull();
  });

  it('refuses a code already used (same or earlier step) with the same answer as a wrong code', async () => {
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    const code = codeNow(secret);
    expect((await mfaStep(t, { challenge: await challengeFor(t, user.email), code })).statusCode).toBe(200);

    const wrong = await mfaStep(t, { challenge: await challengeFor(t, user.email), code: wrongCode(secret) });
    const replay = await mfaStep(t, { challenge: await challengeFor(t, user.email), code });
    const earlier = await mfaStep(t, { challenge: await challengeFor(t, user.email), code: codeNow(secret, -1) });
    for (const refused of [replay, earlier]) {
      expect(refused.statusCode).toBe(wrong.statusCode);
      expect(errorOf(refused)).toEqual(errorOf(wrong));
      expect(sessionCookieOf(refused)).toBeNull();
    }
    expect(errorOf(wrong)).toEqual({ code: 'mfa_code_invalid', message: 'The code is incorrect.' });
    expect(await sessionCount(t, user.id)).toBe(1);
  });

  it('lets exactly one of two parallel requests use the same code', async () => {
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    const [a, b] = await Promise.all([challengeFor(t, user.email), challengeFor(t, user.email)]);
    const code = codeNow(secret);
    const results = await Promise.all([mfaStep(t, { challenge: a, code }), mfaStep(t, { challenge: b, code })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400]);
    expect(await sessionCount(t, user.id)).toBe(1);
  });

  it('ends a challenge after 10 minutes (server clock)', async () => {
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    const challenge = await challengeFor(t, user.email);
    shiftClockForTests(CHALLENGE_LIFETIME_MS + 1000);
    const late = await mfaStep(t, { challenge, code: codeNow(secret) });
    expect(late.statusCode).toBe(401);
    expect(errorOf(late).code).toBe('mfa_challenge_invalid');
    expect(await sessionCount(t, user.id)).toBe(0);
  });

  it('kills a challenge after 5 wrong codes: even the right code is then refused', async () => {
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    const challenge = await challengeFor(t, user.email);
    const auditBefore = await lastAuditId(t);
    for (let i = 0; i < MAX_CHALLENGE_FAILURES; i += 1) {
      const wrong = await mfaStep(t, { challenge, code: wrongCode(secret) });
      expect(errorOf(wrong).code).toBe('mfa_code_invalid');
    }
    const right = await mfaStep(t, { challenge, code: codeNow(secret) });
    expect(errorOf(right).code).toBe('mfa_challenge_invalid');
    expect(await sessionCount(t, user.id)).toBe(0);
    const rows = await loginRows(t, user.id);
    expect(rows.map((r) => [r.success, r.reason, r.method])).toEqual(
      Array.from({ length: MAX_CHALLENGE_FAILURES }, () => [0, 'wrong_mfa_code', 'password+totp']),
    );
    const audit = await auditSince(t, auditBefore);
    expect(audit.map((a) => a.action)).toEqual(Array.from({ length: MAX_CHALLENGE_FAILURES }, () => 'mfa.code_failed'));
    expect(audit[0]!.target_user_id).toBe(user.id);
  });

  it('counts wrong codes toward the same lock as wrong passwords', async () => {
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    let failures = 0;
    while (failures < MAX_FAILURES) {
      const challenge = await challengeFor(t, user.email);
      for (let i = 0; i < MAX_CHALLENGE_FAILURES && failures < MAX_FAILURES; i += 1, failures += 1) {
        await mfaStep(t, { challenge, code: wrongCode(secret) });
      }
    }
    // The account is locked now: the password step and a right code are both refused.
    const password = await passwordStep(t, user.email);
    expect(password.statusCode).toBe(429);
    expect(errorOf(password).code).toBe('login_locked');
    expect(await sessionCount(t, user.id)).toBe(0);
  });

  it('keeps one answer for a wrong password, whether or not the account has MFA', async () => {
    const withMfa = await readOnly();
    await giveTotpFactor(t, withMfa.id);
    const without = await readOnly();
    const a = await passwordStep(t, withMfa.email, { password: 'wrong password here' });
    const b = await passwordStep(t, without.email, { password: 'wrong password here' });
    expect(a.statusCode).toBe(401);
    expect(errorOf(a)).toEqual(errorOf(b));
    expect(await t.db.selectFrom('mfa_challenges').selectAll().where('user_id', '=', withMfa.id).execute()).toEqual([]);
  });

  it('refuses the challenge of an account disabled meanwhile', async () => {
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    const challenge = await challengeFor(t, user.email);
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    const response = await mfaStep(t, { challenge, code: codeNow(secret) });
    expect(errorOf(response).code).toBe('mfa_challenge_invalid');
    expect(await sessionCount(t, user.id)).toBe(0);
  });

  it('validates step 2: one of code or recovery code, and a challenge', async () => {
    for (const body of [
      { challenge: 'x' },
      { challenge: 'x', code: '123456', recoveryCode: 'abcd' },
      { code: '123456' },
    ]) {
      const response = await mfaStep(t, body as { challenge: string });
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('validation_failed');
    }
    expect(errorOf(await mfaStep(t, { challenge: 'made-up', code: '123456' })).code).toBe('mfa_challenge_invalid');
  });

  it('refuses a secret copied from another account (it is sealed to its owner)', async () => {
    const victim = await readOnly();
    const attacker = await readOnly();
    const { secret, factorId } = await giveTotpFactor(t, victim.id);
    const own = await giveTotpFactor(t, attacker.id);
    const sealed = await t.db
      .selectFrom('mfa_factors')
      .select('secret_encrypted')
      .where('id', '=', factorId)
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable('mfa_factors')
      .set({ secret_encrypted: sealed.secret_encrypted })
      .where('id', '=', own.factorId)
      .execute();
    const response = await mfaStep(t, { challenge: await challengeFor(t, attacker.email), code: codeNow(secret) });
    expect(errorOf(response).code).toBe('mfa_code_invalid');
  });
});

describe('recovery codes', () => {
  it('signs in with a recovery code once (any case, with or without dashes), audited and in the login history', async () => {
    const user = await readOnly();
    const { recoveryCodes } = await giveTotpFactor(t, user.id);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const code = recoveryCodes[3]!;
    const auditBefore = await lastAuditId(t);
    const first = await mfaStep(t, {
      challenge: await challengeFor(t, user.email),
      recoveryCode: ` ${code.replace(/-/g, '').toUpperCase()} `,
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(sessionCookieOf(first)).not.toBeNull();
    const audit = await auditSince(t, auditBefore);
    expect(audit.map((a) => [a.action, a.details])).toEqual([['mfa.recovery_code_used', { recoveryCodesLeft: 9 }]]);

    const second = await mfaStep(t, { challenge: await challengeFor(t, user.email), recoveryCode: code });
    expect(second.statusCode).toBe(400);
    expect(errorOf(second).code).toBe('mfa_code_invalid');
    const rows = await loginRows(t, user.id);
    expect(rows.map((r) => [r.success, r.method, r.reason])).toEqual([
      [1, 'password+recovery_code', null],
      [0, 'password+recovery_code', 'wrong_recovery_code'],
    ]);
  });

  it("does not accept another account's recovery code", async () => {
    const a = await readOnly();
    const b = await readOnly();
    const codesOfA = (await giveTotpFactor(t, a.id)).recoveryCodes;
    await giveTotpFactor(t, b.id);
    const response = await mfaStep(t, { challenge: await challengeFor(t, b.email), recoveryCode: codesOfA[0]! });
    expect(errorOf(response).code).toBe('mfa_code_invalid');
  });

  it('regenerates codes (password needed): the old ones stop working', async () => {
    const user = await readOnly();
    const { recoveryCodes: old } = await giveTotpFactor(t, user.id);
    const caller = await quickSession(t, user);
    const refused = await caller.request({
      method: 'POST',
      url: '/api/v1/me/mfa/recovery-codes',
      payload: { currentPassword: 'nope nope' },
    });
    expect(errorOf(refused).code).toBe('current_password_incorrect');
    const response = await caller.request({
      method: 'POST',
      url: '/api/v1/me/mfa/recovery-codes',
      payload: { currentPassword: TEST_PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const fresh = response.json<{ recoveryCodes: string[] }>().recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(
      errorOf(await mfaStep(t, { challenge: await challengeFor(t, user.email), recoveryCode: old[0]! })).code,
    ).toBe('mfa_code_invalid');
    expect(
      (await mfaStep(t, { challenge: await challengeFor(t, user.email), recoveryCode: fresh[0]! })).statusCode,
    ).toBe(200);
  });
});

/** Enrols through the API: start (optionally with password), confirm with a code; returns what the API gave. */
async function enroll(caller: Caller, currentPassword?: string) {
  const start = await caller.request({
    method: 'POST',
    url: '/api/v1/me/mfa/totp',
    payload: currentPassword === undefined ? {} : { currentPassword },
  });
  expect(start.statusCode, start.body).toBe(201);
  const enrollment = start.json<{ secret: string; otpauthUri: string; qrCodeDataUrl: string }>();
  const confirm = await caller.request({
    method: 'POST',
    url: '/api/v1/me/mfa/totp/confirm',
    payload: { code: codeNow(enrollment.secret) },
  });
  expect(confirm.statusCode, confirm.body).toBe(200);
  return { enrollment, confirmed: confirm.json<{ factor: { id: string }; recoveryCodes: string[] | null }>() };
}

describe('enrolling an authenticator app from your own account', () => {
  it('needs the current password, returns the secret, URI and QR code once, and activates only on a right code', async () => {
    const user = await readOnly();
    const caller = await quickSession(t, user);
    const noPassword = await caller.request({ method: 'POST', url: '/api/v1/me/mfa/totp', payload: {} });
    expect(errorOf(noPassword).code).toBe('validation_failed');
    const wrongPassword = await caller.request({
      method: 'POST',
      url: '/api/v1/me/mfa/totp',
      payload: { currentPassword: 'not it at all' },
    });
    expect(errorOf(wrongPassword).code).toBe('current_password_incorrect');

    const start = await caller.request({
      method: 'POST',
      url: '/api/v1/me/mfa/totp',
      payload: { currentPassword: TEST_PASSWORD },
    });
    expect(start.statusCode).toBe(201);
    const enrollment = start.json<{ secret: string; otpauthUri: string; qrCodeDataUrl: string }>();
    expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrollment.otpauthUri).toBe(
      `otpauth://totp/Latchkey:${encodeURIComponent(user.email)}?secret=${enrollment.secret}&issuer=Latchkey&algorithm=SHA1&digits=6&period=30`,
    );
    expect(enrollment.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    // Not active yet: sign-in still needs no code, and the status lists nothing.
    expect((await caller.request({ method: 'GET', url: '/api/v1/me/mfa' })).json()).toMatchObject({
      factors: [],
      required: false,
    });
    expect(sessionCookieOf(await passwordStep(t, user.email))).not.toBeNull();

    const wrong = await caller.request({
      method: 'POST',
      url: '/api/v1/me/mfa/totp/confirm',
      payload: { code: wrongCode(enrollment.secret) },
    });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).code).toBe('mfa_code_invalid');

    const auditBefore = await lastAuditId(t);
    const confirmingCode = codeNow(enrollment.secret);
    const confirm = await caller.request({
      method: 'POST',
      url: '/api/v1/me/mfa/totp/confirm',
      payload: { code: confirmingCode },
    });
    expect(confirm.statusCode).toBe(200);
    const confirmed = confirm.json<{ factor: { id: string; name: string }; recoveryCodes: string[] }>();
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect((await auditSince(t, auditBefore)).map((a) => a.action)).toEqual(['mfa.factor_enrolled']);

    const status = (await caller.request({ method: 'GET', url: '/api/v1/me/mfa' })).json();
    expect(status).toEqual({
      required: true,
      enrollmentPending: false,
      factors: [
        {
          id: confirmed.factor.id,
          kind: 'totp',
          name: 'Authenticator app',
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
        },
      ],
      recoveryCodesLeft: 10,
    });
    // The code that confirmed cannot sign in again (replay guard set at confirmation). The very same
    // code: computing "the code now" again failed CI once, when a 30-s step ended in between.
    const replay = await mfaStep(t, { challenge: await challengeFor(t, user.email), code: confirmingCode });
    expect(errorOf(replay).code).toBe('mfa_code_invalid');

    // The secret and the recovery codes never come back, and are nowhere in the logs or stored in clear.
    const secrets = [
      enrollment.secret,
      ...confirmed.recoveryCodes,
      ...confirmed.recoveryCodes.map((c) => c.replace(/-/g, '')),
    ];
    const admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    const later = [
      await caller.request({ method: 'GET', url: '/api/v1/me/mfa' }),
      await caller.request({ method: 'GET', url: '/api/v1/me' }),
      await caller.request({ method: 'GET', url: `/api/v1/users/${user.id}/security` }),
      await admin.request({ method: 'GET', url: '/api/v1/logs/audit?pageSize=100' }),
      await admin.request({ method: 'GET', url: '/api/v1/logs/logins?pageSize=100' }),
    ].map((r) => r.body);
    const everything = JSON.stringify({ later, db: await stateSnapshot(t) });
    for (const secret of secrets) expect(everything.toLowerCase()).not.toContain(secret.toLowerCase());
  });

  it('removes a factor with the password, but never the last one while MFA is on', async () => {
    const user = await readOnly();
    const caller = await quickSession(t, user);
    const first = await enroll(caller, TEST_PASSWORD);
    shiftClockForTests(30_000); // a new step, so the second app's code is not refused as a replay
    const second = await enroll(caller, TEST_PASSWORD);
    expect(second.confirmed.recoveryCodes).toBeNull(); // the first codes still work
    const remove = (id: string, currentPassword: string) =>
      caller.request({ method: 'DELETE', url: `/api/v1/me/mfa/factors/${id}`, payload: { currentPassword } });

    const before = await stateSnapshot(t);
    const wrongPassword = await remove(first.confirmed.factor.id, 'wrong password!');
    expect(errorOf(wrongPassword).code).toBe('current_password_incorrect');
    const unknown = await remove('00000000-0000-0000-0000-000000000000', TEST_PASSWORD);
    expect(unknown.statusCode).toBe(404);
    const after = await stateSnapshot(t);
    expect(after.mfa_factors).toEqual(before.mfa_factors);

    const auditBefore = await lastAuditId(t);
    expect((await remove(first.confirmed.factor.id, TEST_PASSWORD)).statusCode).toBe(204);
    expect((await auditSince(t, auditBefore)).map((a) => a.action)).toEqual(['mfa.factor_removed']);
    const last = await remove(second.confirmed.factor.id, TEST_PASSWORD);
    expect(last.statusCode).toBe(409);
    expect(errorOf(last).code).toBe('mfa_last_factor');
    const status = (await caller.request({ method: 'GET', url: '/api/v1/me/mfa' })).json<{
      factors: { id: string }[];
    }>();
    expect(status.factors.map((f) => f.id)).toEqual([second.confirmed.factor.id]);
  });

  it("cannot remove another account's factor", async () => {
    const owner = await readOnly();
    const { factorId } = await giveTotpFactor(t, owner.id);
    await giveTotpFactor(t, owner.id);
    const other = await quickSession(t, await readOnly());
    const response = await other.request({
      method: 'DELETE',
      url: `/api/v1/me/mfa/factors/${factorId}`,
      payload: { currentPassword: TEST_PASSWORD },
    });
    expect(response.statusCode).toBe(404);
    expect(
      await t.db.selectFrom('mfa_factors').select('id').where('id', '=', factorId).executeTakeFirst(),
    ).toBeDefined();
  });
});

describe('MFA required by an Administrator', () => {
  async function requireMfa(admin: Caller, userId: string, value: boolean) {
    const response = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${userId}/security`,
      payload: { mfaEnrolled: value },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response;
  }

  it('gives the account, after its password, a session that can only enroll; API tokens keep working', async () => {
    const admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    const user = await readOnly();
    const token = tokenCaller(t, await giveApiToken(t, user.id));
    await requireMfa(admin, user.id, true);

    const signIn = await passwordStep(t, user.email);
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json()).toMatchObject({ mfaEnrollmentRequired: true });
    const caller = sessionCaller(t, sessionCookieOf(signIn)!);

    const before = await stateSnapshot(t);
    for (const request of [
      { method: 'GET' as const, url: `/api/v1/users/${user.id}` },
      { method: 'PATCH' as const, url: '/api/v1/me', payload: { title: 'Nope' } },
      { method: 'POST' as const, url: '/api/v1/me/mfa/recovery-codes', payload: { currentPassword: TEST_PASSWORD } },
    ]) {
      const refused = await caller.request(request);
      expect(refused.statusCode, request.url).toBe(403);
      expect(errorOf(refused).code).toBe('mfa_enrollment_required');
    }
    expect(await stateSnapshot(t)).toEqual(before);
    expect((await caller.request({ method: 'GET', url: '/api/v1/me' })).json()).toMatchObject({
      mfaEnrollmentRequired: true,
    });
    expect((await token.request({ method: 'GET', url: `/api/v1/users/${user.id}` })).statusCode).toBe(200);
    expect((await token.request({ method: 'GET', url: '/api/v1/me' })).json()).toMatchObject({
      mfaEnrollmentRequired: false,
    });

    // The enrollment-only session needs no password again; afterwards everything is open.
    const { enrollment, confirmed } = await enroll(caller);
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect((await caller.request({ method: 'GET', url: `/api/v1/users/${user.id}` })).statusCode).toBe(200);
    expect((await caller.request({ method: 'GET', url: '/api/v1/me' })).json()).toMatchObject({
      mfaEnrollmentRequired: false,
    });

    // Next sign-in asks for a code.
    shiftClockForTests(30_000);
    const challenge = await challengeFor(t, user.email);
    expect((await mfaStep(t, { challenge, code: codeNow(enrollment.secret) })).statusCode).toBe(200);
  });

  it('asks for the password change first when both are pending', async () => {
    const admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    const user = await readOnly();
    await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { mfaEnrolled: true, mustChangePassword: true },
    });
    const caller = sessionCaller(t, sessionCookieOf(await passwordStep(t, user.email))!);
    const enroll = await caller.request({ method: 'POST', url: '/api/v1/me/mfa/totp', payload: {} });
    expect(errorOf(enroll).code).toBe('password_change_required');
    const next = 'another long passphrase 77';
    const change = await caller.request({
      method: 'POST',
      url: '/api/v1/me/password',
      payload: { currentPassword: TEST_PASSWORD, newPassword: next, confirmNewPassword: next },
    });
    expect(change.statusCode, change.body).toBe(204);
    expect(errorOf(await caller.request({ method: 'GET', url: `/api/v1/users/${user.id}` })).code).toBe(
      'mfa_enrollment_required',
    );
    expect((await caller.request({ method: 'POST', url: '/api/v1/me/mfa/totp', payload: {} })).statusCode).toBe(201);
  });

  it('clearing the box removes factors and recovery codes and ends all sessions, audited with who did it', async () => {
    const adminUser = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    const admin = await quickSession(t, adminUser);
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    const sessions = [await quickSession(t, user), await quickSession(t, user)];
    const challenge = await challengeFor(t, user.email);

    const auditBefore = await lastAuditId(t);
    const response = await requireMfa(admin, user.id, false);
    expect(response.json()).toMatchObject({ mfaEnrolled: false });
    for (const session of sessions)
      expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    for (const table of ['mfa_factors', 'mfa_recovery_codes', 'mfa_challenges'] as const) {
      expect(await t.db.selectFrom(table).selectAll().where('user_id', '=', user.id).execute()).toEqual([]);
    }
    const audit = await auditSince(t, auditBefore);
    expect(audit.map((a) => [a.action, a.actor_user_id, a.target_user_id])).toEqual([
      ['user.security_updated', adminUser.id, user.id],
      ['mfa.reset', adminUser.id, user.id],
    ]);
    expect(audit[1]!.details).toEqual({ factorsRemoved: 1, sessionsEnded: 2 });
    // The old challenge is gone and sign-in needs only the password again.
    expect(errorOf(await mfaStep(t, { challenge, code: codeNow(secret) })).code).toBe('mfa_challenge_invalid');
    expect(sessionCookieOf(await passwordStep(t, user.email))).not.toBeNull();
  });

  it('lets only those who may change the account change the box', async () => {
    const user = await readOnly();
    await giveTotpFactor(t, user.id);
    const own = await quickSession(t, user);
    const before = await stateSnapshot(t);
    const response = await own.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { mfaEnrolled: false },
    });
    expect(response.statusCode).toBe(403);
    expect(await stateSnapshot(t)).toEqual(before);
  });
});

describe('sign-in address bookkeeping', () => {
  it('records the address of step 2 in the login history', async () => {
    const user = await readOnly();
    const { secret } = await giveTotpFactor(t, user.id);
    const ip = freshIp();
    await mfaStep(t, { challenge: await challengeFor(t, user.email), code: codeNow(secret) }, { ip });
    expect((await loginRows(t, user.id)).map((r) => r.ip)).toEqual([ip]);
  });
});
