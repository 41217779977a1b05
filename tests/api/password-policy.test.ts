/**
 * The password policy on every path that sets a password through the API: the setup link, New
 * User, an Administrator's reset, the forced change and your own change. A weak password gets 400
 * with a field message that says why, and changes nothing (not even an audit entry). Also: a
 * password with accents signs in however the keyboard encodes them (NFC). SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSetupLink } from '../../src/server/services/setup.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { errorOf, quickSession, quickUser, stateSnapshot, uniqueEmail } from '../helpers/fixtures.js';
import { createTestApp, signIn, UI_HEADERS, type Caller, type TestApp } from '../helpers/test-app.js';

/** Accepted by main before the policy used a larger blocklist, context words and an estimator. */
const WEAK = 'Latchkey2026!!';
const WEAK_MESSAGE = 'Too easy to guess: it is mostly the product name.';
const STRONG = 'violet harbour lantern 93';

let t: TestApp;
let admin: Caller;

/** Everything, the setup link's row included: a refused setup puts back the very row it claimed. */
const state = stateSnapshot;

/** Sends a request that must be refused with 400 and `message` on `field`, and checks nothing changed. */
async function expectWeakRefused(
  app: TestApp,
  send: () => ReturnType<Caller['request']>,
  field: string,
  message: string = WEAK_MESSAGE,
): Promise<void> {
  const before = await state(app);
  const response = await send();
  expect(response.statusCode, response.body).toBe(400);
  expect(errorOf(response).fields?.[field]).toBe(message);
  expect(await state(app)).toEqual(before);
}

/** A new account with a password, created by the Administrator through the API. */
async function newUser(password = STRONG, overrides: Record<string, unknown> = {}) {
  const email = uniqueEmail('policy');
  const response = await admin.request({
    method: 'POST',
    url: '/api/v1/users',
    payload: {
      email,
      firstName: 'Priya',
      lastName: 'Ramanathan',
      title: '',
      telephone: '',
      password,
      confirmPassword: password,
      securityGroupId: SYSTEM_GROUP_IDS.regularUser,
      sessionTimeoutMinutes: 60,
      functionalGroup: '',
      ...overrides,
    },
  });
  return { response, email };
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
});
afterAll(async () => t?.close());

describe('every path that sets a password refuses a weak one with 400 and changes nothing', () => {
  it('the setup link, on a fresh installation (the link keeps working)', async () => {
    const fresh = await createTestApp();
    try {
      const link = await issueSetupLink(fresh.db, fresh.config.publicUrl);
      const token = /#token=(.+)$/.exec(link!)![1]!;
      const setup = (password: string) =>
        fresh.app.inject({
          method: 'POST',
          url: '/api/v1/setup',
          headers: UI_HEADERS,
          payload: {
            token,
            email: 'first.admin@example.test',
            firstName: 'First',
            lastName: 'Admin',
            password,
            confirmPassword: password,
          },
        });
      await expectWeakRefused(fresh, () => setup(WEAK), 'password');
      await expectWeakRefused(
        fresh,
        () => setup('FirstAdmin2026!'),
        'password',
        'Too easy to guess: it is mostly your name.',
      );
      const created = await setup(STRONG);
      expect(created.statusCode, created.body).toBe(201);
    } finally {
      await fresh.close();
    }
  });

  it('New User', async () => {
    await expectWeakRefused(t, async () => (await newUser(WEAK)).response, 'password');
    await expectWeakRefused(
      t,
      async () => (await newUser('password123456789')).response,
      'password',
      'Too easy to guess: this is similar to a commonly used password. Add another word or two that others would not guess.',
    );
    await expectWeakRefused(
      t,
      async () => (await newUser('Priya Ramanathan 1990')).response,
      'password',
      'Too easy to guess: it is mostly your name.',
    );
  });

  it("an Administrator's reset of another account", async () => {
    const user = (await newUser()).response.json<{ id: string }>();
    await expectWeakRefused(
      t,
      () =>
        admin.request({
          method: 'PATCH',
          url: `/api/v1/users/${user.id}/security`,
          payload: { resetPassword: { newPassword: WEAK, confirmNewPassword: WEAK } },
        }),
      'newPassword',
    );
    await expectWeakRefused(
      t,
      () =>
        admin.request({
          method: 'PATCH',
          url: `/api/v1/users/${user.id}/security`,
          payload: { resetPassword: { newPassword: 'latchkeylatchkey', confirmNewPassword: 'latchkeylatchkey' } },
        }),
      'newPassword',
    );
  });

  it('the forced change at next sign-in', async () => {
    const { email, response } = await newUser();
    const user = response.json<{ id: string }>();
    const set = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/security`,
      payload: { mustChangePassword: true },
    });
    expect(set.statusCode, set.body).toBe(200);
    const session = await signIn(t, email, STRONG);
    await expectWeakRefused(
      t,
      () =>
        session.request({
          method: 'POST',
          url: '/api/v1/me/password',
          payload: { currentPassword: STRONG, newPassword: WEAK, confirmNewPassword: WEAK },
        }),
      'newPassword',
    );
    // Still blocked until a good password is chosen.
    expect((await session.request({ method: 'GET', url: `/api/v1/users/${user.id}` })).statusCode).toBe(403);
  });

  it('your own change, on the Password & Security tab and through /me/password', async () => {
    const { email } = await newUser();
    const session = await signIn(t, email, STRONG);
    const me = (await session.request({ method: 'GET', url: '/api/v1/me' })).json<{ user: { id: string } }>().user;
    await expectWeakRefused(
      t,
      () =>
        session.request({
          method: 'PATCH',
          url: `/api/v1/users/${me.id}/security`,
          payload: { resetPassword: { currentPassword: STRONG, newPassword: WEAK, confirmNewPassword: WEAK } },
        }),
      'newPassword',
    );
    await expectWeakRefused(
      t,
      () =>
        session.request({
          method: 'POST',
          url: '/api/v1/me/password',
          payload: { currentPassword: STRONG, newPassword: WEAK, confirmNewPassword: WEAK },
        }),
      'newPassword',
    );
  });
});

describe('Unicode passwords are normalised (NFC) before hashing and comparing', () => {
  const precomposed = 'caf\u00e9 cr\u00e8me br\u00fbl\u00e9e'; // "é" as one code point
  const decomposed = precomposed.normalize('NFD'); // "e" + combining accent, as some keyboards send it

  it('"é" typed precomposed or decomposed both sign in, whichever form set the password', async () => {
    expect(decomposed).not.toBe(precomposed);
    for (const setWith of [precomposed, decomposed]) {
      const { response, email } = await newUser(setWith);
      expect(response.statusCode, response.body).toBe(201);
      await signIn(t, email, precomposed);
      await signIn(t, email, decomposed);
    }
  });

  it('a password typed in one form and confirmed in the other is the same password', async () => {
    const { response, email } = await newUser(precomposed, { confirmPassword: decomposed });
    expect(response.statusCode, response.body).toBe(201);
    await signIn(t, email, decomposed);
  });
});
