/**
 * Passkeys (WebAuthn) over the API, with a software authenticator making real
 * attestations and assertions (tests/helpers/webauthn-authenticator.ts): registration (password
 * rule, first factor turns MFA on with recovery codes), sign-in with a passkey (no cookie before it,
 * login history, same failure rules as codes), and the attacks: another origin or rpID, a replayed
 * challenge, a counter going back, another account's credential.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetClockForTests, shiftClockForTests } from '../../src/server/clock.js';
import { MAX_CHALLENGE_FAILURES } from '../../src/server/services/mfa.js';
import { WEBAUTHN_CHALLENGE_LIFETIME_MS } from '../../src/server/services/passkeys.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import type { PasskeyCreationOptions, PasskeyRequestOptions } from '../../src/shared/schemas/mfa.js';
import { auditSince, errorOf, lastAuditId, quickSession, quickUser } from '../helpers/fixtures.js';
import {
  challengeFor,
  givePasskeyFactor,
  giveTotpFactor,
  mfaStep,
  passkeySignInOptions,
  loginRows,
  passwordStep,
  sessionCookieOf,
  sessionCount,
} from '../helpers/mfa-fixtures.js';
import { createTestApp, TEST_PASSWORD, type Caller, type TestApp } from '../helpers/test-app.js';
import { SoftwareAuthenticator } from '../helpers/webauthn-authenticator.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());
afterEach(() => resetClockForTests());

const readOnly = () => quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
const newAuthenticator = () => new SoftwareAuthenticator(t.config.publicUrl.origin);

async function creationOptions(caller: Caller, body: object = { currentPassword: TEST_PASSWORD }) {
  const response = await caller.request({ method: 'POST', url: '/api/v1/me/mfa/passkeys/options', payload: body });
  return { response, options: response.json<PasskeyCreationOptions>() };
}

async function register(caller: Caller, name: string, response: unknown) {
  return caller.request({ method: 'POST', url: '/api/v1/me/mfa/passkeys', payload: { name, response } });
}

/** Step 1 and the passkey options for it. */
async function signInOptions(email: string): Promise<{ challenge: string; options: PasskeyRequestOptions }> {
  const challenge = await challengeFor(t, email);
  const response = await passkeySignInOptions(t, challenge);
  expect(response.statusCode, response.body).toBe(200);
  return { challenge, options: response.json<PasskeyRequestOptions>() };
}

describe('registering a passkey', () => {
  it('needs the current password, then stores a named passkey; the first factor turns MFA on with recovery codes', async () => {
    const user = await readOnly();
    const caller = await quickSession(t, user);
    const noPassword = await creationOptions(caller, {});
    expect(noPassword.response.statusCode).toBe(400);
    const wrongPassword = await creationOptions(caller, { currentPassword: 'not my password' });
    expect(wrongPassword.response.statusCode).toBe(400);

    const { response, options } = await creationOptions(caller);
    expect(response.statusCode, response.body).toBe(200);
    expect(options.rp).toEqual({ name: 'Latchkey', id: t.config.publicUrl.hostname });
    expect(options.user.name).toBe(user.email);
    expect(options.attestation).toBe('none');
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'preferred' });

    const auditBefore = await lastAuditId(t);
    const authenticator = newAuthenticator();
    const registered = await register(caller, '  Work laptop  ', authenticator.createCredential(options));
    expect(registered.statusCode, registered.body).toBe(201);
    const body = registered.json<{ factor: { id: string; kind: string; name: string }; recoveryCodes: string[] }>();
    expect(body.factor).toMatchObject({ kind: 'passkey', name: 'Work laptop', lastUsedAt: null });
    expect(body.recoveryCodes).toHaveLength(10);

    const status = await caller.request({ method: 'GET', url: '/api/v1/me/mfa' });
    expect(status.json()).toMatchObject({ required: true, recoveryCodesLeft: 10 });
    expect(status.json<{ factors: unknown[] }>().factors).toEqual([
      { id: body.factor.id, kind: 'passkey', name: 'Work laptop', createdAt: expect.any(String), lastUsedAt: null },
    ]);
    const audit = await auditSince(t, auditBefore);
    expect(audit.map((a) => [a.action, a.details])).toEqual([
      [
        'mfa.factor_enrolled',
        { factorId: body.factor.id, kind: 'passkey', name: 'Work laptop', recoveryCodesIssued: true },
      ],
    ]);
    // Only the public key is stored.
    const row = await t.db
      .selectFrom('mfa_factors')
      .selectAll()
      .where('id', '=', body.factor.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ secret_encrypted: null, transports: '["internal"]', backed_up: 0 });
    expect(row.confirmed_at).not.toBeNull();

    // A second passkey: no new recovery codes; the first one is excluded from the new options.
    const second = await creationOptions(caller);
    expect(second.options.excludeCredentials?.map((c) => c.id)).toEqual([row.credential_id]);
    const again = await register(caller, 'Phone', newAuthenticator().createCredential(second.options));
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json<{ recoveryCodes: null }>().recoveryCodes).toBeNull();
  });

  it('is open without the password during forced enrollment, and ends it', async () => {
    const user = await readOnly();
    await t.db.updateTable('users').set({ mfa_enrolled: 1 }).where('id', '=', user.id).execute();
    const caller = await quickSession(t, user);
    expect((await caller.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(403);
    const { response, options } = await creationOptions(caller, {});
    expect(response.statusCode, response.body).toBe(200);
    const registered = await register(caller, 'Key', newAuthenticator().createCredential(options));
    expect(registered.statusCode, registered.body).toBe(201);
    const me = await caller.request({ method: 'GET', url: '/api/v1/me/mfa' });
    expect(me.json()).toMatchObject({ required: true, enrollmentPending: false });
  });

  it('refuses a response from another origin, for another rpID, to a used or expired challenge, and changes nothing', async () => {
    const user = await readOnly();
    const caller = await quickSession(t, user);
    const factors = () => t.db.selectFrom('mfa_factors').selectAll().where('user_id', '=', user.id).execute();

    const cases: [string, (options: PasskeyCreationOptions) => unknown][] = [
      ['origin', (o) => newAuthenticator().createCredential(o, { origin: 'https://evil.example' })],
      ['rpID', (o) => newAuthenticator().createCredential(o, { rpId: 'evil.example' })],
      ['unknown challenge', (o) => newAuthenticator().createCredential(o, { challenge: 'AAAAAAAAAAAAAAAAAAAAAA' })],
    ];
    for (const [label, make] of cases) {
      const { options } = await creationOptions(caller);
      const refused = await register(caller, 'Key', make(options));
      expect(refused.statusCode, label).toBe(400);
      expect(errorOf(refused).code, label).toBe('passkey_invalid');
    }

    // Replaying a challenge: the first use takes it, the second finds nothing.
    const { options } = await creationOptions(caller);
    const authenticator = newAuthenticator();
    expect((await register(caller, 'Key', authenticator.createCredential(options))).statusCode).toBe(201);
    const replay = await register(caller, 'Key 2', newAuthenticator().createCredential(options));
    expect(errorOf(replay).code).toBe('passkey_invalid');

    // Expired.
    const late = await creationOptions(caller);
    shiftClockForTests(WEBAUTHN_CHALLENGE_LIFETIME_MS + 1000);
    const expired = await register(caller, 'Key 3', newAuthenticator().createCredential(late.options));
    expect(errorOf(expired).code).toBe('passkey_invalid');
    expect(await factors()).toHaveLength(1);
  });

  it("cannot use another account's challenge, or register a credential twice", async () => {
    const alice = await quickSession(t, await readOnly());
    const bob = await quickSession(t, await readOnly());
    const { options } = await creationOptions(alice);
    const stolen = await register(bob, 'Key', newAuthenticator().createCredential(options));
    expect(errorOf(stolen).code).toBe('passkey_invalid');

    const first = await creationOptions(alice);
    const credential = newAuthenticator().createCredential(first.options);
    expect((await register(alice, 'Key', credential)).statusCode).toBe(201);
    // The same credential ID again (answering a fresh challenge of the other account).
    const fresh = await creationOptions(bob);
    const clientData = JSON.parse(Buffer.from(credential.response.clientDataJSON, 'base64url').toString()) as object;
    const duplicate = {
      ...credential,
      response: {
        ...credential.response,
        clientDataJSON: Buffer.from(JSON.stringify({ ...clientData, challenge: fresh.options.challenge })).toString(
          'base64url',
        ),
      },
    };
    const twice = await register(bob, 'Key', duplicate);
    expect(twice.statusCode, twice.body).toBe(409);
    expect(errorOf(twice).code).toBe('passkey_already_registered');
  });

  it('validates the name and the response shape', async () => {
    const caller = await quickSession(t, await readOnly());
    const { options } = await creationOptions(caller);
    const response = newAuthenticator().createCredential(options);
    const empty = await register(caller, '   ', response);
    expect(empty.statusCode).toBe(400);
    expect(errorOf(empty).fields?.name).toBe('Passkey Name is required.');
    expect((await register(caller, 'x'.repeat(101), response)).statusCode).toBe(400);
    const garbage = await register(caller, 'Key', { ...response, response: { clientDataJSON: 'not base64url!' } });
    expect(garbage.statusCode).toBe(400);
    expect(errorOf(garbage).code).toBe('validation_failed');
  });
});

describe('signing in with a passkey', () => {
  it('offers passkeys in the challenge, and starts the session only after a valid assertion', async () => {
    const user = await readOnly();
    const { authenticator, factorId } = await givePasskeyFactor(t, user);
    const step1 = await passwordStep(t, user.email);
    expect(step1.json()).toEqual({ mfaRequired: true, challenge: expect.any(String), passkey: true });
    expect(step1.headers['set-cookie']).toBeUndefined();
    const challenge = step1.json<{ challenge: string }>().challenge;

    const optionsResponse = await passkeySignInOptions(t, challenge);
    expect(optionsResponse.statusCode).toBe(200);
    expect(optionsResponse.headers['set-cookie']).toBeUndefined();
    const options = optionsResponse.json<PasskeyRequestOptions>();
    expect(options).toMatchObject({ rpId: t.config.publicUrl.hostname, userVerification: 'preferred' });
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([...authenticator.credentials.keys()]);
    expect(await sessionCount(t, user.id)).toBe(0);

    const step2 = await mfaStep(t, { challenge, passkey: authenticator.getAssertion(options) });
    expect(step2.statusCode, step2.body).toBe(200);
    expect(sessionCookieOf(step2)).not.toBeNull();
    expect(await sessionCount(t, user.id)).toBe(1);
    const rows = await loginRows(t, user.id);
    expect(rows.map((r) => [r.success, r.method, r.reason])).toEqual([[1, 'password+passkey', null]]);
    const factor = await t.db
      .selectFrom('mfa_factors')
      .selectAll()
      .where('id', '=', factorId)
      .executeTakeFirstOrThrow();
    expect(Number(factor.sign_count)).toBe(1);
    expect(factor.last_used_at).not.toBeNull();
    // Everything of the ceremony is gone.
    expect(await t.db.selectFrom('webauthn_challenges').selectAll().where('user_id', '=', user.id).execute()).toEqual(
      [],
    );
  });

  it('still accepts a TOTP code from an account that has both', async () => {
    const user = await readOnly();
    await givePasskeyFactor(t, user);
    await giveTotpFactor(t, user.id);
    const step1 = await passwordStep(t, user.email);
    expect(step1.json<{ passkey: boolean }>().passkey).toBe(true);
  });

  it('answers options only for a live challenge of an account with a passkey', async () => {
    const withTotp = await readOnly();
    await giveTotpFactor(t, withTotp.id);
    const noPasskey = await passkeySignInOptions(t, await challengeFor(t, withTotp.email));
    expect(noPasskey.statusCode).toBe(409);
    expect(errorOf(noPasskey).code).toBe('passkey_not_available');
    const unknown = await passkeySignInOptions(t, 'not-a-challenge');
    expect(unknown.statusCode).toBe(401);
    expect(errorOf(unknown).code).toBe('mfa_challenge_invalid');
  });

  it('refuses another origin, another rpID, a replayed challenge, a counter going back, and another account’s credential', async () => {
    const user = await readOnly();
    const { authenticator, credentialId } = await givePasskeyFactor(t, user);
    const other = await readOnly();
    const otherKey = await givePasskeyFactor(t, other);
    const auditBefore = await lastAuditId(t);

    // One valid sign-in first, so the counter is 1 and a replay has something to replay.
    const first = await signInOptions(user.email);
    const valid = authenticator.getAssertion(first.options);
    expect((await mfaStep(t, { challenge: first.challenge, passkey: valid })).statusCode).toBe(200);

    const attempts: [string, (challenge: string, options: PasskeyRequestOptions) => unknown][] = [
      ['origin', (_c, o) => authenticator.getAssertion(o, { origin: 'https://evil.example' })],
      ['rpID', (_c, o) => authenticator.getAssertion(o, { rpId: 'evil.example' })],
      ['replayed assertion', () => valid],
      ['replayed challenge', (_c, o) => authenticator.getAssertion(o, { challenge: first.options.challenge })],
      ['counter going back', (_c, o) => authenticator.getAssertion(o, { signCount: 1 })],
      [
        "another account's credential",
        (_c, o) => otherKey.authenticator.getAssertion(o, { credentialId: otherKey.credentialId }),
      ],
      ['no options asked', () => authenticator.getAssertion({ challenge: 'AAAAAAAAAAAAAAAAAAAAAA' })],
    ];
    for (const [label, make] of attempts) {
      const { challenge, options } = await signInOptions(user.email);
      const refused = await mfaStep(t, { challenge, passkey: make(challenge, options) });
      expect(refused.statusCode, `${label}: ${refused.body}`).toBe(400);
      expect(errorOf(refused), label).toEqual({ code: 'mfa_code_invalid', message: 'The code is incorrect.' });
      expect(sessionCookieOf(refused), label).toBeNull();
    }
    expect(await sessionCount(t, user.id)).toBe(1);
    expect(credentialId).not.toBe(otherKey.credentialId);
    const failures = (await loginRows(t, user.id)).filter((r) => r.success === 0);
    expect(failures.map((r) => [r.method, r.reason])).toEqual(
      attempts.map(() => ['password+passkey', 'passkey_failed']),
    );
    const audit = await auditSince(t, auditBefore);
    expect(audit.filter((a) => a.action === 'mfa.code_failed')).toHaveLength(attempts.length);
    expect(audit[0]!.details).toEqual({ method: 'password+passkey' });
  });

  it('uses a WebAuthn challenge once: the second answer to the same options is refused', async () => {
    const user = await readOnly();
    const { authenticator } = await givePasskeyFactor(t, user);
    const { challenge, options } = await signInOptions(user.email);
    const wrong = authenticator.getAssertion(options, { origin: 'https://evil.example' });
    expect((await mfaStep(t, { challenge, passkey: wrong })).statusCode).toBe(400);
    // Same sign-in challenge (still alive after one failure), same WebAuthn challenge, now signed right.
    const right = await mfaStep(t, { challenge, passkey: authenticator.getAssertion(options) });
    expect(errorOf(right).code).toBe('mfa_code_invalid');
    // Asking for new options gives a new WebAuthn challenge that works.
    const fresh = await passkeySignInOptions(t, challenge);
    const ok = await mfaStep(t, {
      challenge,
      passkey: authenticator.getAssertion(fresh.json<PasskeyRequestOptions>()),
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('kills the sign-in challenge after 5 failed passkeys, like wrong codes', async () => {
    const user = await readOnly();
    const { authenticator } = await givePasskeyFactor(t, user);
    const challenge = await challengeFor(t, user.email);
    for (let i = 0; i < MAX_CHALLENGE_FAILURES; i += 1) {
      const options = (await passkeySignInOptions(t, challenge)).json<PasskeyRequestOptions>();
      const refused = await mfaStep(t, {
        challenge,
        passkey: authenticator.getAssertion(options, { origin: 'https://evil.example' }),
      });
      expect(errorOf(refused).code).toBe('mfa_code_invalid');
    }
    const afterwards = await passkeySignInOptions(t, challenge);
    expect(errorOf(afterwards).code).toBe('mfa_challenge_invalid');
    expect(await sessionCount(t, user.id)).toBe(0);
  });

  it('takes exactly one of code, recovery code or passkey', async () => {
    const user = await readOnly();
    const { authenticator } = await givePasskeyFactor(t, user);
    const { challenge, options } = await signInOptions(user.email);
    const both = await mfaStep(t, { challenge, code: '123456', passkey: authenticator.getAssertion(options) });
    expect(both.statusCode).toBe(400);
    expect(errorOf(both).code).toBe('validation_failed');
  });
});

describe('removing a passkey', () => {
  it('follows the authenticator rules: password, never the last one, audited', async () => {
    const user = await readOnly();
    const { factorId: totpId } = await giveTotpFactor(t, user.id);
    const { factorId } = await givePasskeyFactor(t, user);
    const caller = await quickSession(t, user);
    const remove = (id: string, currentPassword = TEST_PASSWORD) =>
      caller.request({ method: 'DELETE', url: `/api/v1/me/mfa/factors/${id}`, payload: { currentPassword } });
    expect((await remove(factorId, 'wrong password')).statusCode).toBe(400);
    const auditBefore = await lastAuditId(t);
    expect((await remove(factorId)).statusCode).toBe(204);
    const audit = await auditSince(t, auditBefore);
    expect(audit.map((a) => [a.action, a.details])).toEqual([
      ['mfa.factor_removed', { factorId, kind: 'passkey', name: 'Test passkey' }],
    ]);
    // Removed: signing in offers no passkey any more.
    expect((await passwordStep(t, user.email)).json<{ passkey: boolean }>().passkey).toBe(false);
    const last = await remove(totpId);
    expect(errorOf(last).code).toBe('mfa_last_factor');
  });
});
