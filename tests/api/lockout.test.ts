/**
 * The sign-in limits under attack, with real argon2 and real requests sent in
 * parallel: at most 10 secret checks per account per 15 minutes however many arrive at once, on
 * every path that checks a secret; a lock no late failure clears; an address limit that slows and
 * refuses failures (spraying) without ever locking out a neighbour's right password; the audit
 * and login history of it all; and an Administrator's early unlock.
 *
 * "Checked" is counted in the login history: every secret that is actually verified and wrong
 * leaves one row with its reason (wrong_password, wrong_mfa_code…), every request refused before
 * any check leaves one with reason 'locked'.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nowMs, resetClockForTests, shiftClockForTests } from '../../src/server/clock.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { auditSince, createCustomGroup, errorOf, lastAuditId, quickSession, quickUser } from '../helpers/fixtures.js';
import { challengeFor, codeNow, giveTotpFactor, mfaStep } from '../helpers/mfa-fixtures.js';
import {
  anotherNode,
  createTestApp,
  TEST_PASSWORD,
  UI_HEADERS,
  usingPostgres,
  type Caller,
  type TestApp,
} from '../helpers/test-app.js';

const MINUTE = 60_000;
const LIMIT = 10;
/** A new password every policy accepts (used where the current password is what is attacked). */
const NEW_PASSWORD = 'Quartz-Lantern-Orbit-Meadow-7319';

let ipCounter = 0;
/** An address of its own for each test (and each attacker), so address counts never mix. */
const freshIp = () => `10.44.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());
afterEach(() => resetClockForTests());

function signInRequest(app: TestApp, email: string, password: string, ip = freshIp()) {
  return app.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: UI_HEADERS,
    payload: { email, password },
    remoteAddress: ip,
  });
}

/** How many login history rows the account has, per reason (null = success). */
async function reasonsOf(app: TestApp, email: string): Promise<Record<string, number>> {
  const rows = await app.db
    .selectFrom('login_history')
    .select(['reason', 'success'])
    .where('email', '=', email)
    .execute();
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.reason ?? 'success'] = (counts[row.reason ?? 'success'] ?? 0) + 1;
  return counts;
}

const statuses = (answers: LightMyRequestResponse[]) => {
  const counts: Record<number, number> = {};
  for (const answer of answers) counts[answer.statusCode] = (counts[answer.statusCode] ?? 0) + 1;
  return counts;
};

/** `n` requests at once, each made by `send(i)`. */
const burst = (n: number, send: (i: number) => Promise<LightMyRequestResponse>) =>
  Promise.all(Array.from({ length: n }, (_, i) => send(i)));

/** Every refusal before a check is a 429 login_locked that says when to try again. */
function expectLockedAnswers(answers: LightMyRequestResponse[]): void {
  for (const answer of answers.filter((a) => a.statusCode === 429)) {
    expect(errorOf(answer).code).toBe('login_locked');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
  }
}

describe('password sign-in under parallel guessing', () => {
  it('checks at most 10 of 60 wrong passwords sent at once; the rest get 429 login_locked, recorded as locked', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const auditBefore = await lastAuditId(t);
    const answers = await burst(60, (i) => signInRequest(t, user.email, `wrong guess number ${i}`));

    const reasons = await reasonsOf(t, user.email);
    // Before the fix: 58 of 60 were checked.
    expect(reasons.wrong_password ?? 0).toBeLessThanOrEqual(LIMIT);
    expect(reasons.wrong_password).toBe(LIMIT);
    expect(reasons.locked).toBe(60 - LIMIT);
    expect(statuses(answers)).toEqual({ 401: LIMIT, 429: 60 - LIMIT });
    expectLockedAnswers(answers);

    // Locked: the right password is refused too, and the lock was audited once, naming the account.
    const right = await signInRequest(t, user.email, TEST_PASSWORD);
    expect(right.statusCode).toBe(429);
    expect(errorOf(right).code).toBe('login_locked');
    const locked = (await auditSince(t, auditBefore)).filter((a) => a.action === 'account.locked');
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ target_user_id: user.id, actor_user_id: null });
    expect(locked[0]!.details).toMatchObject({ email: user.email.toLowerCase(), failures: LIMIT });
    const lockEnds = Date.parse(String(locked[0]!.details.lockedUntil));
    expect(lockEnds).toBeGreaterThan(nowMs() + 14 * MINUTE);
    expect(lockEnds).toBeLessThanOrEqual(nowMs() + 15 * MINUTE);
  });

  // Two servers behind a load balancer share only the database: the limit must hold across them.
  it.runIf(usingPostgres)('holds across two nodes: 60 guesses split between them check at most 10', async () => {
    const second = await anotherNode(t);
    try {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      const answers = await burst(60, (i) =>
        (i % 2 === 0 ? t.app : second.app).inject({
          method: 'POST',
          url: '/api/v1/session',
          headers: UI_HEADERS,
          payload: { email: user.email, password: `two-node guess ${i}` },
          remoteAddress: freshIp(),
        }),
      );
      expect((await reasonsOf(t, user.email)).wrong_password).toBe(LIMIT);
      expect(statuses(answers)).toEqual({ 401: LIMIT, 429: 60 - LIMIT });
      const right = await second.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers: UI_HEADERS,
        payload: { email: user.email, password: TEST_PASSWORD },
        remoteAddress: freshIp(),
      });
      expect(right.statusCode).toBe(429);
    } finally {
      await second.close();
    }
  });

  it('five bursts of 57: no more than 10 guesses checked in all, and the right password in the last burst does not sign in', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const all: LightMyRequestResponse[] = [];
    for (let round = 0; round < 5; round++) {
      const last = round === 4;
      all.push(
        ...(await burst(57, (i) =>
          signInRequest(t, user.email, last && i === 56 ? TEST_PASSWORD : `round ${round} guess ${i}`),
        )),
      );
    }
    // Before the fix: 285 were checked and the 285th, the right one, signed in.
    expect((await reasonsOf(t, user.email)).wrong_password).toBe(LIMIT);
    expect(all.filter((a) => a.statusCode === 200)).toEqual([]);
    expect(all.at(-1)!.statusCode).toBe(429);
    expect(await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute()).toEqual([]);
  });

  it('keeps the lock as it is while late failures come in, and lets it end by itself after 15 minutes', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    await burst(30, (i) => signInRequest(t, user.email, `first wave ${i}`));
    const lockRow = () =>
      t.db
        .selectFrom('login_throttle')
        .selectAll()
        .where('key', '=', `account:${user.email.toLowerCase()}`)
        .executeTakeFirstOrThrow();
    const lockedUntil = (await lockRow()).locked_until;
    expect(Date.parse(lockedUntil ?? '')).toBeGreaterThan(nowMs());

    shiftClockForTests(10 * MINUTE);
    const late = await burst(30, (i) => signInRequest(t, user.email, `second wave ${i}`));
    expect(statuses(late)).toEqual({ 429: 30 });
    expect((await lockRow()).locked_until).toBe(lockedUntil);
    expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(429);

    shiftClockForTests(5 * MINUTE + 1000);
    expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(200);
    expect((await reasonsOf(t, user.email)).wrong_password).toBe(LIMIT);
  });

  it('locks a made-up email the same way (a lock reveals nothing), without an account to name in the audit', async () => {
    const ghost = `ghost-${Date.now()}@example.test`;
    const auditBefore = await lastAuditId(t);
    const answers = await burst(40, (i) => signInRequest(t, ghost, `guess ${i}`));
    expect(statuses(answers)).toEqual({ 401: LIMIT, 429: 40 - LIMIT });
    const locked = (await auditSince(t, auditBefore)).filter((a) => a.action === 'account.locked');
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ target_user_id: null, target_email: null });
    expect(locked[0]!.details).toMatchObject({ email: ghost });
  });
});

describe('the second step of sign-in under parallel guessing', () => {
  /** A wrong 6-digit code that is certainly not valid around now. */
  function wrongCodes(secret: string, n: number): string[] {
    const valid = new Set([-2, -1, 0, 1, 2].map((s) => codeNow(secret, s)));
    const codes: string[] = [];
    for (let c = 100000; codes.length < n; c++) if (!valid.has(String(c))) codes.push(String(c));
    return codes;
  }

  /** Right passwords one after the other (each takes an attempt for a moment, then gives it back). */
  async function challengesFor(email: string, n: number): Promise<string[]> {
    const challenges: string[] = [];
    for (let i = 0; i < n; i++) challenges.push(await challengeFor(t, email));
    return challenges;
  }

  it('checks at most 10 of 60 TOTP codes sent at once; a right code afterwards is refused while locked', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const { secret } = await giveTotpFactor(t, user.id);
    // Twelve challenges (each dies after 5 wrong codes), five codes each, so every code reaches the check.
    const challenges = await challengesFor(user.email, 12);
    const spare = await challengeFor(t, user.email);
    const codes = wrongCodes(secret, 60);
    const answers = await burst(60, (i) => mfaStep(t, { challenge: challenges[i % 12]!, code: codes[i]! }));

    // Before the fix: all 60 were checked.
    expect((await reasonsOf(t, user.email)).wrong_mfa_code).toBe(LIMIT);
    expect(answers.filter((a) => a.statusCode === 200)).toEqual([]);
    expectLockedAnswers(answers);
    const right = await mfaStep(t, { challenge: spare, code: codeNow(secret) });
    expect(right.statusCode).toBe(429);
    expect(errorOf(right).code).toBe('login_locked');
    expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(429);
  });

  /** Well-formed (16 base32 characters) but made up. */
  const wrongRecoveryCode = (i: number) => {
    const base32 = 'abcdefghijklmnopqrstuvwxyz234567';
    return `aaaa-bbbb-cccc-dd${base32[Math.floor(i / 32)]}${base32[i % 32]}`;
  };

  it('checks at most 10 of 60 recovery codes sent at once', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const { recoveryCodes } = await giveTotpFactor(t, user.id);
    const challenges = await challengesFor(user.email, 12);
    const spare = await challengeFor(t, user.email);
    const answers = await burst(60, (i) =>
      mfaStep(t, { challenge: challenges[i % 12]!, recoveryCode: wrongRecoveryCode(i) }),
    );
    expect((await reasonsOf(t, user.email)).wrong_recovery_code).toBe(LIMIT);
    expect(answers.filter((a) => a.statusCode === 200)).toEqual([]);
    expectLockedAnswers(answers);
    const right = await mfaStep(t, { challenge: spare, recoveryCode: recoveryCodes[0]! });
    expect(right.statusCode).toBe(429);
  });

  it('a right password of an MFA account gives its attempt back: only the second factor clears the count', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const { secret } = await giveTotpFactor(t, user.id);
    for (let i = 0; i < 9; i++) expect((await signInRequest(t, user.email, `wrong ${i}`)).statusCode).toBe(401);
    // Any number of right passwords neither uses up nor resets the last attempt.
    const challenges: string[] = [];
    for (let i = 0; i < 5; i++) challenges.push(await challengeFor(t, user.email));
    const [wrong] = wrongCodes(secret, 1);
    expect(errorOf(await mfaStep(t, { challenge: challenges[0]!, code: wrong! })).code).toBe('mfa_code_invalid');
    expect((await mfaStep(t, { challenge: challenges[1]!, code: codeNow(secret) })).statusCode).toBe(429);
  });
});

describe('the current password under parallel guessing (a stolen session)', () => {
  async function sessionOf(user: { id: string }): Promise<{ caller: Caller; ip: string }> {
    return { caller: await quickSession(t, user), ip: freshIp() };
  }

  const cases: Array<{
    name: string;
    setUp?: (user: { id: string }) => Promise<void>;
    send: (caller: Caller, user: { id: string }, currentPassword: string) => Promise<LightMyRequestResponse>;
    rightAnswer: number;
  }> = [
    {
      name: 'the forced-change screen (POST /api/v1/me/password)',
      send: (caller, _user, currentPassword) =>
        caller.request({
          method: 'POST',
          url: '/api/v1/me/password',
          payload: { currentPassword, newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD },
        }),
      rightAnswer: 204,
    },
    {
      name: 'Reset Your Password on the Password & Security tab',
      send: (caller, user, currentPassword) =>
        caller.request({
          method: 'PATCH',
          url: `/api/v1/users/${user.id}/security`,
          payload: {
            resetPassword: { currentPassword, newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD },
          },
        }),
      rightAnswer: 200,
    },
    {
      name: 'removing an MFA factor',
      setUp: async (user) => {
        await giveTotpFactor(t, user.id);
        await giveTotpFactor(t, user.id);
      },
      send: async (caller, user, currentPassword) => {
        const factor = await t.db
          .selectFrom('mfa_factors')
          .select('id')
          .where('user_id', '=', user.id)
          .executeTakeFirstOrThrow();
        return caller.request({
          method: 'DELETE',
          url: `/api/v1/me/mfa/factors/${factor.id}`,
          payload: { currentPassword },
        });
      },
      rightAnswer: 204,
    },
    {
      name: 'starting an authenticator app',
      send: (caller, _user, currentPassword) =>
        caller.request({ method: 'POST', url: '/api/v1/me/mfa/totp', payload: { currentPassword } }),
      rightAnswer: 201,
    },
    {
      name: 'starting a passkey',
      send: (caller, _user, currentPassword) =>
        caller.request({ method: 'POST', url: '/api/v1/me/mfa/passkeys/options', payload: { currentPassword } }),
      rightAnswer: 200,
    },
    {
      name: 'making new recovery codes',
      setUp: async (user) => void (await giveTotpFactor(t, user.id)),
      send: (caller, _user, currentPassword) =>
        caller.request({ method: 'POST', url: '/api/v1/me/mfa/recovery-codes', payload: { currentPassword } }),
      rightAnswer: 200,
    },
  ];

  for (const { name, setUp, send, rightAnswer } of cases) {
    it(`${name}: at most 10 of 60 wrong current passwords checked; then even the right one is refused`, async () => {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      await setUp?.(user);
      const { caller, ip } = await sessionOf(user);
      const from = (c: Caller): Caller => ({
        ...c,
        request: (options) => c.request({ ...options, remoteAddress: ip }),
      });
      const answers = await burst(60, (i) => send(from(caller), user, `not my password ${i}`));

      expect((await reasonsOf(t, user.email)).wrong_password).toBe(LIMIT);
      expect(statuses(answers)).toEqual({ 400: LIMIT, 429: 60 - LIMIT });
      expectLockedAnswers(answers);
      const right = await send(from(caller), user, TEST_PASSWORD);
      expect(right.statusCode).toBe(429);
      expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(429);

      shiftClockForTests(15 * MINUTE + 1000);
      const { caller: later } = await sessionOf(user);
      expect((await send(from(later), user, TEST_PASSWORD)).statusCode).toBe(rightAnswer);
    });
  }
});

describe('per address: spraying is slowed and refused, neighbours are not locked out', () => {
  it('10 failures on made-up emails from one address do not lock a real account signing in from it', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    const office = freshIp();
    const madeUp = (i: number) => `nobody-${i}-${Date.now()}@example.test`;
    for (let i = 0; i < 10; i++) await signInRequest(t, madeUp(i), 'Summer2026!!', office);
    // Before the fix: 429 login_locked (the address shared the account's limit of 10).
    expect((await signInRequest(t, user.email, TEST_PASSWORD, office)).statusCode).toBe(200);
    // Past the address's slow-down threshold too.
    await burst(15, (i) => signInRequest(t, madeUp(10 + i), 'Summer2026!!', office));
    expect((await signInRequest(t, user.email, TEST_PASSWORD, office)).statusCode).toBe(200);
  });

  it('refuses failed attempts from an address after 100 failures across accounts, audited once; a right password still signs in', async () => {
    const accounts = await Promise.all(Array.from({ length: 12 }, () => quickUser(t, SYSTEM_GROUP_IDS.regularUser)));
    const sprayer = freshIp();
    const auditBefore = await lastAuditId(t);
    const answers: LightMyRequestResponse[] = [];
    // 9 guesses per account (below each account's limit), 108 in all: a spraying attack.
    for (const account of accounts) {
      answers.push(...(await burst(9, (i) => signInRequest(t, account.email, `Spring202${i}!!`, sprayer))));
    }
    expect(statuses(answers)).toEqual({ 401: 100, 429: 8 });
    for (const refused of answers.filter((a) => a.statusCode === 429)) {
      expect(errorOf(refused).code).toBe('address_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    const limited = await t.db
      .selectFrom('login_history')
      .select('email')
      .where('ip', '=', sprayer)
      .where('reason', '=', 'address_limited')
      .execute();
    expect(limited).toHaveLength(8);
    const audits = (await auditSince(t, auditBefore)).filter((a) => a.action === 'address.limited');
    expect(audits).toHaveLength(1);
    expect(audits[0]!.details).toMatchObject({ address: sprayer, failures: 101 });

    // No account is locked (9 failures each), and a right password from that very address signs in.
    expect((await signInRequest(t, accounts[11]!.email, TEST_PASSWORD, sprayer)).statusCode).toBe(200);
    // A failure of a real person from the address is refused as well, but never locks anybody else.
    expect(errorOf(await signInRequest(t, accounts[0]!.email, 'typo', sprayer)).code).toBe('address_limited');
    expect((await signInRequest(t, accounts[1]!.email, TEST_PASSWORD, freshIp())).statusCode).toBe(200);
    // The address's window ends by itself.
    shiftClockForTests(15 * MINUTE + 1000);
    expect(errorOf(await signInRequest(t, accounts[2]!.email, 'typo', sprayer)).code).toBe('invalid_credentials');
  });

  it('slows failed answers from an address after 20 failures (not before)', async () => {
    const slow = await createTestApp({ LATCHKEY_LOGIN_DELAY_STEP_MS: '40' });
    try {
      const sprayer = freshIp();
      const started: number[] = [];
      for (let i = 0; i < 25; i++) {
        const start = Date.now();
        const answer = await signInRequest(slow, `spray-${i}@example.test`, 'Autumn2026!!', sprayer);
        expect(answer.statusCode).toBe(401);
        started.push(Date.now() - start);
      }
      // The 25th failure of the address waits (25 − 20) × 40 ms at least; each account failed once.
      expect(started[24]).toBeGreaterThanOrEqual(5 * 40 - 5);
    } finally {
      await slow.close();
    }
  });
});

describe('unlocking an account early', () => {
  async function lockedAccount(groupId: string = SYSTEM_GROUP_IDS.regularUser) {
    const user = await quickUser(t, groupId);
    await burst(12, (i) => signInRequest(t, user.email, `locking ${i}`));
    expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(429);
    return user;
  }

  it("shows when sign-in is locked in the account's data; an Administrator unlocks it, audited, and the person signs in", async () => {
    const user = await lockedAccount();
    const admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    const shown = await admin.request({ method: 'GET', url: `/api/v1/users/${user.id}` });
    expect(shown.statusCode).toBe(200);
    const lockedUntil = shown.json<{ signInLockedUntil: string | null }>().signInLockedUntil;
    expect(Date.parse(lockedUntil ?? '')).toBeGreaterThan(nowMs());
    // The list stays one query: it does not carry the lock.
    const list = await admin.request({ method: 'GET', url: `/api/v1/users?search=${encodeURIComponent(user.email)}` });
    expect(list.json<{ users: Array<Record<string, unknown>> }>().users[0]).not.toHaveProperty('signInLockedUntil');

    const auditBefore = await lastAuditId(t);
    const unlock = await admin.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/sign-in-lock` });
    expect(unlock.statusCode, unlock.body).toBe(204);
    const audits = (await auditSince(t, auditBefore)).filter((a) => a.action === 'account.unlocked');
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ target_user_id: user.id });
    expect(audits[0]!.details).toMatchObject({ lockedUntil });

    const after = await admin.request({ method: 'GET', url: `/api/v1/users/${user.id}` });
    expect(after.json<{ signInLockedUntil: string | null }>().signInLockedUntil).toBeNull();
    expect((await signInRequest(t, user.email, TEST_PASSWORD)).statusCode).toBe(200);
    // Nothing to unlock any more.
    expect((await admin.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/sign-in-lock` })).statusCode).toBe(
      404,
    );
  });

  it('refuses callers who may not change the account’s status (403), changing nothing', async () => {
    const target = await lockedAccount(SYSTEM_GROUP_IDS.administrator);
    const regular = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.regularUser));
    const manager = await quickSession(
      t,
      await quickUser(t, await createCustomGroup(t, ['users_groups:view', 'users_groups:update'])),
    );
    const before = await t.db.selectFrom('login_throttle').selectAll().execute();
    const auditBefore = await lastAuditId(t);
    for (const caller of [regular, manager]) {
      const refused = await caller.request({ method: 'DELETE', url: `/api/v1/users/${target.id}/sign-in-lock` });
      expect(refused.statusCode, refused.body).toBe(403);
    }
    expect(await t.db.selectFrom('login_throttle').selectAll().execute()).toEqual(before);
    expect(await auditSince(t, auditBefore)).toEqual([]);
    expect((await signInRequest(t, target.email, TEST_PASSWORD)).statusCode).toBe(429);
  });
});
