/**
 * SCIM 2.0 Users (/scim/v2, routes/scim.ts + sso/scim-users.ts), on SQLite and PostgreSQL: the
 * Okta and Entra ID provisioning sequences with their quirks, deactivation as revocation (the
 * account's session and API token refused on the next request), uniqueness under concurrent
 * creates, filters and paging, ETags, bad input (a SCIM error, nothing half-applied), and the SCIM
 * token: it does SCIM and nothing else, and nothing else does SCIM.
 */
import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { createSession } from '../../src/server/auth/sessions.js';
import { sessionCookieFor } from '../../src/server/app.js';
import type { IdentityProviderRow } from '../../src/server/sso/provider-settings.js';
import { signInWithSso } from '../../src/server/sso/sign-in.js';
import { insertOidcProvider } from '../helpers/identity-provider-fixtures.js';
import {
  auditSince,
  createCustomGroup,
  giveApiToken,
  lastAuditId,
  quickSession,
  quickUser,
  uniqueEmail,
} from '../helpers/fixtures.js';
import {
  anotherNode,
  createTestApp,
  sessionCaller,
  tokenCaller,
  usingPostgres,
  type Caller,
  type TestApp,
} from '../helpers/test-app.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

const OIDC = {
  issuer: 'http://127.0.0.1:9/not-contacted',
  clientId: 'latchkey',
  scopes: 'openid',
  groupsClaim: 'groups',
};

let t: TestApp;
let provider: IdentityProviderRow;
let admin: Caller;
let token: string;

type Json = Record<string, unknown>;

async function generateToken(providerId: string): Promise<string> {
  const response = await admin.request({ method: 'POST', url: `/api/v1/identity-providers/${providerId}/scim-token` });
  expect(response.statusCode).toBe(201);
  return response.json<{ token: string }>().token;
}

function scim(
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  bearer = token,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url: `/scim/v2${url}`,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
}

function expectScimError(response: LightMyRequestResponse, status: number, scimType?: string): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  const body = response.json<Json>();
  expect(body.schemas).toEqual([ERROR_SCHEMA]);
  expect(body.status).toBe(String(status));
  if (scimType) expect(body.scimType).toBe(scimType);
  expect(typeof body.detail).toBe('string');
}

const filterUrl = (filter: string, extra = '') => `/Users?filter=${encodeURIComponent(filter)}${extra}`;

function oktaUser(email: string): Json {
  return {
    schemas: [USER_SCHEMA],
    userName: email,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ primary: true, value: email, type: 'work' }],
    displayName: 'Ada Lovelace',
    locale: 'en-US',
    externalId: `00u${randomUUID().slice(0, 8)}`,
    groups: [],
    password: 'never-stored-1A!',
    active: true,
  };
}

async function create(body: Json): Promise<Json> {
  const response = await scim('POST', '/Users', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Json>();
}

const patch = (Operations: Json[]) => ({ schemas: [PATCH_SCHEMA], Operations });

/** A session and an API token for the account, both working now. */
async function credentialsOf(userId: string): Promise<{ session: Caller; apiToken: Caller }> {
  const created = await createSession(t.db, userId, { ip: '127.0.0.1', userAgent: 'vitest' });
  const session = sessionCaller(t, `${sessionCookieFor(t.config.publicUrl).name}=${created.id}`);
  const apiToken = tokenCaller(t, await giveApiToken(t, userId));
  expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
  expect((await apiToken.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
  return { session, apiToken };
}

beforeAll(async () => {
  t = await createTestApp();
  provider = await insertOidcProvider(t, OIDC, { name: 'Corp Okta', defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser });
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
  token = await generateToken(provider.id);
});
afterAll(async () => t?.close());

describe('the Okta SCIM 2.0 test sequence', () => {
  it('creates, reads, finds, deactivates (ending its session and API token), reactivates and replaces', async () => {
    const email = uniqueEmail('okta');
    // 1. Okta looks the person up first: nothing yet.
    const none = await scim('GET', filterUrl(`userName eq "${email}"`, '&startIndex=1&count=100'));
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });

    // 2. Create: 201 with the resource, Location and ETag.
    const before = await lastAuditId(t);
    const response = await scim('POST', '/Users', oktaUser(email));
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
    const user = response.json<Json & { id: string; meta: Json }>();
    expect(response.headers.location).toBe(`${t.config.publicUrl.origin}/scim/v2/Users/${user.id}`);
    expect(response.headers.etag).toBe(user.meta.version);
    expect(user).toMatchObject({
      schemas: [USER_SCHEMA],
      userName: email,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      active: true,
      emails: [{ value: email, type: 'work', primary: true }],
      meta: { resourceType: 'User', location: response.headers.location },
    });
    expect(user).not.toHaveProperty('password');
    // An SSO account of the provider, without a password, in its default group.
    const row = await t.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      user_type: 'sso',
      sso_provider: 'Corp Okta',
      password_hash: null,
      security_group_id: SYSTEM_GROUP_IDS.readOnlyUser,
      status: 'enabled',
    });
    const created = await auditSince(t, before);
    expect(created.map((entry) => entry.action)).toEqual(['scim.user_created']);
    expect(created[0]!.details).toMatchObject({ provider: 'Corp Okta', providerId: provider.id, via: 'scim' });
    expect(created[0]!.target_user_id).toBe(user.id);

    // 3. Get, and find by userName in another letter case.
    const got = await scim('GET', `/Users/${user.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(user);
    const found = await scim('GET', filterUrl(`userName eq "${email.toUpperCase()}"`));
    expect(found.json()).toMatchObject({ totalResults: 1, itemsPerPage: 1, Resources: [{ id: user.id }] });

    // 4. Deactivate, Okta's way (no path): its session and API token are refused on the next request.
    const { session, apiToken } = await credentialsOf(user.id);
    const beforeDeactivation = await lastAuditId(t);
    const deactivated = await scim('PATCH', `/Users/${user.id}`, patch([{ op: 'replace', value: { active: false } }]));
    expect(deactivated.statusCode, deactivated.body).toBe(200);
    expect(deactivated.json()).toMatchObject({ active: false });
    expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    expect((await apiToken.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    expect(await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute()).toEqual([]);
    expect(await t.db.selectFrom('api_tokens').select('user_id').where('user_id', '=', user.id).execute()).toEqual([]);
    const deactivation = await auditSince(t, beforeDeactivation);
    expect(deactivation.map((entry) => entry.action)).toEqual(['scim.user_deactivated']);
    expect(deactivation[0]!.details).toMatchObject({
      provider: 'Corp Okta',
      sessionsEnded: 1,
      tokenRevoked: true,
      changes: { status: { from: 'enabled', to: 'disabled' } },
    });

    // 5. Reactivate: the account is enabled, and nothing comes back.
    const reactivated = await scim('PATCH', `/Users/${user.id}`, patch([{ op: 'replace', value: { active: true } }]));
    expect(reactivated.json()).toMatchObject({ active: true });
    expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    expect((await apiToken.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    expect((await auditSince(t, beforeDeactivation)).map((entry) => entry.action)).toEqual([
      'scim.user_deactivated',
      'scim.user_reactivated',
    ]);

    // 6. Replace (PUT): the profile follows; id and meta in the body are ignored (read-only).
    const put = await scim('PUT', `/Users/${user.id}`, {
      ...oktaUser(email),
      id: 'not-this-id',
      meta: { created: '2000-01-01T00:00:00Z' },
      externalId: 'okta-123',
      name: { givenName: 'Augusta', familyName: 'King' },
      title: 'Countess',
      phoneNumbers: [{ value: '+44 20 7946 0001', type: 'mobile' }],
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      id: user.id,
      externalId: 'okta-123',
      name: { givenName: 'Augusta', familyName: 'King' },
      displayName: 'Augusta King',
      title: 'Countess',
      phoneNumbers: [{ value: '+44 20 7946 0001' }],
      active: true,
    });
    expect(put.json<{ meta: Json }>().meta.created).toBe(user.meta.created);
  });
});

describe.skipIf(!usingPostgres)('deactivation on one node', () => {
  it('refuses the account’s session and API token on the very next request on another node', async () => {
    const user = await create(oktaUser(uniqueEmail('two-nodes')));
    const id = user.id as string;
    const created = await createSession(t.db, id, { ip: '127.0.0.1', userAgent: 'vitest' });
    const cookie = `${sessionCookieFor(t.config.publicUrl).name}=${created.id}`;
    const apiToken = await giveApiToken(t, id);
    const nodeB = await anotherNode(t);
    try {
      const onB = (headers: Record<string, string>) => nodeB.app.inject({ method: 'GET', url: '/api/v1/me', headers });
      // Node B has the credentials in its cache now.
      expect((await onB({ cookie })).statusCode).toBe(200);
      expect((await onB({ authorization: `Bearer ${apiToken}` })).statusCode).toBe(200);
      const deactivated = await scim('PATCH', `/Users/${id}`, patch([{ op: 'replace', value: { active: false } }]));
      expect(deactivated.statusCode).toBe(200);
      expect((await onB({ cookie })).statusCode).toBe(401);
      expect((await onB({ authorization: `Bearer ${apiToken}` })).statusCode).toBe(401);
    } finally {
      await nodeB.close();
    }
  });
});

describe("Entra ID's provisioning sequence and quirks", () => {
  it('answers its connection test (a random GUID as userName) with an empty list', async () => {
    const response = await scim('GET', filterUrl(`userName eq "${randomUUID()}"`));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('takes capitalised ops, "False" as a string, URN and dotted paths, value paths and the enterprise extension', async () => {
    const email = uniqueEmail('entra');
    const user = await create({
      schemas: [USER_SCHEMA, ENTERPRISE],
      externalId: 'entra-object-1',
      userName: email,
      active: true,
      displayName: 'Grace Hopper',
      emails: [{ primary: true, type: 'work', value: email }],
      name: { formatted: 'Grace Hopper', familyName: 'Hopper', givenName: 'Grace' },
      [ENTERPRISE]: { department: 'Navy', employeeNumber: '1906' },
    });
    const id = user.id as string;

    const updated = await scim(
      'PATCH',
      `/Users/${id}`,
      patch([
        { op: 'Replace', path: 'title', value: 'Rear Admiral' },
        { op: 'Add', path: 'urn:ietf:params:scim:schemas:core:2.0:User:name.givenName', value: 'Amazing Grace' },
        { op: 'Replace', path: 'name.familyName', value: 'Hopper-Murray' },
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0100' },
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0199' },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Computing' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: email },
        { op: 'Replace', path: 'preferredLanguage', value: 'en-US' },
      ]),
    );
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({
      title: 'Rear Admiral',
      name: { givenName: 'Amazing Grace', familyName: 'Hopper-Murray' },
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      active: true,
    });

    // Filters Entra ID sends.
    for (const filter of [
      `externalId eq "entra-object-1"`,
      `emails[type eq "work"].value eq "${email}"`,
      `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "${email}"`,
      `name.familyName sw "HOPPER" and title co "admiral" and active eq true`,
      `userName eq "${email}" and (phoneNumbers[type eq "work" and value co "0100"] or title pr)`,
    ]) {
      const found = await scim('GET', filterUrl(filter));
      expect(found.statusCode, `${filter}: ${found.body}`).toBe(200);
      expect(found.json(), filter).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    }
    for (const filter of [
      `externalId eq "ENTRA-OBJECT-1"`, // externalId is case-exact
      `userName eq "${email}" and not (title pr)`,
      `userName eq "${email}" and emails[type eq "home"]`,
      `userName eq "${email}" and active eq false`,
    ]) {
      expect((await scim('GET', filterUrl(filter))).json(), filter).toMatchObject({ totalResults: 0 });
    }

    // Deactivation with "False" as a string; removal of the phone number by value filter.
    const disabled = await scim(
      'PATCH',
      `/Users/${id}`,
      patch([
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Remove', path: 'phoneNumbers[type eq "work"]' },
      ]),
    );
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json()).toMatchObject({ active: false });
    expect(disabled.json()).not.toHaveProperty('phoneNumbers');
    const row = await t.db.selectFrom('users').select(['status', 'telephone']).where('id', '=', id).executeTakeFirst();
    expect(row).toEqual({ status: 'disabled', telephone: '' });
    const enabled = await scim('PATCH', `/Users/${id}`, patch([{ op: 'Replace', path: 'active', value: 'True' }]));
    expect(enabled.json()).toMatchObject({ active: true });

    // Delete: 204, then gone.
    const before = await lastAuditId(t);
    expect((await scim('DELETE', `/Users/${id}`)).statusCode).toBe(204);
    expectScimError(await scim('GET', `/Users/${id}`), 404);
    expect(await t.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expect((await auditSince(t, before)).map((entry) => [entry.action, entry.details.provider])).toEqual([
      ['scim.user_deleted', 'Corp Okta'],
    ]);
  });
});

describe('uniqueness', () => {
  it('answers two concurrent creates of one userName with one 201 and one 409 uniqueness, never a 500', async () => {
    const email = uniqueEmail('twice');
    const [a, b] = await Promise.all([
      scim('POST', '/Users', oktaUser(email)),
      scim('POST', '/Users', oktaUser(email.toUpperCase())),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expectScimError(a.statusCode === 409 ? a : b, 409, 'uniqueness');
    const rows = await t.db.selectFrom('users').select('id').where('email_normalized', '=', email).execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses the email of an existing account (not the provider’s: it stays invisible)', async () => {
    const native = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    expectScimError(await scim('POST', '/Users', oktaUser(native.email)), 409, 'uniqueness');
    expect((await scim('GET', filterUrl(`userName eq "${native.email}"`))).json()).toMatchObject({ totalResults: 0 });
    expectScimError(await scim('GET', `/Users/${native.id}`), 404);
    expectScimError(
      await scim('PATCH', `/Users/${native.id}`, patch([{ op: 'replace', value: { active: false } }])),
      404,
    );
    expectScimError(await scim('DELETE', `/Users/${native.id}`), 404);
  });

  it('refuses a change of userName to one taken', async () => {
    const taken = await create(oktaUser(uniqueEmail('taken')));
    const other = await create(oktaUser(uniqueEmail('other')));
    const response = await scim(
      'PATCH',
      `/Users/${other.id as string}`,
      patch([{ op: 'replace', path: 'userName', value: (taken.userName as string).toUpperCase() }]),
    );
    expectScimError(response, 409, 'uniqueness');
  });
});

describe('bad input: a SCIM error, nothing changed', () => {
  let user: Json;
  beforeAll(async () => {
    user = await create(oktaUser(uniqueEmail('bad')));
  });

  it('invalidSyntax: malformed JSON, a PATCH without its schema or with an unknown op', async () => {
    expectScimError(await scim('POST', '/Users', '{"userName": '), 400, 'invalidSyntax');
    expectScimError(
      await scim('PATCH', `/Users/${user.id as string}`, {
        Operations: [{ op: 'replace', path: 'title', value: 'x' }],
      }),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await scim('PATCH', `/Users/${user.id as string}`, patch([{ op: 'move', path: 'title', value: 'x' }])),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await scim('POST', '/Users', { schemas: ['urn:example:Other'], userName: uniqueEmail() }),
      400,
      'invalidSyntax',
    );
  });

  it('invalidFilter: broken filters and attributes that cannot be filtered on', async () => {
    for (const filter of [
      'userName eq',
      'userName eq bjensen',
      '(userName eq "x"',
      'nickName eq "x"',
      'active eq "yes"',
    ]) {
      expectScimError(await scim('GET', filterUrl(filter)), 400, 'invalidFilter');
    }
  });

  it('invalidValue: a missing or non-email userName, a non-boolean active, too long a name', async () => {
    expectScimError(
      await scim('POST', '/Users', { schemas: [USER_SCHEMA], name: { givenName: 'x' } }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim('POST', '/Users', { ...oktaUser('not-an-email'), userName: 'not-an-email' }),
      400,
      'invalidValue',
    );
    expectScimError(await scim('POST', '/Users', { ...oktaUser(uniqueEmail()), active: 'maybe' }), 400, 'invalidValue');
    expectScimError(
      await scim('POST', '/Users', { ...oktaUser(uniqueEmail()), name: { givenName: 'x'.repeat(101) } }),
      400,
      'invalidValue',
    );
    expectScimError(await scim('GET', '/Users?count=many'), 400, 'invalidValue');
    expectScimError(await scim('GET', '/Users?filter=title%20pr&filter=title%20pr'), 400, 'invalidValue');
    expectScimError(await scim('GET', '/Users?attributes=name.given.name'), 400, 'invalidValue');
  });

  it('mutability, invalidPath, noTarget; and a failing operation leaves the earlier ones unapplied', async () => {
    const id = user.id as string;
    const row = () => t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const before = await row();
    const auditBefore = await lastAuditId(t);
    expectScimError(
      await scim('PATCH', `/Users/${id}`, patch([{ op: 'replace', path: 'id', value: 'x' }])),
      400,
      'mutability',
    );
    expectScimError(
      await scim('PATCH', `/Users/${id}`, patch([{ op: 'replace', path: 'meta.created', value: 'x' }])),
      400,
      'mutability',
    );
    expectScimError(
      await scim('PATCH', `/Users/${id}`, patch([{ op: 'replace', value: { id: 'other' } }])),
      400,
      'mutability',
    );
    expectScimError(
      await scim('PATCH', `/Users/${id}`, patch([{ op: 'replace', path: 'emails[type eq "work"', value: 'x' }])),
      400,
      'invalidPath',
    );
    expectScimError(
      await scim('PATCH', `/Users/${id}`, patch([{ op: 'replace', path: 'shoeSize', value: 44 }])),
      400,
      'invalidPath',
    );
    expectScimError(await scim('PATCH', `/Users/${id}`, patch([{ op: 'remove' }])), 400, 'noTarget');
    expectScimError(
      await scim(
        'PATCH',
        `/Users/${id}`,
        patch([
          { op: 'replace', path: 'active', value: false },
          { op: 'replace', path: 'title', value: 'Fine' },
          { op: 'replace', path: 'active', value: 'perhaps' },
        ]),
      ),
      400,
      'invalidValue',
    );
    expect(await row()).toEqual(before);
    expect(await auditSince(t, auditBefore)).toEqual([]);
  });
});

describe('lists, attributes and versions', () => {
  it('pages in a stable order with correct totals; count=0 counts only', async () => {
    const tag = randomUUID().slice(0, 6);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(oktaUser(`page-${tag}-${i}@example.test`))).id as string);
    const filter = `userName sw "page-${tag}"`;
    const all = (await scim('GET', filterUrl(filter))).json<{ Resources: Json[] }>();
    expect(all.Resources.map((resource) => resource.id)).toEqual(ids);
    const page = await scim('GET', filterUrl(filter, '&startIndex=2&count=2'));
    expect(page.json()).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(page.json<{ Resources: Json[] }>().Resources.map((resource) => resource.id)).toEqual(ids.slice(1, 3));
    const last = await scim('GET', filterUrl(filter, '&startIndex=5&count=10'));
    expect(last.json()).toMatchObject({ totalResults: 5, itemsPerPage: 1, Resources: [{ id: ids[4] }] });
    const counted = await scim('GET', filterUrl(filter, '&count=0'));
    expect(counted.json()).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    const clamped = await scim('GET', filterUrl(filter, '&startIndex=0&count=-3'));
    expect(clamped.json()).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 0 });
    // A LIKE wildcard in a value is a literal character.
    expect((await scim('GET', filterUrl(`userName sw "page-${tag}-_"`))).json()).toMatchObject({ totalResults: 0 });
  });

  it('returns only the attributes asked for, or all but the excluded ones (id and schemas always)', async () => {
    const user = await create(oktaUser(uniqueEmail('attrs')));
    const id = user.id as string;
    const only = await scim('GET', `/Users/${id}?attributes=userName,name.familyName`);
    expect(only.json()).toEqual({
      schemas: [USER_SCHEMA],
      id,
      userName: user.userName,
      name: { familyName: 'Lovelace' },
    });
    const without = await scim('GET', `/Users/${id}?excludedAttributes=emails,name.givenName,meta`);
    expect(without.json()).not.toHaveProperty('emails');
    expect(without.json()).not.toHaveProperty('meta');
    expect(without.json()).toMatchObject({ id, name: { familyName: 'Lovelace' } });
    expect(without.json<{ name: Json }>().name).not.toHaveProperty('givenName');
    const listed = await scim('GET', filterUrl(`userName eq "${user.userName as string}"`, '&attributes=userName'));
    expect(listed.json<{ Resources: Json[] }>().Resources).toEqual([
      { schemas: [USER_SCHEMA], id, userName: user.userName },
    ]);
  });

  it('answers If-Match with a stale version 412 (nothing changed), and If-None-Match with 304', async () => {
    const user = await create(oktaUser(uniqueEmail('etag')));
    const id = user.id as string;
    const first = await scim('GET', `/Users/${id}`);
    const v1 = first.headers.etag as string;
    expect(v1).toMatch(/^W\/"/);
    expect((await scim('GET', `/Users/${id}`, undefined, { 'if-none-match': v1 })).statusCode).toBe(304);
    const changed = await scim('PATCH', `/Users/${id}`, patch([{ op: 'replace', path: 'title', value: 'One' }]), {
      'if-match': v1,
    });
    expect(changed.statusCode).toBe(200);
    const v2 = changed.headers.etag as string;
    expect(v2).not.toBe(v1);
    expectScimError(
      await scim('PATCH', `/Users/${id}`, patch([{ op: 'replace', path: 'title', value: 'Two' }]), { 'if-match': v1 }),
      412,
    );
    expectScimError(await scim('PUT', `/Users/${id}`, oktaUser(user.userName as string), { 'if-match': v1 }), 412);
    expectScimError(await scim('DELETE', `/Users/${id}`, undefined, { 'if-match': v1 }), 412);
    expect((await scim('GET', `/Users/${id}`)).json()).toMatchObject({ title: 'One' });
    expect((await scim('DELETE', `/Users/${id}`, undefined, { 'if-match': v2 })).statusCode).toBe(204);
  });
});

describe('the SCIM token', () => {
  it('is required: no token, a wrong one, an API token or a session get 401 in the SCIM error schema', async () => {
    const noToken = await t.app.inject({ method: 'GET', url: '/scim/v2/Users' });
    expectScimError(noToken, 401);
    expect(noToken.headers['www-authenticate']).toMatch(/^Bearer/);
    expectScimError(await scim('GET', '/Users', undefined, {}, 'lkscim_not-a-real-token'), 401);
    const administrator = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    expectScimError(await scim('GET', '/Users', undefined, {}, await giveApiToken(t, administrator.id)), 401);
    const session = await createSession(t.db, administrator.id, { ip: '127.0.0.1', userAgent: 'vitest' });
    const cookie = `${sessionCookieFor(t.config.publicUrl).name}=${session.id}`;
    expectScimError(await t.app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { cookie } }), 401);
  });

  it('does SCIM and nothing else: /api/v1 refuses it', async () => {
    for (const url of ['/api/v1/me', '/api/v1/users', '/api/v1/identity-providers']) {
      const response = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode, url).toBe(401);
    }
  });

  it("lists the latest changes of this provider's provisioning only, newest first", async () => {
    const other = await insertOidcProvider(t, OIDC, { name: `Entra ${randomUUID().slice(0, 6)}` });
    const email = `listed.${randomUUID().slice(0, 8)}@example.test`;
    const created = await create(oktaUser(email));
    const deactivated = await scim(
      'PATCH',
      `/Users/${String(created.id)}`,
      patch([{ op: 'replace', value: { active: false } }]),
    );
    expect(deactivated.statusCode).toBe(200);
    const eventsOf = async (providerId: string) =>
      (await admin.request({ method: 'GET', url: `/api/v1/identity-providers/${providerId}/scim` })).json<{
        events: { action: string; targetEmail: string }[];
      }>().events;
    expect((await eventsOf(provider.id)).slice(0, 2)).toEqual([
      expect.objectContaining({ action: 'scim.user_deactivated', targetEmail: email }),
      expect.objectContaining({ action: 'scim.user_created', targetEmail: email }),
    ]);
    expect(await eventsOf(other.id)).toEqual([]);
  });

  it('shows when it was last used; regenerating or revoking it refuses the old one at once; audited', async () => {
    const other = await insertOidcProvider(t, OIDC, { name: `Entra ${randomUUID().slice(0, 6)}` });
    const before = await lastAuditId(t);
    const first = await generateToken(other.id);
    expect(first).toMatch(/^lkscim_/);
    expect((await scim('GET', '/ServiceProviderConfig', undefined, {}, first)).statusCode).toBe(200);
    const shown = (
      await admin.request({ method: 'GET', url: `/api/v1/identity-providers/${other.id}/scim` })
    ).json<Json>();
    expect(shown).toMatchObject({
      baseUrl: `${t.config.publicUrl.origin}/scim/v2`,
      deprovision: 'delete',
      token: { masked: `${first.slice(0, 11)}…${first.slice(-4)}`, lastUsedIp: '127.0.0.1' },
    });
    expect(JSON.stringify(shown)).not.toContain(first);
    expect((shown.token as Json).lastUsedAt).toEqual(expect.any(String));

    // Each provider sees only its own accounts.
    const mine = await create(oktaUser(uniqueEmail('mine')));
    expectScimError(await scim('GET', `/Users/${mine.id as string}`, undefined, {}, first), 404);

    const second = await generateToken(other.id);
    expectScimError(await scim('GET', '/Users', undefined, {}, first), 401);
    expect((await scim('GET', '/Users', undefined, {}, second)).statusCode).toBe(200);
    expect(
      (await admin.request({ method: 'DELETE', url: `/api/v1/identity-providers/${other.id}/scim-token` })).statusCode,
    ).toBe(204);
    expectScimError(await scim('GET', '/Users', undefined, {}, second), 401);
    expect(
      (await admin.request({ method: 'DELETE', url: `/api/v1/identity-providers/${other.id}/scim-token` })).statusCode,
    ).toBe(404);
    const entries = (await auditSince(t, before)).filter((entry) => entry.action.startsWith('scim_token.'));
    expect(entries.map((entry) => entry.action)).toEqual([
      'scim_token.generated',
      'scim_token.generated',
      'scim_token.revoked',
    ]);
    expect(entries.every((entry) => entry.details.providerId === other.id)).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(first.slice(11, -4));
  });

  it('is refused while its provider is disabled', async () => {
    const off = await insertOidcProvider(t, OIDC, { name: `Off ${randomUUID().slice(0, 6)}`, enabled: false });
    expectScimError(await scim('GET', '/Users', undefined, {}, await generateToken(off.id)), 403);
  });

  it('cannot be generated or revoked without the right to configure identity providers', async () => {
    const regular = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.regularUser));
    expect(
      (await regular.request({ method: 'POST', url: `/api/v1/identity-providers/${provider.id}/scim-token` }))
        .statusCode,
    ).toBe(403);
    expect(
      (await regular.request({ method: 'DELETE', url: `/api/v1/identity-providers/${provider.id}/scim-token` }))
        .statusCode,
    ).toBe(403);
    expect((await scim('GET', '/Users')).statusCode).toBe(200);
  });
});

describe('DELETE when the provider is set to disable instead', () => {
  it('disables the account (ending its credentials) and keeps it', async () => {
    const user = await create(oktaUser(uniqueEmail('keep')));
    const id = user.id as string;
    const set = await admin.request({
      method: 'PATCH',
      url: `/api/v1/identity-providers/${provider.id}/scim`,
      payload: { deprovision: 'disable' },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ deprovision: 'disable' });
    try {
      const { session } = await credentialsOf(id);
      expect((await scim('DELETE', `/Users/${id}`)).statusCode).toBe(204);
      expect((await session.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
      expect((await scim('GET', `/Users/${id}`)).json()).toMatchObject({ active: false });
    } finally {
      await admin.request({
        method: 'PATCH',
        url: `/api/v1/identity-providers/${provider.id}/scim`,
        payload: { deprovision: 'delete' },
      });
    }
  });
});

describe('the last enabled Administrator', () => {
  it('is never disabled or deleted by provisioning', async () => {
    const user = await create(oktaUser(uniqueEmail('last-admin')));
    const id = user.id as string;
    await t.db
      .updateTable('users')
      .set({ security_group_id: SYSTEM_GROUP_IDS.administrator })
      .where('id', '=', id)
      .execute();
    const others = await t.db
      .selectFrom('users')
      .select('id')
      .where('security_group_id', '=', SYSTEM_GROUP_IDS.administrator)
      .where('status', '=', 'enabled')
      .where('id', '!=', id)
      .execute();
    const otherIds = others.map((row) => row.id);
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', 'in', otherIds).execute();
    try {
      expectScimError(await scim('PATCH', `/Users/${id}`, patch([{ op: 'replace', value: { active: false } }])), 409);
      expectScimError(await scim('DELETE', `/Users/${id}`), 409);
      expect((await scim('GET', `/Users/${id}`)).json()).toMatchObject({ active: true });
    } finally {
      await t.db.updateTable('users').set({ status: 'enabled' }).where('id', 'in', otherIds).execute();
    }
  });
});

describe('discovery', () => {
  it('describes the service: ServiceProviderConfig, Schemas, ResourceTypes', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.statusCode).toBe(200);
    expect(config.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(config.json()).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      etag: { supported: true },
    });
    const schemas = await scim('GET', '/Schemas');
    expect(schemas.json()).toMatchObject({
      totalResults: 2,
      Resources: [{ id: USER_SCHEMA }, { id: 'urn:ietf:params:scim:schemas:core:2.0:Group' }],
    });
    expect((await scim('GET', `/Schemas/${USER_SCHEMA}`)).json()).toMatchObject({ id: USER_SCHEMA });
    expect((await scim('GET', '/ResourceTypes')).json()).toMatchObject({
      Resources: [
        { id: 'User', endpoint: '/Users' },
        { id: 'Group', endpoint: '/Groups' },
      ],
    });
    expectScimError(await scim('GET', '/Nothing'), 404);
  });

  it('accepts application/json as well', async () => {
    const email = uniqueEmail('json');
    const response = await t.app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(oktaUser(email)),
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-token limit', async () => {
    const limited = await createTestApp({ LATCHKEY_SCIM_REQUESTS_PER_MINUTE: '3' });
    try {
      const p = await insertOidcProvider(limited, OIDC, { name: 'Limited' });
      const caller = await quickSession(limited, await quickUser(limited, SYSTEM_GROUP_IDS.administrator));
      const generated = await caller.request({ method: 'POST', url: `/api/v1/identity-providers/${p.id}/scim-token` });
      const limitedToken = generated.json<{ token: string }>().token;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await limited.app.inject({
          method: 'GET',
          url: '/scim/v2/Users',
          headers: { authorization: `Bearer ${limitedToken}` },
        });
        statuses.push(response.statusCode);
        if (response.statusCode === 429) {
          expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
          expect(response.json()).toMatchObject({ status: '429', schemas: [ERROR_SCHEMA] });
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  it("limits made-up tokens per client address, and they do not reset a real token's window", async () => {
    const limited = await createTestApp({ LATCHKEY_SCIM_REQUESTS_PER_MINUTE: '3' });
    try {
      const p = await insertOidcProvider(limited, OIDC, { name: 'Limited' });
      const caller = await quickSession(limited, await quickUser(limited, SYSTEM_GROUP_IDS.administrator));
      const generated = await caller.request({ method: 'POST', url: `/api/v1/identity-providers/${p.id}/scim-token` });
      const realToken = generated.json<{ token: string }>().token;
      const get = (token: string) =>
        limited.app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: `Bearer ${token}` } });
      const real: number[] = [];
      for (let i = 0; i < 3; i++) real.push((await get(realToken)).statusCode);
      // Before the fix every made-up token had a window of its own: never limited, and 10,000 of
      // them cleared every window, the real token's included.
      const madeUp: number[] = [];
      for (let i = 0; i < 5; i++) madeUp.push((await get(`lkscim_made-up-${i}`)).statusCode);
      real.push((await get(realToken)).statusCode);
      expect(madeUp).toEqual([401, 401, 401, 429, 429]);
      expect(real).toEqual([200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('Groups: membership sets the security group through the provider’s group mapping', () => {
  let groupsToken: string;
  let groupsProvider: IdentityProviderRow;
  let narrow: string;
  let wide: string;
  const as = (method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}) =>
    scim(method, url, body, headers, groupsToken);
  const groupOf = async (id: string) =>
    (await t.db.selectFrom('users').select('security_group_id').where('id', '=', id).executeTakeFirstOrThrow())
      .security_group_id;
  const newUser = async (prefix: string) => {
    const response = await as('POST', '/Users', oktaUser(uniqueEmail(prefix)));
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  };

  beforeAll(async () => {
    narrow = await createCustomGroup(t, ['records:view']);
    wide = await createCustomGroup(t, ['records:view', 'records:create', 'tasks:view']);
    groupsProvider = await insertOidcProvider(t, OIDC, {
      name: 'Corp Groups',
      defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
      groupMappings: { Engineers: wide, Analysts: narrow, Admins: SYSTEM_GROUP_IDS.administrator },
    });
    groupsToken = await generateToken(groupsProvider.id);
  });

  it('walks create, add, Entra’s removal by value array, Okta’s removal by filter, rename and delete', async () => {
    const u1 = await newUser('member-one');
    const u2 = await newUser('member-two');
    expect(await groupOf(u1)).toBe(SYSTEM_GROUP_IDS.readOnlyUser);

    const before = await lastAuditId(t);
    const created = await as('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Engineers',
      members: [{ value: u1 }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const engineers = created.json<{ id: string; members: Json[] }>();
    expect(created.headers.location).toContain(`/scim/v2/Groups/${engineers.id}`);
    expect(engineers.members).toEqual([expect.objectContaining({ value: u1 })]);
    expect(await groupOf(u1)).toBe(wide);
    expect((await auditSince(t, before)).map((entry) => entry.action)).toEqual([
      'scim.group_created',
      'scim.security_group_changed',
    ]);

    const analysts = (await as('POST', '/Groups', { displayName: 'Analysts' })).json<{ id: string }>();
    const added = await as(
      'PATCH',
      `/Groups/${analysts.id}`,
      patch([{ op: 'add', path: 'members', value: [{ value: u1 }, { value: u2 }] }]),
    );
    expect(added.statusCode, added.body).toBe(200);
    // In Engineers and Analysts: the mapping with the fewest permissions wins.
    expect(await groupOf(u1)).toBe(narrow);
    expect(await groupOf(u2)).toBe(narrow);

    // Entra ID: remove by a value array on the "members" path, capitalised op.
    await as('PATCH', `/Groups/${analysts.id}`, patch([{ op: 'Remove', path: 'members', value: [{ value: u1 }] }]));
    expect(await groupOf(u1)).toBe(wide);
    // Okta: remove by a value filter.
    const removed = await as(
      'PATCH',
      `/Groups/${engineers.id}`,
      patch([{ op: 'remove', path: `members[value eq "${u1}"]` }]),
    );
    expect(removed.json<{ members: Json[] }>().members).toEqual([]);
    expect(await groupOf(u1)).toBe(SYSTEM_GROUP_IDS.readOnlyUser);

    // Found by name in any case; members left out when asked.
    const found = await as(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "analysts"')}&excludedAttributes=members`,
    );
    expect(found.json()).toMatchObject({ totalResults: 1, Resources: [{ id: analysts.id, displayName: 'Analysts' }] });
    expect(found.json<{ Resources: Json[] }>().Resources[0]).not.toHaveProperty('members');

    // A rename (Okta's no-path replace) takes the group out of the mapping: its members go to the default.
    await as(
      'PATCH',
      `/Groups/${analysts.id}`,
      patch([{ op: 'replace', value: { id: analysts.id, displayName: 'Nobody maps this' } }]),
    );
    expect(await groupOf(u2)).toBe(SYSTEM_GROUP_IDS.readOnlyUser);
    await as('PATCH', `/Groups/${engineers.id}`, patch([{ op: 'add', path: 'members', value: [{ value: u2 }] }]));
    expect(await groupOf(u2)).toBe(wide);
    // A single sign-on without a groups claim keeps what SCIM set (both count, as one mapping).
    const email = (await t.db.selectFrom('users').select('email').where('id', '=', u2).executeTakeFirstOrThrow()).email;
    const signedIn = await signInWithSso(
      t.db,
      groupsProvider,
      { subject: `sub-${u2}`, email, emailVerified: true, firstName: 'Ada', lastName: 'Lovelace', groups: [] },
      { ip: '127.0.0.1', userAgent: 'vitest' },
    );
    expect(signedIn.user.id).toBe(u2);
    expect(await groupOf(u2)).toBe(wide);
    expect((await as('DELETE', `/Groups/${engineers.id}`)).statusCode).toBe(204);
    expectScimError(await as('GET', `/Groups/${engineers.id}`), 404);
    expect(await groupOf(u2)).toBe(SYSTEM_GROUP_IDS.readOnlyUser);
  });

  it('refuses a taken name (409 uniqueness), unknown or foreign members (400), changing nothing', async () => {
    const name = `Team ${randomUUID().slice(0, 6)}`;
    expect((await as('POST', '/Groups', { displayName: name })).statusCode).toBe(201);
    expectScimError(await as('POST', '/Groups', { displayName: name.toUpperCase() }), 409, 'uniqueness');
    const native = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const before = await lastAuditId(t);
    expectScimError(
      await as('POST', '/Groups', { displayName: 'Engineers', members: [{ value: native.id }] }),
      400,
      'invalidValue',
    );
    expectScimError(
      await as('POST', '/Groups', { displayName: 'Engineers', members: [{ value: 'nobody' }] }),
      400,
      'invalidValue',
    );
    expectScimError(await as('POST', '/Groups', { members: [] }), 400, 'invalidValue');
    expect(await auditSince(t, before)).toEqual([]);
    expect(await groupOf(native.id)).toBe(SYSTEM_GROUP_IDS.regularUser);
  });

  it('never demotes the last enabled Administrator (the refusal is audited)', async () => {
    const u3 = await newUser('group-admin');
    const admins = (await as('POST', '/Groups', { displayName: 'Admins', members: [{ value: u3 }] })).json<{
      id: string;
    }>();
    expect(await groupOf(u3)).toBe(SYSTEM_GROUP_IDS.administrator);
    const others = (
      await t.db
        .selectFrom('users')
        .select('id')
        .where('security_group_id', '=', SYSTEM_GROUP_IDS.administrator)
        .where('status', '=', 'enabled')
        .where('id', '!=', u3)
        .execute()
    ).map((row) => row.id);
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', 'in', others).execute();
    try {
      const before = await lastAuditId(t);
      expect((await as('PATCH', `/Groups/${admins.id}`, patch([{ op: 'remove', path: 'members' }]))).statusCode).toBe(
        200,
      );
      expect(await groupOf(u3)).toBe(SYSTEM_GROUP_IDS.administrator);
      expect((await auditSince(t, before)).map((entry) => entry.action)).toEqual([
        'scim.group_updated',
        'scim.change_refused',
      ]);
    } finally {
      await t.db.updateTable('users').set({ status: 'enabled' }).where('id', 'in', others).execute();
    }
  });
});
