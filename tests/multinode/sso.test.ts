/**
 * OpenID Connect sign-in across nodes: two real Latchkey processes on one PostgreSQL
 * database, and a real OpenID Provider (tests/helpers/oidc-provider.ts) in this process. A load
 * balancer without sticky sessions may send the provider's answer (the callback) to another node
 * than the one that started the sign-in, so the one-time flow must live in the shared database:
 * the answer is taken once, on whichever node it lands, and only from the browser that started it.
 *
 * The provider is added through the API on node A by the bootstrap Administrator, with the
 * redirect URI Latchkey computes from the public URL. The person has no account yet: the first
 * sign-in creates one in the provider's default group (just in time), as it does for anyone the
 * provider vouches for whose email matches no account.
 *
 * Every refusal is paired with a control that succeeds on the same node, so a node that refuses
 * everything (or a flow kept in one process's memory) cannot pass.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceProviderUrls } from '../../src/server/sso/provider-settings.js';
import { SSO_BINDING_COOKIE } from '../../src/server/sso/flows.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import type { IdentityProvider } from '../../src/shared/schemas/identity-providers.js';
import {
  clusterDatabaseUrl,
  NodeClient,
  startCluster,
  type Cluster,
  type LatchkeyNode,
  expectStatus,
} from '../helpers/nodes.js';
import { startTestOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';

const requireAll = process.env.LATCHKEY_REQUIRE_ALL_SUITES === '1';
if (requireAll && !clusterDatabaseUrl) throw new Error('The multi-node suite needs LATCHKEY_TEST_DATABASE_URL.');

/** The session cookie's name over plain http (the cluster's public URL is http://127.0.0.1:…). */
const SESSION_COOKIE = 'latchkey_session';

/** A cookie's value from a response's Set-Cookie lines (undefined when absent or cleared). */
function cookieFrom(response: Response, name: string): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq) === name && eq < pair.length - 1) return pair.slice(eq + 1);
  }
  return undefined;
}

/** A browser: the SSO binding cookie Latchkey gave it, and its own cookie jar at the provider. */
interface Browser {
  binding?: string;
  opCookies: Map<string, string>;
}
const newBrowser = (): Browser => ({ opCookies: new Map() });

/** Latchkey's answer to a callback, as the browser sees it. */
interface CallbackAnswer {
  status: number;
  location: string | null;
  /** The session cookie it set, if any. */
  session: string | undefined;
}

describe.skipIf(!clusterDatabaseUrl)('OpenID Connect sign-in across nodes (two processes, one PostgreSQL)', () => {
  let cluster: Cluster;
  let A: LatchkeyNode;
  let B: LatchkeyNode;
  let op: TestOidcProvider;
  let redirectUri: string;
  let providerId: string;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    [A, B] = cluster.nodes as [LatchkeyNode, LatchkeyNode];
    const urls = serviceProviderUrls(new URL(cluster.publicUrl), 'any');
    redirectUri = urls.oidcRedirectUri;
    op = await startTestOidcProvider({
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [urls.postLogoutRedirectUri],
    });

    const admin = new NodeClient(cluster.publicUrl);
    await admin.signIn(A, cluster.admin!.email, cluster.admin!.password);
    const created = await admin.send(A, 'POST', '/api/v1/identity-providers', {
      protocol: 'oidc',
      name: `Test OP ${randomBytes(3).toString('hex')}`,
      defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
      oidc: {
        issuer: op.issuer,
        clientId: op.clientId,
        clientSecret: op.clientSecret,
        scopes: 'openid email profile',
      },
    });
    expectStatus(created, 201, 'add the OpenID Connect provider on A');
    const provider = created.body as IdentityProvider;
    // What the Administrator enters at the provider is what the provider was registered with.
    expect(provider.serviceProvider.redirectUri).toBe(redirectUri);
    providerId = provider.id;
  });

  afterAll(async () => {
    await op?.close();
    await cluster?.stop();
  });

  /** A person at the provider with no Latchkey account yet (the first sign-in creates one). */
  function newPerson(): { username: string; email: string } {
    const username = `person-${randomBytes(4).toString('hex')}`;
    const email = `${username}@sso-nodes.example.test`;
    op.setAccount(username, {
      sub: `subject-${username}`,
      email,
      email_verified: true,
      given_name: 'Single',
      family_name: 'Sign-On',
    });
    return { username, email };
  }

  /** GET /api/v1/sso/oidc/:id/start on `node`: keeps the binding cookie, returns the provider's URL. */
  async function start(browser: Browser, node: LatchkeyNode, returnTo?: string): Promise<string> {
    const url = new URL(`/api/v1/sso/oidc/${providerId}/start`, node.url);
    if (returnTo !== undefined) url.searchParams.set('returnTo', returnTo);
    const response = await fetch(url, {
      redirect: 'manual',
      headers: browser.binding ? { cookie: `${SSO_BINDING_COOKIE}=${browser.binding}` } : {},
    });
    expect(response.status, `start on ${node.name}: ${await response.text()}`).toBe(302);
    const binding = cookieFrom(response, SSO_BINDING_COOKIE);
    expect(binding, `start on ${node.name} sets the binding cookie`).toBeTruthy();
    browser.binding = binding;
    const location = new URL(response.headers.get('location')!);
    expect(location.origin).toBe(op.issuer);
    expect(location.searchParams.get('redirect_uri')).toBe(redirectUri);
    return location.href;
  }

  async function atProvider(browser: Browser, url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...browser.opCookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(new URL(url, op.issuer), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie },
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      browser.opCookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }

  /**
   * Follows Latchkey's redirect to the provider, signs in there as `username` through its form,
   * and returns where the provider sends the browser back: the callback's path and query, on the
   * public URL (the balancer's), for the test to deliver to the node of its choice.
   */
  async function signInAtProvider(browser: Browser, authorizationUrl: string, username: string): Promise<string> {
    let response = await atProvider(browser, authorizationUrl);
    const form = response.headers.get('location')!;
    expect(form).toMatch(/^\/interaction\//);
    response = await atProvider(browser, form);
    expect(await response.text()).toContain('<label for="username">Username</label>');
    response = await atProvider(browser, form, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username }).toString(),
    });
    for (let hops = 0; hops < 10; hops++) {
      const location = new URL(response.headers.get('location') ?? '', op.issuer);
      if (`${location.origin}${location.pathname}` === redirectUri) return `${location.pathname}${location.search}`;
      expect(response.status).toBe(303);
      response = await atProvider(browser, location.href);
    }
    throw new Error('the provider never sent the browser back');
  }

  /** Delivers the provider's answer to `node`, with `binding` as the browser's SSO cookie. */
  async function callback(node: LatchkeyNode, binding: string | undefined, pathAndQuery: string) {
    const response = await fetch(new URL(pathAndQuery, node.url), {
      redirect: 'manual',
      headers: binding ? { cookie: `${SSO_BINDING_COOKIE}=${binding}` } : {},
    });
    const answer: CallbackAnswer = {
      status: response.status,
      location: response.headers.get('location'),
      session: cookieFrom(response, SESSION_COOKIE),
    };
    await response.body?.cancel();
    return answer;
  }

  function expectSignedIn(answer: CallbackAnswer, location: string, what: string): string {
    expect(answer, what).toMatchObject({ status: 303, location });
    expect(answer.session, `${what}: a session cookie`).toBeTruthy();
    return answer.session!;
  }

  /**
   * Refused by Latchkey's flow check: `expired` (unknown, used or another browser's flow). The
   * provider's own single-use code would give `failed` instead, so this is Latchkey's refusal.
   */
  function expectRefused(answer: CallbackAnswer, what: string): void {
    expect(answer, what).toMatchObject({ status: 303, location: '/login?sso_error=expired' });
    expect(answer.session, `${what}: no session cookie`).toBeUndefined();
  }

  async function expectMe(node: LatchkeyNode, session: string, email: string, what: string): Promise<void> {
    const client = new NodeClient(cluster.publicUrl);
    client.cookie = `${SESSION_COOKIE}=${session}`;
    const me = await client.send(node, 'GET', '/api/v1/me');
    expectStatus(me, 200, what);
    expect((me.body as { user: { email: string; userType: string } }).user).toMatchObject({ email, userType: 'sso' });
  }

  it('started on A, answered on B: signed in once; the same answer replayed on A is refused; the session works on A', async () => {
    const person = newPerson();
    const browser = newBrowser();
    const authorizationUrl = await start(browser, A, '/users?page=2');
    const answer = await signInAtProvider(browser, authorizationUrl, person.username);

    const onB = await callback(B, browser.binding, answer);
    const session = expectSignedIn(onB, '/users?page=2', 'the answer on B (the flow was started on A)');

    // The same code and state, the same binding cookie, back on the node that started the flow.
    expectRefused(await callback(A, browser.binding, answer), 'the same answer replayed on A');

    await expectMe(A, session, person.email, "B's session, on A");
    await expectMe(B, session, person.email, "B's session, on B");
  });

  it("started on B, answered on A with another browser's binding cookie: refused; the right browser's answer is taken on A", async () => {
    const person = newPerson();
    // Another browser, with a flow of its own started on A: its binding cookie is a live one.
    const other = newBrowser();
    const otherPerson = newPerson();
    const otherAuthorizationUrl = await start(other, A);

    // This browser starts two sign-ins on B (a second tab keeps the same binding value).
    const browser = newBrowser();
    const first = await start(browser, B);
    const binding = browser.binding;
    const second = await start(browser, B);
    expect(browser.binding).toBe(binding);
    expect(other.binding).not.toBe(binding);
    const firstAnswer = await signInAtProvider(browser, first, person.username);
    const secondAnswer = await signInAtProvider(browser, second, person.username);

    expectRefused(
      await callback(A, other.binding, firstAnswer),
      "the answer to B's flow, on A, with another browser's binding cookie",
    );
    // Controls: on A, the same browser's other flow from B is taken with its own cookie (so the
    // refusal above was the cookie's doing), and the other browser's cookie is good for its own
    // flow, from A, on B.
    const session = expectSignedIn(
      await callback(A, binding, secondAnswer),
      '/',
      "the answer to B's other flow, on A, with the right binding cookie",
    );
    await expectMe(A, session, person.email, "the session from A's callback, on A");
    const otherAnswer = await signInAtProvider(other, otherAuthorizationUrl, otherPerson.username);
    expectSignedIn(
      await callback(B, other.binding, otherAnswer),
      '/',
      "the other browser's own answer (flow from A), on B",
    );
  });

  it('the same answer delivered to A and B at the same moment: exactly one signs in', async () => {
    const person = newPerson();
    const browser = newBrowser();
    const answer = await signInAtProvider(browser, await start(browser, B), person.username);
    // The database decides: taking the flow is one statement (delete … returning), not a read then a delete.
    const answers = await Promise.all([callback(A, browser.binding, answer), callback(B, browser.binding, answer)]);
    const won = answers.filter((each) => each.session !== undefined);
    expect(won, JSON.stringify(answers)).toHaveLength(1);
    const lost = answers.find((each) => each.session === undefined)!;
    expectSignedIn(won[0]!, '/', 'the winner');
    expectRefused(lost, 'the loser');
  });
});
