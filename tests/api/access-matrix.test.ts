/**
 * The route × group matrix, generated (never hand-written) from `app.accessTable` and
 * permissions.ts: every API route, sent as a member of each of the five system groups (with a
 * session cookie and again with an API token), is allowed exactly when the group holds the route's
 * permission, and a refused request changes nothing at all. Custom groups holding exactly one
 * permission prove each route asks for the right permission (the system groups alone cannot: only
 * the Administrator holds any Users & Groups right). Then: 401 without credentials on every
 * non-public route, CSRF refusals on every state-changing route, and tokens in URLs refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { sessionCookieFor } from '../../src/server/app.js';
import type { Access } from '../../src/server/auth/access.js';
import type { RouteAccess } from '../../src/server/auth/gate.js';
import type { UserWithGroup } from '../../src/server/db/schema.js';
import { SYSTEM_GROUPS, SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { expectApiError } from '../helpers/assertions.js';
import { createCustomGroup, giveApiToken, quickSession, quickUser, stateSnapshot } from '../helpers/fixtures.js';
import { createTestApp, tokenCaller, UI_HEADERS, usingPostgres, type Caller } from '../helpers/test-app.js';
import { ROUTE_SAMPLES, sampleUrl, type SampleRequest } from './route-samples.js';
import { closeSsoOidcSampleProvider } from './route-samples/sso-oidc.js';

const t = await createTestApp();
afterAll(async () => {
  await closeSsoOidcSampleProvider();
  await t.close();
});

const routes: RouteAccess[] = t.app.accessTable;
const keyOf = (route: RouteAccess) => `${route.method} ${route.url}`;
const sampled = routes.filter((route) => ROUTE_SAMPLES[keyOf(route)]);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Mode = 'session' | 'token';

interface Member {
  label: string;
  groupId: string;
  permissions: ReadonlySet<string>;
  user: UserWithGroup;
  session: Caller;
  token: Caller;
}

async function newMember(label: string, groupId: string, permissions: Iterable<string>): Promise<Member> {
  const user = await quickUser(t, groupId);
  const token = await giveApiToken(t, user.id);
  const member: Member = {
    label,
    groupId,
    permissions: new Set(permissions),
    user,
    session: await quickSession(t, user),
    token: tokenCaller(t, token),
  };
  // First use of a token or session writes "last used"; do it now, not inside a case's snapshot.
  await member.token.request({ method: 'GET', url: '/api/v1/me' });
  return member;
}

function describeAccess(access: Access): string {
  if (access.kind === 'permission')
    return access.orSelfParam ? `${access.permission}, or own account` : access.permission;
  return access.kind;
}

/** Sends the route's sample as `member`, returning the response and the state just before it. */
async function send(
  route: RouteAccess,
  member: Member,
  mode: Mode,
  target: 'other' | 'self',
  other: UserWithGroup,
  overrides: {
    headers?: Record<string, string>;
    query?: Record<string, string>;
    caller?: Caller | null;
    snapshot?: boolean;
    /** The group of fresh accounts a sample acts on (a Regular User unless said). */
    accountsIn?: string;
  } = {},
): Promise<{ response: LightMyRequestResponse; before: Awaited<ReturnType<typeof stateSnapshot>> | null }> {
  const sample = ROUTE_SAMPLES[keyOf(route)]!;
  let acting = member;
  if (sample.freshCaller) acting = await newMember(member.label, member.groupId, member.permissions);
  const request: SampleRequest = await sample.build({
    t,
    caller: acting.user,
    targetId: target === 'self' ? acting.user.id : other.id,
    self: target === 'self',
    newAccount: (groupId = overrides.accountsIn ?? SYSTEM_GROUP_IDS.regularUser) => quickUser(t, groupId),
  });
  const options = {
    method: route.method as 'GET',
    url: sampleUrl(route.url, request, overrides.query),
    ...(request.body !== undefined ? { payload: request.body as object } : {}),
    ...(request.headers || overrides.headers ? { headers: { ...request.headers, ...overrides.headers } } : {}),
  };
  // Only a request expected to be refused needs the "nothing changed" comparison.
  const before = overrides.snapshot === false ? null : await stateSnapshot(t);
  const caller = overrides.caller === undefined ? acting[mode] : overrides.caller;
  const response = caller ? await caller.request(options) : await t.app.inject(options);
  return { response, before };
}

function expectAllowed(route: RouteAccess, response: LightMyRequestResponse): void {
  const sample = ROUTE_SAMPLES[keyOf(route)]!;
  const detail = `${keyOf(route)} answered ${response.statusCode} ${response.body.slice(0, 300)}`;
  if (sample.allowedStatus !== undefined) expect(response.statusCode, detail).toBe(sample.allowedStatus);
  else expect(response.statusCode >= 200 && response.statusCode < 300, detail).toBe(true);
}

async function expectRefused(
  response: LightMyRequestResponse,
  before: unknown,
  status: number,
  code: string,
): Promise<void> {
  expect(before, 'a refused case must take a snapshot first').not.toBeNull();
  expectApiError(response, status, code);
  expect(await stateSnapshot(t)).toEqual(before);
}

describe('the sample table', () => {
  it('has a valid sample request for every route in app.accessTable (add one when you add a route)', () => {
    const missing = routes.map(keyOf).filter((key) => !ROUTE_SAMPLES[key]);
    expect(missing, 'routes without a sample in tests/api/route-samples.ts').toEqual([]);
  });

  it('finds every route declaring exactly the access the sample table states for it (no route asks for the wrong permission)', () => {
    const declared = Object.fromEntries(sampled.map((route) => [keyOf(route), route.access]));
    const stated = Object.fromEntries(sampled.map((route) => [keyOf(route), ROUTE_SAMPLES[keyOf(route)]!.access]));
    expect(declared).toEqual(stated);
  });

  it('lists every route once, with /api/v1 URLs', () => {
    const keys = routes.map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThanOrEqual(13);
    for (const route of routes) expect(route.url.startsWith('/api/v1/')).toBe(true);
  });

  it('makes only setup and sign-in (both steps) public (a new public route must be added here on purpose)', () => {
    const publicRoutes = routes
      .filter((r) => r.access.kind === 'public')
      .map(keyOf)
      .sort();
    expect(publicRoutes).toEqual([
      // Forgot password: whether it is offered, asking for a link (one answer for every email), using it.
      'GET /api/v1/auth/forgot-password',
      'GET /api/v1/setup',
      // The sign-in page's single sign-on buttons and email-domain routing: no account data.
      'GET /api/v1/sso/discover',
      // Single sign-on with OpenID Connect: the browser follows these before anyone is signed in.
      'GET /api/v1/sso/oidc/:id/logout',
      'GET /api/v1/sso/oidc/:id/start',
      'GET /api/v1/sso/oidc/callback',
      'GET /api/v1/sso/providers',
      // SAML sign-in: the SP metadata, start, and the IdP's answer (a cross-site POST).
      'GET /api/v1/sso/saml/:id/metadata',
      'GET /api/v1/sso/saml/:id/start',
      'POST /api/v1/auth/forgot-password',
      'POST /api/v1/auth/reset-password',
      'POST /api/v1/session',
      'POST /api/v1/session/mfa',
      // Sign-in step 2 with a passkey: options for a live sign-in challenge.
      'POST /api/v1/session/mfa/passkey/options',
      'POST /api/v1/setup',
      'POST /api/v1/sso/saml/:id/acs',
    ]);
  });
});

const systemMembers: Member[] = [];
let other: UserWithGroup;

beforeAll(async () => {
  other = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { firstName: 'Other', lastName: 'Account' });
  for (const group of SYSTEM_GROUPS) systemMembers.push(await newMember(group.name, group.id, group.permissions));
});

function matrix(mode: Mode) {
  describe(`route × system group matrix (${mode === 'session' ? 'session cookie' : 'API token'})`, () => {
    for (const route of sampled) {
      describe(`${keyOf(route)} [${describeAccess(route.access)}]`, () => {
        SYSTEM_GROUPS.forEach((group, index) => {
          const access = route.access;
          if (access.kind !== 'permission') {
            it(`allows ${group.name} (${access.kind} route)`, async () => {
              const { response } = await send(route, systemMembers[index]!, mode, 'self', other, { snapshot: false });
              expectAllowed(route, response);
            });
            return;
          }
          const holds = group.permissions.includes(access.permission);
          if (holds) {
            it(`allows ${group.name} on another account (holds ${access.permission})`, async () => {
              const { response } = await send(route, systemMembers[index]!, mode, 'other', other, { snapshot: false });
              expectAllowed(route, response);
            });
          } else {
            it(`returns 403 for ${group.name} on another account without ${access.permission}, changing nothing`, async () => {
              const { response, before } = await send(route, systemMembers[index]!, mode, 'other', other);
              await expectRefused(response, before, 403, 'forbidden');
            });
          }
          if (access.orSelfParam) {
            it(`allows ${group.name} on its own account`, async () => {
              const { response } = await send(route, systemMembers[index]!, mode, 'self', other, { snapshot: false });
              expectAllowed(route, response);
            });
          }
        });
      });
    }
  });
}

matrix('session');
matrix('token');

/**
 * Which permission each route asks for, and the CSRF refusals, are decided by the gate before any
 * handler or query runs, so the database under the app cannot change their answers: they run on
 * SQLite only. On PostgreSQL (the slowest file of the suite when it ran everything: four minutes)
 * the system-group matrix above still sends every sample through the real handlers in both modes.
 */
const describeOnSqlite = usingPostgres ? describe.skip : describe;

describeOnSqlite('route × single-permission custom group matrix (each route asks for exactly its permission)', () => {
  const permissions = [
    ...new Set(routes.flatMap((r) => (r.access.kind === 'permission' ? [r.access.permission] : []))),
  ].sort();
  const holders = new Map<string, Member>();
  // The accounts acted on hold no rights at all, so every holder holds all of theirs and the rule
  // on acting on another account's security (accountSecurityDecision) never decides here: the gate does.
  let rightless: { groupId: string; other: UserWithGroup };
  beforeAll(async () => {
    const groupId = await createCustomGroup(t, [], 'Targets without rights');
    rightless = { groupId, other: await quickUser(t, groupId, { firstName: 'Rightless', lastName: 'Target' }) };
    for (const permission of [...permissions, 'none']) {
      const held = permission === 'none' ? [] : [permission];
      const groupId = await createCustomGroup(t, held, `Only ${permission}`);
      holders.set(permission, await newMember(`only ${permission}`, groupId, held));
    }
  });

  for (const permission of [...permissions, 'none']) {
    describe(
      permission === 'none' ? 'a custom group with no permissions' : `a custom group holding only ${permission}`,
      () => {
        for (const route of sampled) {
          const access = route.access;
          if (access.kind !== 'permission') continue;
          const holds = access.permission === permission;
          it(`${holds ? 'is allowed' : 'gets 403'} on ${keyOf(route)} for another account`, async () => {
            const { response, before } = await send(
              route,
              holders.get(permission)!,
              'session',
              'other',
              rightless.other,
              {
                accountsIn: rightless.groupId,
              },
            );
            if (holds) expectAllowed(route, response);
            else await expectRefused(response, before, 403, 'forbidden');
          });
          if (access.orSelfParam) {
            it(`is allowed on ${keyOf(route)} for its own account`, async () => {
              const { response } = await send(route, holders.get(permission)!, 'session', 'self', other, {
                snapshot: false,
              });
              expectAllowed(route, response);
            });
          }
        }
      },
    );
  }
});

describe('401 without valid credentials', () => {
  const protectedRoutes = sampled.filter((r) => r.access.kind !== 'public');
  for (const route of protectedRoutes) {
    it(`${keyOf(route)} returns 401 unauthenticated without any credentials, changing nothing`, async () => {
      const { response, before } = await send(route, systemMembers[0]!, 'session', 'other', other, {
        caller: null,
        headers: UI_HEADERS,
      });
      await expectRefused(response, before, 401, 'unauthenticated');
    });
    it(`${keyOf(route)} returns 401 with an unknown session cookie or API token, changing nothing`, async () => {
      const cookie = `${sessionCookieFor(t.config.publicUrl).name}=forged-session-id`;
      const forgedSession = await send(route, systemMembers[0]!, 'session', 'other', other, {
        caller: null,
        headers: { ...UI_HEADERS, cookie },
      });
      await expectRefused(forgedSession.response, forgedSession.before, 401, 'session_expired');
      const forgedToken = await send(route, systemMembers[0]!, 'token', 'other', other, {
        caller: tokenCaller(t, 'lk_forged'),
      });
      await expectRefused(forgedToken.response, forgedToken.before, 401, 'unauthenticated');
    });
  }

  const getRoutes = protectedRoutes.filter((r) => r.method === 'GET');
  for (const route of getRoutes) {
    it(`HEAD ${route.url} (Fastify's automatic HEAD route) is gated like GET: 401 without credentials`, async () => {
      const request = await ROUTE_SAMPLES[keyOf(route)]!.build({
        t,
        caller: other,
        targetId: other.id,
        self: false,
        newAccount: () => quickUser(t, SYSTEM_GROUP_IDS.regularUser),
      });
      const response = await t.app.inject({ method: 'HEAD', url: sampleUrl(route.url, request) });
      expect(response.statusCode).toBe(401);
    });
  }

  it('HEAD /api/v1/users is refused with 403 for a Read Only User', async () => {
    const readOnly = systemMembers.find((m) => m.groupId === SYSTEM_GROUP_IDS.readOnlyUser)!;
    const response = await readOnly.session.request({ method: 'HEAD', url: '/api/v1/users' });
    expect(response.statusCode).toBe(403);
  });
});

describeOnSqlite('CSRF: a cookie-authenticated change must come from Latchkey itself', () => {
  // The SAML ACS takes the identity provider's cross-site POST by design (its signature is the proof).
  const changing = sampled.filter(
    (r) => !SAFE_METHODS.has(r.method) && !(r.access.kind === 'public' && r.access.crossSitePost),
  );
  const administrator = () => systemMembers.find((m) => m.groupId === SYSTEM_GROUP_IDS.administrator)!;
  const refusals: Array<[string, Record<string, string>]> = [
    ['without the x-latchkey-csrf header', { 'x-latchkey-csrf': '' }],
    ['with x-latchkey-csrf set to something other than 1', { 'x-latchkey-csrf': 'true' }],
    ['from Origin https://evil.example', { origin: 'https://evil.example' }],
    ['from Origin null (sandboxed frame or cross-site redirect)', { origin: 'null' }],
    ['with Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['with Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
  ];
  for (const route of changing) {
    for (const [how, headers] of refusals) {
      it(`${keyOf(route)} ${how} is refused with 403 csrf_failed and changes nothing`, async () => {
        const merged = { ...headers };
        // An empty header value stands for "absent": drop the one the session caller would add.
        const { response, before } = await send(route, administrator(), 'session', 'other', other, {
          caller: {
            cookie: administrator().session.cookie,
            request: (options) =>
              t.app.inject({
                ...options,
                headers: Object.fromEntries(
                  Object.entries({
                    ...options.headers,
                    ...UI_HEADERS,
                    cookie: administrator().session.cookie!,
                    ...merged,
                  }).filter(([, v]) => v !== ''),
                ),
              }),
          },
        });
        await expectRefused(response, before, 403, 'csrf_failed');
      });
    }
  }

  it('accepts a change from the configured public origin with Sec-Fetch-Site: same-origin (the control case)', async () => {
    const route = routes.find((r) => keyOf(r) === 'PATCH /api/v1/me')!;
    const { response } = await send(route, administrator(), 'session', 'self', other, {
      headers: { origin: t.config.publicUrl.origin, 'sec-fetch-site': 'same-origin' },
      snapshot: false,
    });
    expect(response.statusCode).toBe(200);
  });

  it('does not ask API-token requests for the CSRF header (they carry no ambient credentials)', async () => {
    const route = routes.find((r) => keyOf(r) === 'PATCH /api/v1/me')!;
    const { response } = await send(route, administrator(), 'token', 'self', other, { snapshot: false });
    expect(response.statusCode).toBe(200);
  });
});

describe('tokens are never accepted in the URL', () => {
  const protectedRoutes = sampled.filter((r) => r.access.kind !== 'public');
  for (const route of protectedRoutes) {
    for (const name of ['token', 'access_token']) {
      it(`${keyOf(route)} with ?${name}=… returns 400 token_in_query and changes nothing`, async () => {
        const administrator = systemMembers.find((m) => m.groupId === SYSTEM_GROUP_IDS.administrator)!;
        const { response, before } = await send(route, administrator, 'session', 'other', other, {
          query: { [name]: 'lk_sometoken' },
        });
        await expectRefused(response, before, 400, 'token_in_query');
      });
    }
  }
});
