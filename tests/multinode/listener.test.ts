/**
 * The credential cache of a node whose revocation listener fails (auth/credential-changes.ts).
 * A node may answer from its cache only while it can prove it hears the database's change
 * notifications; a terminated or stalled listening connection must turn the cache off (the
 * database decides every request) within the 1 s lease, and the node must listen again by itself.
 * Two real processes on one PostgreSQL, plus a third reaching it through a relay we can stall.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterDatabaseUrl,
  NodeClient,
  startCluster,
  startDatabaseRelay,
  type Cluster,
  type DatabaseRelay,
  type LatchkeyNode,
  type NodeResponse,
  expectStatus,
} from '../helpers/nodes.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!clusterDatabaseUrl)('a node whose revocation listener fails', () => {
  let cluster: Cluster;
  let relay: DatabaseRelay;
  let A: LatchkeyNode;
  let B: LatchkeyNode;
  /** Reaches the database through `relay`. */
  let C: LatchkeyNode;
  let admin: NodeClient;
  let database: pg.Client;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    [A, B] = cluster.nodes as [LatchkeyNode, LatchkeyNode];
    relay = await startDatabaseRelay(cluster.databaseUrl);
    C = await cluster.addNode({ databaseUrl: relay.url });
    admin = new NodeClient(cluster.publicUrl);
    await admin.signIn(A, cluster.admin!.email, cluster.admin!.password);
    database = new pg.Client({ connectionString: cluster.databaseUrl });
    await database.connect();
  });

  afterAll(async () => {
    await database?.end();
    relay?.close();
    await cluster?.stop();
  });

  /** A Regular User with an API token, signed in on `node`, both credentials used there once (cached). */
  async function warmPerson(node: LatchkeyNode): Promise<{ id: string; client: NodeClient }> {
    const email = `listener-${randomBytes(4).toString('hex')}@nodes.example.test`;
    const password = `Teal quarry ${randomBytes(4).toString('hex')} drifts over marmalade hills`;
    const created = await admin.send(A, 'POST', '/api/v1/users', {
      email,
      firstName: 'Listener',
      lastName: 'Person',
      password,
      confirmPassword: password,
      securityGroupId: 'regular-user',
      sessionTimeoutMinutes: 60,
    });
    expectStatus(created, 201, 'create user');
    const id = (created.body as { id: string }).id;
    const token = await admin.send(A, 'POST', `/api/v1/users/${id}/api-token`);
    expectStatus(token, 201, 'generate token');
    const client = new NodeClient(cluster.publicUrl);
    client.token = (token.body as { token: string }).token;
    await client.signIn(node, email, password);
    expectStatus(await client.send(node, 'GET', '/api/v1/me'), 200, `warm ${node.name} by session`);
    expectStatus(await client.sendWithToken(node, 'GET', '/api/v1/me'), 200, `warm ${node.name} by token`);
    return { id, client };
  }

  async function readiness(node: LatchkeyNode): Promise<NodeResponse> {
    return new NodeClient(cluster.publicUrl).send(node, 'GET', '/api/ready');
  }

  async function waitUntilReady(node: LatchkeyNode, withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    let last: NodeResponse | undefined;
    while (Date.now() < deadline) {
      last = await readiness(node);
      if (last.status === 200) return;
      await sleep(50);
    }
    throw new Error(`${node.name} not ready within ${withinMs} ms: ${last?.status} ${last?.text}\n${node.output()}`);
  }

  async function listenerBackends(node: LatchkeyNode): Promise<number[]> {
    const { rows } = await database.query<{ pid: number }>(
      'select pid from pg_stat_activity where application_name = $1',
      [`latchkey-credential-listener:${node.pid}`],
    );
    return rows.map((row) => row.pid);
  }

  it('each node listens on a connection of its own and says so in its readiness', async () => {
    for (const node of [A, B, C]) {
      await waitUntilReady(node, 5_000);
      expect((await readiness(node)).body).toEqual({ status: 'ready', database: 'ok', credentialChanges: 'listening' });
      expect(await listenerBackends(node)).toHaveLength(1);
    }
  });

  it("B's listening connection terminated: a revocation on A holds on B at once; B listens again by itself", async () => {
    const person = await warmPerson(B);
    const [backend] = await listenerBackends(B);
    await database.query('select pg_terminate_backend($1)', [backend]);
    expectStatus(await admin.send(A, 'DELETE', `/api/v1/users/${person.id}/api-token`), 204, 'revoke token on A');

    expectStatus(await person.client.sendWithToken(B, 'GET', '/api/v1/me'), 401, 'the revoked token on B');
    expectStatus(await person.client.send(B, 'GET', '/api/v1/me'), 200, 'the session on B (not revoked)');

    await waitUntilReady(B, 5_000);
    const [again] = await listenerBackends(B);
    expect(again).toBeDefined();
    expect(again).not.toBe(backend);
    // Listening again, B hears the next revocation too.
    expectStatus(
      await admin.send(A, 'PUT', `/api/v1/users/${person.id}/account-status`, { accountStatus: 'disabled' }),
      200,
      'disable',
    );
    expectStatus(await person.client.send(B, 'GET', '/api/v1/me'), 401, 'the disabled account on B');
  });

  it("C's listening connection stalls: within the 1 s lease C stops answering from its cache; it recovers when the connection flows again", async () => {
    await waitUntilReady(C, 5_000);
    const person = await warmPerson(C);
    relay.stallListeners();
    try {
      const stalledAt = Date.now();
      // C cannot hear this: only its lease protects it.
      expectStatus(await admin.send(A, 'DELETE', `/api/v1/users/${person.id}/api-token`), 204, 'revoke token on A');
      // Judged by when each request was sent, not answered: a slow answer (a busy CI machine) to
      // a request sent within the lease may arrive after it.
      let refused = false;
      while (!refused && Date.now() - stalledAt < 3_000) {
        const sentAfter = Date.now() - stalledAt;
        const response = await person.client.sendWithToken(C, 'GET', '/api/v1/me');
        refused = response.status === 401;
        if (!refused) {
          expectStatus(response, 200, 'C answering from its cache within the lease');
          expect(sentAfter, 'C answered a revoked token from its cache past the lease').toBeLessThanOrEqual(1_500);
          await sleep(25);
        }
      }
      expect(refused, 'C went on answering a revoked token from its cache').toBe(true);
      expectStatus(await person.client.send(C, 'GET', '/api/v1/me'), 200, 'the session on C (not revoked)');
      const notReady = await readiness(C);
      expectStatus(notReady, 503, 'C not ready while deaf');
      expect(notReady.body).toMatchObject({ database: 'ok', credentialChanges: 'not listening' });
    } finally {
      relay.resumeListeners();
    }
    await waitUntilReady(C, 8_000);
    expectStatus(await person.client.sendWithToken(C, 'GET', '/api/v1/me'), 401, 'the revoked token on C, recovered');
    expectStatus(await person.client.send(C, 'GET', '/api/v1/me'), 200, 'the session on C, recovered');
  });
});
