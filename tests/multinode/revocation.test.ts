/**
 * Revocation across nodes: two real Latchkey processes on one PostgreSQL database. For every
 * revoking act, node B is warmed first (a successful request by session and by API token), the act
 * is done on node A, and B's very next request is refused (or, when a right is lost, that right is
 * refused). Every node caches credentials (auth/credential-cache.ts) and hears changes through
 * PostgreSQL notifications; this suite is what proves that cache is never wrong (it fails 11 of 14
 * when a node ignores what it hears). What a node does when it stops hearing: listener.test.ts.
 *
 * Every refusal is paired with a control that the same node still serves what was not revoked, so
 * a node that refuses everything (or is not reached) cannot pass.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, TOTP_PERIOD_SECONDS } from '../../src/server/security/totp.js';
import {
  clusterDatabaseUrl,
  NodeClient,
  startCluster,
  startDatabaseRelay,
  type Cluster,
  type LatchkeyNode,
  type NodeResponse,
  expectStatus,
} from '../helpers/nodes.js';

const requireAll = process.env.LATCHKEY_REQUIRE_ALL_SUITES === '1';
if (requireAll && !clusterDatabaseUrl) throw new Error('The multi-node suite needs LATCHKEY_TEST_DATABASE_URL.');

interface Person {
  id: string;
  email: string;
  password: string;
  /** Signed in on node B (session) and holding an API token. */
  client: NodeClient;
}

const passwordFor = () => `Teal quarry ${randomBytes(4).toString('hex')} drifts over marmalade hills`;
const errorCode = (response: NodeResponse) => (response.body as { error?: { code?: string } } | null)?.error?.code;

/** Waits until at least `margin` ms are left in the current 30-second TOTP step (codes stay valid meanwhile). */
async function awayFromStepEdge(margin = 4_000): Promise<void> {
  const left = TOTP_PERIOD_SECONDS * 1000 - (Date.now() % (TOTP_PERIOD_SECONDS * 1000));
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
const codeAt = (secret: string, steps = 0) => totpCode(secret, Date.now() + steps * TOTP_PERIOD_SECONDS * 1000);

describe.skipIf(!clusterDatabaseUrl)('revocation across nodes (two processes, one PostgreSQL)', () => {
  let cluster: Cluster;
  let A: LatchkeyNode;
  let B: LatchkeyNode;
  let admin: NodeClient;
  let viewersGroupId: string;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    [A, B] = cluster.nodes as [LatchkeyNode, LatchkeyNode];
    admin = new NodeClient(cluster.publicUrl);
    await admin.signIn(A, cluster.admin!.email, cluster.admin!.password);
    viewersGroupId = await createGroup(['users_groups:view']);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function createGroup(permissions: string[]): Promise<string> {
    const response = await admin.send(A, 'POST', '/api/v1/security-groups', {
      name: `Group ${randomBytes(4).toString('hex')}`,
      permissions,
    });
    expectStatus(response, 201, 'create group');
    return (response.body as { id: string }).id;
  }

  /** An account made on A by the Administrator, with an API token, signed in on B; both warmed on B. */
  async function warmPerson(securityGroupId = viewersGroupId): Promise<Person> {
    const email = `person-${randomBytes(4).toString('hex')}@nodes.example.test`;
    const password = passwordFor();
    const created = await admin.send(A, 'POST', '/api/v1/users', {
      email,
      firstName: 'Node',
      lastName: 'Person',
      password,
      confirmPassword: password,
      securityGroupId,
      sessionTimeoutMinutes: 60,
    });
    expectStatus(created, 201, 'create user');
    const id = (created.body as { id: string }).id;
    const client = new NodeClient(cluster.publicUrl);
    client.token = await generateToken(id);
    await client.signIn(B, email, password);
    for (const url of ['/api/v1/me', '/api/v1/users?pageSize=1']) {
      expectStatus(await client.send(B, 'GET', url), 200, `warm B by session (${url})`);
      expectStatus(await client.sendWithToken(B, 'GET', url), 200, `warm B by token (${url})`);
    }
    return { id, email, password, client };
  }

  async function generateToken(userId: string): Promise<string> {
    const response = await admin.send(A, 'POST', `/api/v1/users/${userId}/api-token`);
    expectStatus(response, 201, 'generate token');
    return (response.body as { token: string }).token;
  }

  /**
   * B's next requests, by session and by token, each refused (401) or still served (200). The
   * default route is decided by the gate alone (authentication, then the account's permission):
   * GET /api/v1/me would also re-read the account in its handler, which could hide a stale cache.
   */
  async function expectOnB(
    person: Person,
    expected: { session: 401 | 200; token: 401 | 200 },
    url = '/api/v1/users?pageSize=1',
  ): Promise<void> {
    const bySession = await person.client.send(B, 'GET', url);
    const byToken = await person.client.sendWithToken(B, 'GET', url);
    expectStatus(bySession, expected.session, `B by session (${url})`);
    expectStatus(byToken, expected.token, `B by token (${url})`);
  }

  it('disabling on A: B refuses the session and the token at once', async () => {
    const person = await warmPerson();
    const { cookie } = person.client;
    expectStatus(
      await admin.send(A, 'PUT', `/api/v1/users/${person.id}/account-status`, { accountStatus: 'disabled' }),
      200,
      'disable',
    );
    await expectOnB(person, { session: 401, token: 401 });
    // Enabling again brings back neither (the session was ended, the token destroyed).
    expectStatus(
      await admin.send(A, 'PUT', `/api/v1/users/${person.id}/account-status`, { accountStatus: 'enabled' }),
      200,
      'enable',
    );
    person.client.cookie = cookie;
    await expectOnB(person, { session: 401, token: 401 });
  });

  it('deleting on A: B refuses the session and the token at once', async () => {
    const person = await warmPerson();
    expectStatus(await admin.send(A, 'DELETE', `/api/v1/users/${person.id}`), 204, 'delete');
    await expectOnB(person, { session: 401, token: 401 });
  });

  it("an Administrator's password reset on A: B refuses the session (the API token is not a password credential)", async () => {
    const person = await warmPerson();
    const password = passwordFor();
    expectStatus(
      await admin.send(A, 'PATCH', `/api/v1/users/${person.id}/security`, {
        resetPassword: { newPassword: password, confirmNewPassword: password },
      }),
      200,
      'reset password',
    );
    await expectOnB(person, { session: 401, token: 200 });
  });

  it('changing your own password on A: your session warmed on B ends; the session that changed it goes on, on B too', async () => {
    const person = await warmPerson();
    const onA = new NodeClient(cluster.publicUrl);
    await onA.signIn(A, person.email, person.password);
    const before = onA.cookie;
    const password = passwordFor();
    expectStatus(
      await onA.send(A, 'POST', '/api/v1/me/password', {
        currentPassword: person.password,
        newPassword: password,
        confirmNewPassword: password,
      }),
      204,
      'change own password',
    );
    await expectOnB(person, { session: 401, token: 200 });
    expect(onA.cookie).not.toBe(before);
    expectStatus(await onA.send(B, 'GET', '/api/v1/me'), 200, 'the rotated session, on B');
    onA.cookie = before;
    expectStatus(await onA.send(B, 'GET', '/api/v1/me'), 401, 'the session ID before rotation, on B');
  });

  it('regenerating the API token on A: B refuses the old token and accepts the new one', async () => {
    const person = await warmPerson();
    const old = person.client.token;
    const fresh = await generateToken(person.id);
    await expectOnB(person, { session: 200, token: 401 });
    person.client.token = fresh;
    expect(fresh).not.toBe(old);
    await expectOnB(person, { session: 200, token: 200 });
  });

  it('revoking the API token on A: B refuses it at once', async () => {
    const person = await warmPerson();
    expectStatus(await admin.send(A, 'DELETE', `/api/v1/users/${person.id}/api-token`), 204, 'revoke token');
    await expectOnB(person, { session: 200, token: 401 });
  });

  it('a demotion on A (a group without Users & Groups View): B refuses that right at once, by session and token', async () => {
    const person = await warmPerson();
    expectStatus(await person.client.send(B, 'GET', '/api/v1/users'), 200, 'warm the right on B by session');
    expectStatus(await person.client.sendWithToken(B, 'GET', '/api/v1/users'), 200, 'warm the right on B by token');
    const lesser = await createGroup(['records:view']);
    expectStatus(
      await admin.send(A, 'PATCH', `/api/v1/users/${person.id}/security`, { securityGroupId: lesser }),
      200,
      'demote',
    );
    expectStatus(await person.client.send(B, 'GET', '/api/v1/users'), 403, 'the lost right on B by session');
    expectStatus(await person.client.sendWithToken(B, 'GET', '/api/v1/users'), 403, 'the lost right on B by token');
    expectStatus(await person.client.send(B, 'GET', '/api/v1/records'), 200, 'the new right on B');
    await expectOnB(person, { session: 200, token: 200 }, '/api/v1/me');
  });

  it("an edit of the group's permissions on A: B refuses the removed right at once", async () => {
    const groupId = await createGroup(['users_groups:view', 'records:view']);
    const person = await warmPerson(groupId);
    expectStatus(await person.client.send(B, 'GET', '/api/v1/users'), 200, 'warm the right on B by session');
    expectStatus(await person.client.sendWithToken(B, 'GET', '/api/v1/users'), 200, 'warm the right on B by token');
    expectStatus(
      await admin.send(A, 'PATCH', `/api/v1/security-groups/${groupId}`, { permissions: ['records:view'] }),
      200,
      'edit group',
    );
    expectStatus(await person.client.send(B, 'GET', '/api/v1/users'), 403, 'the removed right on B by session');
    expectStatus(await person.client.sendWithToken(B, 'GET', '/api/v1/users'), 403, 'the removed right on B by token');
    expectStatus(await person.client.sendWithToken(B, 'GET', '/api/v1/records'), 200, 'the kept right on B');
  });

  it('signing out on A: the same session cookie is refused on B', async () => {
    const person = await warmPerson();
    const { cookie } = person.client;
    expectStatus(await person.client.send(A, 'DELETE', '/api/v1/session'), 204, 'sign out on A');
    person.client.cookie = cookie;
    await expectOnB(person, { session: 401, token: 200 });
  });

  it("an MFA reset on A (clearing Enroll in MFA): B refuses the account's session at once", async () => {
    const person = await warmPerson();
    // The person sets up an authenticator (on B), then signs in with it on B.
    const started = await person.client.send(B, 'POST', '/api/v1/me/mfa/totp', { currentPassword: person.password });
    expectStatus(started, 201, 'start TOTP enrollment');
    const { secret } = started.body as { secret: string };
    await awayFromStepEdge();
    const confirmed = await person.client.send(B, 'POST', '/api/v1/me/mfa/totp/confirm', { code: codeAt(secret, -1) });
    expectStatus(confirmed, 200, 'confirm TOTP');
    const withMfa = new NodeClient(cluster.publicUrl);
    withMfa.token = person.client.token;
    const step1 = await withMfa.send(B, 'POST', '/api/v1/session', { email: person.email, password: person.password });
    const { challenge } = step1.body as { challenge: string };
    expectStatus(
      await withMfa.send(B, 'POST', '/api/v1/session/mfa', { challenge, code: codeAt(secret) }),
      200,
      'MFA sign-in on B',
    );
    const mfaPerson = { ...person, client: withMfa };
    await expectOnB(mfaPerson, { session: 200, token: 200 });

    expectStatus(
      await admin.send(A, 'PATCH', `/api/v1/users/${person.id}/security`, { mfaEnrolled: false }),
      200,
      'MFA reset',
    );
    await expectOnB(mfaPerson, { session: 401, token: 200 });
  });

  it('the sign-in lockout is shared: 10 wrong guesses split over A and B, then A and B both refuse the right password', async () => {
    const person = await warmPerson();
    const guesser = new NodeClient(cluster.publicUrl);
    for (let i = 0; i < 10; i++) {
      const response = await guesser.send(i % 2 === 0 ? A : B, 'POST', '/api/v1/session', {
        email: person.email,
        password: `wrong guess ${i} ${person.password}`,
      });
      expectStatus(response, 401, `guess ${i + 1}`);
    }
    for (const node of [B, A]) {
      const right = await guesser.send(node, 'POST', '/api/v1/session', {
        email: person.email,
        password: person.password,
      });
      expectStatus(right, 429, `the right password on ${node.name} after 10 guesses`);
      expect(errorCode(right)).toBe('login_locked');
    }
    expect(guesser.cookie).toBeNull();
  });

  it('a TOTP step used on A is refused when replayed on B', async () => {
    const person = await warmPerson();
    const started = await person.client.send(B, 'POST', '/api/v1/me/mfa/totp', { currentPassword: person.password });
    const { secret } = started.body as { secret: string };
    await awayFromStepEdge();
    expectStatus(
      await person.client.send(B, 'POST', '/api/v1/me/mfa/totp/confirm', { code: codeAt(secret, -1) }),
      200,
      'confirm TOTP',
    );
    const code = codeAt(secret);
    const signIn = async (node: LatchkeyNode) => {
      const client = new NodeClient(cluster.publicUrl);
      const step1 = await client.send(node, 'POST', '/api/v1/session', {
        email: person.email,
        password: person.password,
      });
      const { challenge } = step1.body as { challenge: string };
      return client.send(node, 'POST', '/api/v1/session/mfa', { challenge, code });
    };
    expectStatus(await signIn(A), 200, 'the code on A');
    const replay = await signIn(B);
    expectStatus(replay, 400, 'the same code replayed on B');
    expect(errorCode(replay)).toBe('mfa_code_invalid');
  });

  it('when the database cannot be reached, a node fails closed (503, no internals), keeps running, and recovers', async () => {
    // Node C reaches PostgreSQL through a TCP relay we can cut, as a network failure would.
    const relay = await startDatabaseRelay(cluster.databaseUrl);
    const C = await cluster.addNode({ databaseUrl: relay.url });
    const onC = (send: () => Promise<NodeResponse>) =>
      send().catch((error: unknown) => {
        throw new Error(`node C did not answer (${String(error)}); it printed:\n${C.output()}`);
      });
    try {
      const person = await warmPerson();
      expectStatus(await onC(() => person.client.send(C, 'GET', '/api/v1/me')), 200, 'warm C by session');
      expectStatus(await onC(() => person.client.sendWithToken(C, 'GET', '/api/v1/me')), 200, 'warm C by token');

      relay.cut();
      // C may still answer what it holds in its credential cache until it notices its listening
      // connection is gone: at the latest when its 1 s lease runs out (usually at once).
      const cutAt = Date.now();
      for (;;) {
        const sentAfter = Date.now() - cutAt; // judged by when it was sent (answers may be slow)
        if ((await onC(() => person.client.send(C, 'GET', '/api/v1/me'))).status !== 200) break;
        expect(sentAfter, 'C answered from its cache past the lease').toBeLessThan(1_500);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      for (const send of [
        () => person.client.send(C, 'GET', '/api/v1/me'),
        () => person.client.sendWithToken(C, 'GET', '/api/v1/me'),
      ]) {
        const response = await onC(send);
        expectStatus(response, 503, 'C without its database');
        expect(errorCode(response)).toBe('database_unavailable');
        expect(response.text).not.toMatch(/ECONN|postgres|127\.0\.0\.1|stack|terminat/i);
      }
      // The other nodes are unaffected.
      await expectOnB(person, { session: 200, token: 200 });

      // A revocation made while C was cut off holds on C as soon as it is back.
      expectStatus(await admin.send(A, 'DELETE', `/api/v1/users/${person.id}/api-token`), 204, 'revoke token');
      await relay.restore();
      expectStatus(await onC(() => person.client.send(C, 'GET', '/api/v1/me')), 200, 'C is back, by session');
      expectStatus(await onC(() => person.client.sendWithToken(C, 'GET', '/api/v1/me')), 401, 'C is back, by token');
    } finally {
      relay.close();
    }
  });
});

describe.skipIf(!clusterDatabaseUrl)('the one-time setup link across nodes (no account yet)', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, bootstrapAdmin: false });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('works once: claimed on A and on B at the same moment, exactly one wins; then both refuse it', async () => {
    const [A, B] = cluster.nodes as [LatchkeyNode, LatchkeyNode];
    // Each node prints a link at start and replaces the one before: B's is the live one.
    expect(A.setupLink).not.toBeNull();
    const token = new URL(B.setupLink!).hash.replace('#token=', '');
    const password = passwordFor();
    const claim = (node: LatchkeyNode, who: string) =>
      new NodeClient(cluster.publicUrl).send(node, 'POST', '/api/v1/setup', {
        token,
        email: `${who}@nodes.example.test`,
        firstName: 'First',
        lastName: who,
        password,
        confirmPassword: password,
      });
    const answers = await Promise.all([claim(A, 'on-a'), claim(B, 'on-b')]);
    const won = answers.filter((answer) => answer.status >= 200 && answer.status < 300);
    expect(won.length, answers.map((answer) => `${answer.status} ${answer.text}`).join('\n')).toBe(1);
    // The loser finds the link claimed (403) or the setup already done (409), by who got there first.
    for (const answer of answers.filter((answer) => !won.includes(answer))) expect([403, 409]).toContain(answer.status);
    for (const node of [A, B]) {
      const again = await claim(node, 'again');
      expect(again.status).toBe(409);
      expect(errorCode(again)).toBe('setup_not_available');
    }
  });
});
