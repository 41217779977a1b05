/**
 * An account's Sessions tab through the API: the list (public IDs only, browser and OS, the
 * current one marked, how it signed in), signing out one session and all of them, who may (own
 * always; others' by the account-status rule), the audit entries, and that an ended session's
 * cookie stops working on the very next request, on this node and another. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import type { AccountSession } from '../../src/shared/schemas/account-sessions.js';
import { createSession } from '../../src/server/auth/sessions.js';
import { hashSecret } from '../../src/server/security/secrets.js';
import {
  auditSince,
  createCustomGroup,
  errorOf,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
} from '../helpers/fixtures.js';
import { anotherNode, createTestApp, signIn, usingPostgres, type Caller, type TestApp } from '../helpers/test-app.js';
import { insertOidcProvider } from '../helpers/identity-provider-fixtures.js';

const FIREFOX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function list(caller: Caller, userId: string): Promise<AccountSession[]> {
  const response = await caller.request({ method: 'GET', url: `/api/v1/users/${userId}/sessions` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ sessions: AccountSession[] }>().sessions;
}

const alive = async (caller: Caller) => (await caller.request({ method: 'GET', url: '/api/v1/me' })).statusCode;

describe('the list', () => {
  it('shows every live session of the account, its own marked current, never a secret', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const me = await signIn(t, user.email);
    const other = await createSession(t.db, user.id, { ip: '198.51.100.4', userAgent: FIREFOX });
    // Past its absolute end: not live, not listed.
    await createSession(
      t.db,
      user.id,
      { ip: '198.51.100.5', userAgent: FIREFOX },
      { expiresAt: '2000-01-01T00:00:00.000Z' },
    );
    const sessions = await list(me, user.id);
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const firefox = sessions.find((s) => !s.current)!;
    expect(firefox).toMatchObject({
      browser: 'Firefox 133',
      operatingSystem: 'Ubuntu',
      ip: '198.51.100.4',
      method: 'password',
      identityProvider: null,
      can: { signOut: { allowed: true } },
    });
    const body = JSON.stringify(sessions);
    const cookieValue = me.cookie!.slice(me.cookie!.indexOf('=') + 1);
    for (const secret of [other.id, other.idHash, cookieValue, hashSecret(cookieValue)])
      expect(body).not.toContain(secret);
  });

  it('says how each signed in: MFA, passkey, single sign-on with the provider', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const provider = await insertOidcProvider(t, {
      issuer: 'https://idp.example.test',
      clientId: 'latchkey',
      scopes: 'openid email profile',
      groupsClaim: 'groups',
    });
    await createSession(t.db, user.id, { ip: '192.0.2.1', userAgent: 'x' }, { method: 'mfa' });
    await createSession(t.db, user.id, { ip: '192.0.2.2', userAgent: 'x' }, { method: 'passkey' });
    await createSession(t.db, user.id, { ip: '192.0.2.3', userAgent: 'x' }, { identityProviderId: provider.id });
    const sessions = await list(await quickSession(t, user), user.id);
    const byIp = Object.fromEntries(sessions.map((s) => [s.ip, [s.method, s.identityProvider]]));
    expect(byIp).toMatchObject({
      '192.0.2.1': ['mfa', null],
      '192.0.2.2': ['passkey', null],
      '192.0.2.3': ['sso', provider.name],
    });
  });

  it('is 404 for an account that does not exist', async () => {
    const admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    const response = await admin.request({ method: 'GET', url: '/api/v1/users/no-such-account/sessions' });
    expect(response.statusCode).toBe(404);
  });
});

describe('signing out one session', () => {
  it('ends it at once, audited, and the other sessions go on', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const me = await signIn(t, user.email);
    const other = await signIn(t, user.email);
    const target = (await list(me, user.id)).find((s) => !s.current)!;
    const before = await lastAuditId(t);
    const response = await me.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/sessions/${target.id}` });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ ended: 1, currentEnded: false });
    expect(await alive(other)).toBe(401);
    expect(await alive(me)).toBe(200);
    const audit = await auditSince(t, before);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'session.ended',
      actor_user_id: user.id,
      target_user_id: user.id,
      details: { session: target.id, method: 'password' },
    });
  });

  it('of your own current session: says so and clears the cookie', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const me = await signIn(t, user.email);
    const mine = (await list(me, user.id)).find((s) => s.current)!;
    const response = await me.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/sessions/${mine.id}` });
    expect(response.json()).toEqual({ ended: 1, currentEnded: true });
    expect(response.cookies.some((c) => c.name.endsWith('latchkey_session') && c.value === '')).toBe(true);
    expect(await alive(me)).toBe(401);
  });

  it("is 404 for another account's session, an unknown ID or a secret, and changes nothing", async () => {
    const admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    const a = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const b = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const bSession = await createSession(t.db, b.id, { ip: '192.0.2.9', userAgent: 'x' });
    const bPublicId = (await list(admin, b.id))[0]!.id;
    const snapshot = await stateSnapshot(t);
    for (const sessionId of [bPublicId, 'no-such-session', bSession.id, bSession.idHash]) {
      const response = await admin.request({ method: 'DELETE', url: `/api/v1/users/${a.id}/sessions/${sessionId}` });
      expect(response.statusCode, sessionId).toBe(404);
    }
    const tooLong = await admin.request({ method: 'DELETE', url: `/api/v1/users/${a.id}/sessions/${'x'.repeat(65)}` });
    expect(tooLong.statusCode).toBe(400);
    expect(await stateSnapshot(t)).toEqual(snapshot);
  });
});

describe('signing out everywhere', () => {
  it("ends every session of another account, audited; the caller's goes on", async () => {
    const admin = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    const adminCaller = await quickSession(t, admin);
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const one = await signIn(t, user.email);
    const two = await signIn(t, user.email);
    const before = await lastAuditId(t);
    const response = await adminCaller.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/sessions` });
    expect(response.json()).toEqual({ ended: 2, currentEnded: false });
    expect(await alive(one)).toBe(401);
    expect(await alive(two)).toBe(401);
    expect(await alive(adminCaller)).toBe(200);
    expect(await auditSince(t, before)).toMatchObject([
      { action: 'sessions.ended_all', actor_user_id: admin.id, target_user_id: user.id, details: { sessionsEnded: 2 } },
    ]);
  });

  it('of your own account: yours too, and the answer says so', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const me = await signIn(t, user.email);
    const other = await signIn(t, user.email);
    const response = await me.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/sessions` });
    expect(response.json()).toEqual({ ended: 2, currentEnded: true });
    expect(await alive(me)).toBe(401);
    expect(await alive(other)).toBe(401);
  });
});

describe('who may', () => {
  it('a read-only user: only their own account', async () => {
    const reader = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser));
    const other = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await createSession(t.db, other.id, { ip: '192.0.2.9', userAgent: 'x' });
    const snapshot = await stateSnapshot(t);
    expect((await reader.request({ method: 'GET', url: `/api/v1/users/${other.id}/sessions` })).statusCode).toBe(403);
    expect((await reader.request({ method: 'DELETE', url: `/api/v1/users/${other.id}/sessions` })).statusCode).toBe(
      403,
    );
    expect(await stateSnapshot(t)).toEqual(snapshot);
  });

  it("a user manager: a stronger account's sessions are listed, and signing them out is refused with the policy's reason", async () => {
    const managers = await createCustomGroup(t, ['users_groups:view', 'users_groups:update']);
    const manager = await quickSession(t, await quickUser(t, managers));
    const administrator = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    await createSession(t.db, administrator.id, { ip: '192.0.2.9', userAgent: 'x' });
    const [session] = await list(manager, administrator.id);
    expect(session!.can.signOut).toMatchObject({ allowed: false, code: 'administrator_protected' });
    const snapshot = await stateSnapshot(t);
    for (const url of [
      `/api/v1/users/${administrator.id}/sessions/${session!.id}`,
      `/api/v1/users/${administrator.id}/sessions`,
    ]) {
      const response = await manager.request({ method: 'DELETE', url });
      expect(response.statusCode).toBe(403);
      expect(errorOf(response)).toEqual({
        code: 'administrator_protected',
        message: (session!.can.signOut as { message: string }).message,
      });
    }
    expect(await stateSnapshot(t)).toEqual(snapshot);
    // An account whose group holds nothing the manager lacks: allowed.
    const reader = await quickUser(t, await createCustomGroup(t, ['users_groups:view']));
    const readerSession = await quickSession(t, reader);
    const ended = await manager.request({ method: 'DELETE', url: `/api/v1/users/${reader.id}/sessions` });
    expect(ended.statusCode).toBe(200);
    expect(await alive(readerSession)).toBe(401);
  });
});

describe.runIf(usingPostgres)('on another node', () => {
  it('an ended session is refused on its next request there too', async () => {
    const node = await anotherNode(t);
    try {
      const user = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
      const me = await signIn(t, user.email);
      const other = await signIn(t, user.email);
      const onNode2 = (caller: Caller) =>
        node.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: caller.cookie! } });
      // Cached there first, so only the notification can make node 2 forget it.
      expect((await onNode2(other)).statusCode).toBe(200);
      expect((await onNode2(other)).statusCode).toBe(200);
      const target = (await list(me, user.id)).find((s) => !s.current)!;
      await me.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/sessions/${target.id}` });
      expect((await onNode2(other)).statusCode).toBe(401);
      expect((await onNode2(me)).statusCode).toBe(200);
    } finally {
      await node.close();
    }
  });
});
