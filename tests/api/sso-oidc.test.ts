/**
 * OpenID Connect sign-in end to end against a real OpenID Provider (tests/helpers/oidc-provider.ts)
 * on 127.0.0.1: Latchkey's start redirect is followed with fetch to the provider's own sign-in
 * form, the provider's redirect back is injected into Latchkey with the browser's binding cookie,
 * and the session it gives is used. The ID token is really signed and really checked. SQLite and
 * PostgreSQL.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityProviderRow } from '../../src/server/sso/provider-settings.js';
import { serviceProviderUrls } from '../../src/server/sso/provider-settings.js';
import { SSO_BINDING_COOKIE } from '../../src/server/sso/flows.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import {
  auditSince,
  createCustomGroup,
  errorOf,
  lastAuditId,
  quickSession,
  quickUser,
  uniqueEmail,
} from '../helpers/fixtures.js';
import { insertOidcProvider, type ProviderFixtureOptions } from '../helpers/identity-provider-fixtures.js';
import { startTestOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { captureLog } from '../helpers/log-capture.js';
import { createTestApp, sessionCaller, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let op: TestOidcProvider;
let redirectUri: string;
/** Every response Latchkey gave in this file, to check that no secret ever left. */
const responses: LightMyRequestResponse[] = [];

/** What pino wrote (the test app logs at debug level here, every answer included). */
let logLines: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ LOG_LEVEL: 'debug', LATCHKEY_ACCESS_LOG: 'all' });
  logLines = captureLog(t.app);
  const urls = serviceProviderUrls(t.config.publicUrl, 'any');
  redirectUri = urls.oidcRedirectUri;
  op = await startTestOidcProvider({
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [urls.postLogoutRedirectUri],
  });
});
afterAll(async () => {
  await op?.close();
  await t?.close();
});

async function inject(options: InjectOptions): Promise<LightMyRequestResponse> {
  const response = await t.app.inject(options);
  responses.push(response);
  return response;
}

function addProvider(options: ProviderFixtureOptions = {}): Promise<IdentityProviderRow> {
  return insertOidcProvider(
    t,
    {
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
      scopes: 'openid email profile',
      groupsClaim: 'groups',
    },
    options,
  );
}

/** A browser: its cookies for Latchkey's SSO path, and its own cookie jar at the provider. */
interface Browser {
  binding?: string;
  opCookies: Map<string, string>;
}
const newBrowser = (): Browser => ({ opCookies: new Map() });

async function start(browser: Browser, provider: { id: string }, returnTo?: string): Promise<LightMyRequestResponse> {
  const response = await inject({
    method: 'GET',
    url: `/api/v1/sso/oidc/${provider.id}/start`,
    query: returnTo === undefined ? {} : { returnTo },
    headers: browser.binding ? { cookie: `${SSO_BINDING_COOKIE}=${browser.binding}` } : {},
  });
  const binding = response.cookies.find((c) => c.name === SSO_BINDING_COOKIE);
  if (binding) browser.binding = binding.value;
  return response;
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
 * and returns the provider's redirect back to Latchkey (path and query of the callback).
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
    const location = new URL(response.headers.get('location') ?? '', op.issuer).href;
    if (location.startsWith(redirectUri)) return location.slice(t.config.publicUrl.origin.length);
    expect(response.status).toBe(303);
    response = await atProvider(browser, location);
  }
  throw new Error('the provider never sent the browser back');
}

function callback(browser: Pick<Browser, 'binding'>, pathAndQuery: string): Promise<LightMyRequestResponse> {
  return inject({
    method: 'GET',
    url: pathAndQuery,
    headers: browser.binding ? { cookie: `${SSO_BINDING_COOKIE}=${browser.binding}` } : {},
  });
}

/** The whole round trip for one person; returns Latchkey's answer to the callback. */
async function signInWithOidc(
  provider: { id: string },
  username: string,
  options: { returnTo?: string } = {},
): Promise<LightMyRequestResponse> {
  const browser = newBrowser();
  const started = await start(browser, provider, options.returnTo);
  expect(started.statusCode).toBe(302);
  return callback(browser, await signInAtProvider(browser, started.headers.location as string, username));
}

function callerFrom(response: LightMyRequestResponse): Caller {
  const cookie = response.cookies.find((c) => c.name.endsWith('latchkey_session'));
  if (!cookie) throw new Error(`no session cookie: ${response.statusCode} ${String(response.headers.location)}`);
  return sessionCaller(t, `${cookie.name}=${cookie.value}`);
}

async function me(caller: Caller) {
  const response = await caller.request({ method: 'GET', url: '/api/v1/me' });
  responses.push(response);
  expect(response.statusCode).toBe(200);
  return response.json().user;
}

async function loginHistoryFor(email: string) {
  return t.db.selectFrom('login_history').selectAll().where('email', '=', email).orderBy('id').execute();
}

async function userByEmail(email: string) {
  return t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
}

describe('GET /api/v1/sso/oidc/:id/start', () => {
  it('redirects to the provider with an authorization code request using PKCE S256, state, nonce and openid', async () => {
    const provider = await addProvider();
    const response = await start(newBrowser(), provider);
    expect(response.statusCode).toBe(302);
    const url = new URL(response.headers.location as string);
    expect(url.origin).toBe(op.issuer);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(op.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(['openid', 'email', 'profile']);
    const binding = response.cookies.find((c) => c.name === SSO_BINDING_COOKIE)!;
    expect(binding).toMatchObject({ httpOnly: true, path: '/api/v1/sso', sameSite: 'Lax' });
  });

  it('answers 404 for an unknown provider', async () => {
    const response = await start(newBrowser(), { id: 'no-such-provider' });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).code).toBe('not_found');
  });

  it('sends the browser back to sign-in when the provider is disabled', async () => {
    const provider = await addProvider({ enabled: false });
    const response = await start(newBrowser(), provider);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?sso_error=provider_disabled');
  });

  it('sends the browser back to sign-in (reason logged) when the provider cannot be reached', async () => {
    const provider = await insertOidcProvider(t, {
      issuer: 'http://127.0.0.1:9/nowhere',
      clientId: 'x',
      clientSecret: 'y',
      scopes: 'openid',
      groupsClaim: 'groups',
    });
    const response = await start(newBrowser(), provider);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?sso_error=failed');
    const history = await t.db
      .selectFrom('login_history')
      .select('reason')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(history.reason).toMatch(/^sso_discovery_failed: /);
  });
});

describe('signing in through the provider', () => {
  let provider: IdentityProviderRow;
  let wideGroup: string;
  let narrowGroup: string;
  let admin: Caller;
  const email = uniqueEmail('ann');
  beforeAll(async () => {
    wideGroup = await createCustomGroup(t, ['records:view', 'reports:view'], 'OIDC wide');
    narrowGroup = await createCustomGroup(t, ['records:view'], 'OIDC narrow');
    provider = await addProvider({ groupMappings: { engineers: wideGroup, staff: narrowGroup } });
    admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
  });

  it('creates an SSO account without a password, in the mapped group with fewer permissions, and lands on returnTo', async () => {
    op.setAccount('ann', {
      sub: 'ann-subject',
      email,
      email_verified: true,
      given_name: 'Ann',
      family_name: 'Example',
      title: 'Engineer',
      phone_number: '+1 555 0100',
      groups: ['engineers', 'staff', 'unmapped'],
    });
    const response = await signInWithOidc(provider, 'ann', { returnTo: '/users?page=2' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/users?page=2');
    const user = await me(callerFrom(response));
    expect(user).toMatchObject({
      email,
      firstName: 'Ann',
      lastName: 'Example',
      title: 'Engineer',
      telephone: '+1 555 0100',
      userType: 'sso',
      ssoProvider: provider.name,
      securityGroup: { id: narrowGroup },
    });
    expect((await userByEmail(email)).password_hash).toBeNull();
    const identity = await t.db
      .selectFrom('sso_identities')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ provider_id: provider.id, subject: 'ann-subject' });

    const security = await admin.request({ method: 'GET', url: `/api/v1/users/${user.id}/security` });
    expect(security.statusCode).toBe(409);
    expect(errorOf(security).code).toBe('sso_account');
  });

  it('updates name, title, telephone and group from changed claims at the next sign-in, and audits both', async () => {
    const before = await lastAuditId(t);
    op.setAccount('ann', {
      sub: 'ann-subject',
      email,
      email_verified: true,
      name: 'Annie Q Example', // no given_name/family_name: the first word, then the rest
      title: 'Lead Engineer',
      phone_number: '+1 555 0199',
      groups: 'engineers', // one string is one group
    });
    const response = await signInWithOidc(provider, 'ann');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    const user = await me(callerFrom(response));
    expect(user).toMatchObject({
      firstName: 'Annie',
      lastName: 'Q Example',
      title: 'Lead Engineer',
      telephone: '+1 555 0199',
      securityGroup: { id: wideGroup },
    });
    const actions = (await auditSince(t, before)).map((row) => row.action);
    expect(actions).toEqual(expect.arrayContaining(['sso.profile_updated', 'sso.group_changed', 'sso.signed_in']));
    expect(actions).not.toContain('sso.account_created');
  });

  it('refuses a disabled account', async () => {
    const disabledEmail = uniqueEmail('dora');
    op.setAccount('dora', { email: disabledEmail, email_verified: true, given_name: 'Dora', family_name: 'Off' });
    expect((await signInWithOidc(provider, 'dora')).statusCode).toBe(303);
    await t.db.updateTable('users').set({ status: 'disabled' }).where('email', '=', disabledEmail).execute();
    const response = await signInWithOidc(provider, 'dora');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?sso_error=account_disabled');
    expect(response.cookies.find((c) => c.name.endsWith('latchkey_session'))).toBeUndefined();
    expect((await loginHistoryFor(disabledEmail)).at(-1)).toMatchObject({ success: 0, reason: 'sso_account_disabled' });
  });

  it('lands on / when returnTo points at another site', async () => {
    op.setAccount('eve', { email: uniqueEmail('eve'), email_verified: true, given_name: 'Eve' });
    const response = await signInWithOidc(provider, 'eve', { returnTo: '//evil.example/x' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
  });
});

describe('a public client (no client secret, PKCE only)', () => {
  it('signs in without client authentication', async () => {
    const provider = await insertOidcProvider(t, {
      issuer: op.issuer,
      clientId: op.publicClientId,
      clientSecret: null,
      scopes: 'openid email profile',
      groupsClaim: 'groups',
    });
    const email = uniqueEmail('pat');
    op.setAccount('pat', { email, email_verified: true, given_name: 'Pat', family_name: 'Public' });
    const response = await signInWithOidc(provider, 'pat');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    expect(await me(callerFrom(response))).toMatchObject({ email, userType: 'sso', ssoProvider: provider.name });
  });
});

describe('an email that matches a native account', () => {
  it('does not take the account over when the provider has not verified the email', async () => {
    const provider = await addProvider({ allowEmailLinking: true });
    const native = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { email: uniqueEmail('native') });
    const hashBefore = (await userByEmail(native.email)).password_hash;
    op.setAccount('mallory', { email: native.email, email_verified: false, given_name: 'Mallory' });
    const response = await signInWithOidc(provider, 'mallory');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?sso_error=account_exists');
    expect(response.cookies.find((c) => c.name.endsWith('latchkey_session'))).toBeUndefined();
    const after = await userByEmail(native.email);
    expect(after).toMatchObject({ user_type: 'native', sso_provider: null, password_hash: hashBefore });
    expect(hashBefore).toBeTruthy();
    expect((await loginHistoryFor(native.email)).at(-1)).toMatchObject({ success: 0, user_id: native.id });
    expect((await loginHistoryFor(native.email)).at(-1)!.reason).toMatch(/^sso_email_in_use/);
  });

  it('links it when the email is verified and the provider allows linking: now SSO, no password, old sessions ended', async () => {
    const provider = await addProvider({ allowEmailLinking: true });
    const native = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { email: uniqueEmail('linked') });
    const oldSession = await quickSession(t, native);
    op.setAccount('linda', { email: native.email, email_verified: true, given_name: 'Linda', family_name: 'Linked' });
    const response = await signInWithOidc(provider, 'linda');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    const user = await me(callerFrom(response));
    expect(user).toMatchObject({ id: native.id, userType: 'sso', ssoProvider: provider.name });
    expect((await userByEmail(native.email)).password_hash).toBeNull();
    expect((await oldSession.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/sso/oidc/callback refusals', () => {
  let provider: IdentityProviderRow;
  beforeAll(async () => {
    provider = await addProvider();
    op.setAccount('rita', { email: uniqueEmail('rita'), email_verified: true, given_name: 'Rita' });
  });

  /** A browser that went to the provider and back, holding the callback it has not yet delivered. */
  async function pendingCallback(): Promise<{ browser: Browser; path: string }> {
    const browser = newBrowser();
    const started = await start(browser, provider);
    return { browser, path: await signInAtProvider(browser, started.headers.location as string, 'rita') };
  }

  it('refuses the same answer twice (the state is single-use)', async () => {
    const { browser, path } = await pendingCallback();
    expect((await callback(browser, path)).headers.location).toBe('/');
    const replay = await callback(browser, path);
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toBe('/login?sso_error=expired');
    expect(replay.cookies.find((c) => c.name.endsWith('latchkey_session'))).toBeUndefined();
  });

  it("refuses an answer brought by a browser without the binding cookie, or with another browser's", async () => {
    const { path } = await pendingCallback();
    const without = await callback({}, path);
    expect(without.headers.location).toBe('/login?sso_error=expired');

    const second = await pendingCallback();
    const other = newBrowser();
    await start(other, provider);
    const wrong = await callback(other, second.path);
    expect(wrong.statusCode).toBe(303);
    expect(wrong.headers.location).toBe('/login?sso_error=expired');
    const history = await t.db
      .selectFrom('login_history')
      .select('reason')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(history.reason).toMatch(/^sso_state_invalid: /);

    // Neither refusal used up the person's own sign-in: their browser still completes it, once.
    expect((await callback(second.browser, second.path)).headers.location).toBe('/');
    expect((await callback(second.browser, second.path)).headers.location).toBe('/login?sso_error=expired');
  });

  it('refuses at the callback when the provider was disabled meanwhile', async () => {
    const own = await addProvider();
    const browser = newBrowser();
    const started = await start(browser, own);
    const path = await signInAtProvider(browser, started.headers.location as string, 'rita');
    await t.db.updateTable('identity_providers').set({ enabled: 0 }).where('id', '=', own.id).execute();
    const response = await callback(browser, path);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?sso_error=provider_disabled');
  });

  it("refuses the provider's error answer, with the error in the login history", async () => {
    const browser = newBrowser();
    const started = await start(browser, provider);
    const state = new URL(started.headers.location as string).searchParams.get('state')!;
    const before = await lastAuditId(t);
    const response = await callback(
      browser,
      `/api/v1/sso/oidc/callback?error=access_denied&error_description=User+said+no&state=${encodeURIComponent(state)}`,
    );
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?sso_error=failed');
    const history = await t.db.selectFrom('login_history').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(history).toMatchObject({
      success: 0,
      method: 'oidc',
      reason: 'sso_idp_error: access_denied (User said no)',
    });
    expect((await auditSince(t, before)).map((row) => row.action)).toEqual(['sso.sign_in_failed']);
  });

  it('refuses a code the provider does not accept (never a 500)', async () => {
    const { browser, path } = await pendingCallback();
    const forged = path.replace(/code=[^&]+/, 'code=not-a-real-code');
    const response = await callback(browser, forged);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?sso_error=failed');
    const history = await t.db
      .selectFrom('login_history')
      .select('reason')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(history.reason).toMatch(/^sso_invalid_response: /);
  });

  it('refuses an answer with no state at all', async () => {
    const response = await callback(newBrowser(), '/api/v1/sso/oidc/callback?code=abc');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?sso_error=expired');
  });
});

describe('GET /api/v1/sso/oidc/:id/logout', () => {
  it("redirects to the provider's end_session_endpoint with the client ID and Latchkey's sign-in page to return to", async () => {
    const provider = await addProvider();
    const response = await inject({ method: 'GET', url: `/api/v1/sso/oidc/${provider.id}/logout` });
    expect(response.statusCode).toBe(302);
    const url = new URL(response.headers.location as string);
    expect(`${url.origin}${url.pathname}`).toBe(`${op.issuer}/session/end`);
    expect(url.searchParams.get('client_id')).toBe(op.clientId);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(
      serviceProviderUrls(t.config.publicUrl, provider.id).postLogoutRedirectUri,
    );
    // The provider accepts it (a browser with no session there goes straight on to confirm), not an error page.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/session/end/confirm');
    expect(html).not.toContain('Identity provider error');
  });

  it('redirects to /login when the provider cannot be reached', async () => {
    const provider = await insertOidcProvider(t, {
      issuer: 'http://127.0.0.1:9/nowhere',
      clientId: 'x',
      clientSecret: 'y',
      scopes: 'openid',
      groupsClaim: 'groups',
    });
    const response = await inject({ method: 'GET', url: `/api/v1/sso/oidc/${provider.id}/logout` });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/login');
  });
});

// Last: it looks at everything the tests above made Latchkey say and log.
describe('secrets', () => {
  it('never puts the client secret (or an authorization code) in a response or the log', async () => {
    const provider = await addProvider();
    op.setAccount('sam', { email: uniqueEmail('sam'), email_verified: true, given_name: 'Sam' });
    const browser = newBrowser();
    const started = await start(browser, provider);
    const path = await signInAtProvider(browser, started.headers.location as string, 'sam');
    const code = new URL(path, 'http://x').searchParams.get('code')!;
    expect((await callback(browser, path)).statusCode).toBe(303);
    expect((await callback(browser, path)).headers.location).toBe('/login?sso_error=expired');

    expect(logLines.length).toBeGreaterThan(0);
    const log = logLines.join('');
    expect(log).toContain('/api/v1/sso/oidc/callback');
    expect(log).not.toContain(op.clientSecret);
    expect(log).not.toContain(code);
    for (const response of responses) {
      expect(response.body).not.toContain(op.clientSecret);
      expect(JSON.stringify(response.headers)).not.toContain(op.clientSecret);
    }
    const history = await t.db.selectFrom('login_history').select('reason').execute();
    const audit = await t.db.selectFrom('audit_events').select('details').execute();
    expect(JSON.stringify([history, audit])).not.toContain(op.clientSecret);
  });
});
