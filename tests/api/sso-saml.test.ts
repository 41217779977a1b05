/**
 * SAML 2.0 sign-in against assertions really signed with the test IdP's key: start
 * (AuthnRequest over HTTP-Redirect), the ACS (every check of a SAMLResponse: signature, tampering,
 * wrong key, time window, audience, recipient, InResponseTo, replay, provider, binding cookie over
 * HTTPS) and the SP metadata, on SQLite and PostgreSQL. Every refusal redirects to
 * /login?sso_error=…, creates no account and no session, and leaves its reason in the login history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { DOMParser } from '@xmldom/xmldom';
import { serviceProviderUrls, type IdentityProviderRow } from '../../src/server/sso/provider-settings.js';
import { SSO_BINDING_COOKIE } from '../../src/server/sso/flows.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { createCustomGroup, quickUser } from '../helpers/fixtures.js';
import { insertSamlProvider, type ProviderFixtureOptions } from '../helpers/identity-provider-fixtures.js';
import {
  buildSamlResponse,
  NAMEID_FORMAT,
  OTHER_CERT,
  OTHER_KEY,
  readRedirectAuthnRequest,
  startTestSamlIdp,
  TEST_IDP_CERT,
  type BuildSamlResponseOptions,
  type SamlPerson,
  type TestSamlIdp,
} from '../helpers/saml-idp.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const IDP_ENTITY_ID = 'https://idp.corp.example/saml';

let counter = 0;
function person(overrides: Partial<SamlPerson> = {}): SamlPerson {
  counter += 1;
  const id = `${Date.now().toString(36)}-${counter}`;
  return {
    nameId: `subject-${id}`,
    attributes: { email: `saml-${id}@corp.example`, firstName: 'Sam', lastName: 'Elle', groups: ['engineering'] },
    ...overrides,
  };
}

async function addProvider(t: TestApp, options: ProviderFixtureOptions = {}, entityId = IDP_ENTITY_ID) {
  return insertSamlProvider(
    t,
    {
      entityId,
      ssoUrl: 'https://idp.corp.example/sso',
      logoutUrl: '',
      certificate: TEST_IDP_CERT,
      groupsAttribute: 'groups',
    },
    options,
  );
}

interface StartedSignIn {
  requestId: string;
  /** `latchkey_sso_flow=…` */
  bindingCookie: string;
  location: URL;
}

async function start(t: TestApp, provider: { id: string }, returnTo?: string): Promise<StartedSignIn> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/v1/sso/saml/${provider.id}/start`,
    query: returnTo ? { returnTo } : {},
  });
  expect(response.statusCode, response.body).toBe(302);
  const location = new URL(String(response.headers.location));
  const binding = response.cookies.find((c) => c.name === SSO_BINDING_COOKIE);
  expect(binding).toBeDefined();
  const request = await readRedirectAuthnRequest(location);
  return { requestId: request.id, bindingCookie: `${SSO_BINDING_COOKIE}=${binding!.value}`, location };
}

function responseFor(
  t: TestApp,
  provider: IdentityProviderRow,
  requestId: string | null,
  who: SamlPerson,
  overrides: Partial<BuildSamlResponseOptions> = {},
): string {
  const sp = serviceProviderUrls(t.config.publicUrl, provider.id);
  return buildSamlResponse({
    issuer: IDP_ENTITY_ID,
    acsUrl: sp.samlAcsUrl,
    audience: sp.samlEntityId,
    inResponseTo: requestId,
    person: who,
    ...overrides,
  });
}

function postToAcs(
  t: TestApp,
  provider: { id: string },
  samlResponse: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/sso/saml/${provider.id}/acs`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // What a browser sends on the IdP's cross-site form POST.
      origin: 'https://idp.corp.example',
      'sec-fetch-site': 'cross-site',
      ...headers,
    },
    payload: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: 'whatever' }).toString(),
  });
}

function sessionCookieOf(t: TestApp, response: LightMyRequestResponse) {
  return response.cookies.find((c) => c.name.endsWith('latchkey_session') && c.value);
}

async function loginHistoryFor(t: TestApp, email: string) {
  return t.db.selectFrom('login_history').selectAll().where('email', '=', email).orderBy('id').execute();
}

async function lastLoginHistory(t: TestApp) {
  return t.db.selectFrom('login_history').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
}

async function countRows(t: TestApp, table: 'users' | 'sessions' | 'sso_identities'): Promise<number> {
  const row = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Sends `samlResponse` and checks the refusal: a redirect with `code`, no account, no session, the reason logged. */
async function expectRefusal(
  t: TestApp,
  provider: { id: string },
  samlResponse: string,
  expected: { code: string; reason: RegExp; headers?: Record<string, string> },
): Promise<void> {
  const before = {
    users: await countRows(t, 'users'),
    sessions: await countRows(t, 'sessions'),
    identities: await countRows(t, 'sso_identities'),
  };
  const lastIdBefore = (await lastLoginHistory(t).catch(() => ({ id: 0 }))).id;
  const response = await postToAcs(t, provider, samlResponse, expected.headers);
  expect(response.statusCode, response.body).toBe(303);
  expect(response.headers.location).toBe(`/login?sso_error=${expected.code}`);
  expect(sessionCookieOf(t, response)).toBeUndefined();
  expect({
    users: await countRows(t, 'users'),
    sessions: await countRows(t, 'sessions'),
    identities: await countRows(t, 'sso_identities'),
  }).toEqual(before);
  const logged = await lastLoginHistory(t);
  expect(Number(logged.id)).toBeGreaterThan(Number(lastIdBefore));
  expect(logged.success).toBe(0);
  expect(logged.method).toBe('saml');
  expect(logged.reason).toMatch(expected.reason);
  // The person sees a generic message only; the assertion itself is never stored.
  expect(logged.reason).not.toContain('<');
}

describe('SAML sign-in over HTTP (the ACS cannot see the SameSite=Lax binding cookie)', () => {
  let t: TestApp;
  let provider: IdentityProviderRow;
  let engineersGroup: string;
  beforeAll(async () => {
    t = await createTestApp();
    engineersGroup = await createCustomGroup(t, ['records:view'], 'Engineers');
    provider = await addProvider(t, {
      name: 'Corp SAML',
      defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
      groupMappings: { engineering: engineersGroup },
    });
  });
  afterAll(async () => t?.close());

  describe('GET /api/v1/sso/saml/:id/start', () => {
    it('redirects to the IdP with a deflated AuthnRequest whose ID is the flow key and whose Destination and ACS are right', async () => {
      const started = await start(t, provider, '/users');
      const sp = serviceProviderUrls(t.config.publicUrl, provider.id);
      expect(started.location.origin + started.location.pathname).toBe('https://idp.corp.example/sso');
      const request = await readRedirectAuthnRequest(started.location);
      expect(request.id).toMatch(/^_[0-9a-f]{40}$/);
      expect(request.destination).toBe('https://idp.corp.example/sso');
      expect(request.assertionConsumerServiceUrl).toBe(sp.samlAcsUrl);
      expect(request.issuer).toBe(sp.samlEntityId);
      // RelayState is no redirect target: only the provider ID, which the ACS ignores.
      expect(request.relayState).toBe(provider.id);
      const flows = await t.db
        .selectFrom('sso_login_flows')
        .selectAll()
        .where('provider_id', '=', provider.id)
        .execute();
      const { hashSecret } = await import('../../src/server/security/secrets.js');
      const flow = flows.find((f) => f.id_hash === hashSecret(request.id));
      expect(flow?.return_to).toBe('/users');
    });

    it('sets the binding cookie HttpOnly, path /api/v1/sso, SameSite=Lax over plain HTTP', async () => {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/sso/saml/${provider.id}/start` });
      const cookie = response.cookies.find((c) => c.name === SSO_BINDING_COOKIE)!;
      expect(cookie.httpOnly).toBe(true);
      expect(cookie.path).toBe('/api/v1/sso');
      expect(String(cookie.sameSite).toLowerCase()).toBe('lax');
    });

    it('sends an unknown provider to the sign-in page with provider_disabled', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/sso/saml/no-such-provider/start' });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login?sso_error=provider_disabled');
    });

    it('sends a disabled provider to the sign-in page with provider_disabled and starts no flow', async () => {
      const disabled = await addProvider(t, { enabled: false });
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/sso/saml/${disabled.id}/start` });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login?sso_error=provider_disabled');
      const flows = await t.db
        .selectFrom('sso_login_flows')
        .select('id_hash')
        .where('provider_id', '=', disabled.id)
        .execute();
      expect(flows).toEqual([]);
    });
  });

  describe('POST /api/v1/sso/saml/:id/acs', () => {
    it('signs in a valid signed assertion: a new SSO account in the mapped group with the profile from the attributes', async () => {
      const started = await start(t, provider, '/records');
      const who = person({
        attributes: {
          email: 'Ada.Lovelace@corp.example',
          firstName: 'Ada',
          lastName: 'Lovelace',
          title: 'Analyst',
          telephoneNumber: '+44 20 0000',
          groups: ['unrelated', 'engineering'],
        },
      });
      const response = await postToAcs(t, provider, responseFor(t, provider, started.requestId, who));
      expect(response.statusCode, response.body).toBe(303);
      expect(response.headers.location).toBe('/records');
      const cookie = sessionCookieOf(t, response);
      expect(cookie).toBeDefined();

      const me = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { cookie: `${cookie!.name}=${cookie!.value}` },
      });
      expect(me.statusCode, me.body).toBe(200);
      const user = await t.db
        .selectFrom('users')
        .selectAll()
        .where('email_normalized', '=', 'ada.lovelace@corp.example')
        .executeTakeFirstOrThrow();
      expect(user).toMatchObject({
        user_type: 'sso',
        sso_provider: 'Corp SAML',
        password_hash: null,
        first_name: 'Ada',
        last_name: 'Lovelace',
        title: 'Analyst',
        telephone: '+44 20 0000',
        security_group_id: engineersGroup,
      });
      const identity = await t.db
        .selectFrom('sso_identities')
        .selectAll()
        .where('provider_id', '=', provider.id)
        .where('subject', '=', who.nameId)
        .executeTakeFirstOrThrow();
      expect(identity.user_id).toBe(user.id);
      const history = await loginHistoryFor(t, user.email);
      expect(history.at(-1)).toMatchObject({ success: 1, method: 'saml', user_id: user.id });
    });

    it('updates name, title, telephone and group from the attributes at the next sign-in', async () => {
      const who = person();
      const first = await start(t, provider);
      expect((await postToAcs(t, provider, responseFor(t, provider, first.requestId, who))).statusCode).toBe(303);
      const second = await start(t, provider);
      const changed: SamlPerson = {
        nameId: who.nameId,
        attributes: {
          email: who.attributes!.email!,
          givenName: 'Samantha',
          sn: 'Ellery',
          jobTitle: 'Lead',
          phone: '555-0100',
          groups: ['no-mapping-here'],
        },
      };
      const response = await postToAcs(t, provider, responseFor(t, provider, second.requestId, changed));
      expect(response.statusCode).toBe(303);
      expect(sessionCookieOf(t, response)).toBeDefined();
      const user = await t.db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', who.attributes!.email as string)
        .executeTakeFirstOrThrow();
      expect(user).toMatchObject({
        first_name: 'Samantha',
        last_name: 'Ellery',
        title: 'Lead',
        telephone: '555-0100',
        security_group_id: SYSTEM_GROUP_IDS.readOnlyUser,
      });
      expect(await countRows(t, 'users')).toBeGreaterThan(0);
    });

    it('takes the email from the NameID when its format is emailAddress and no email attribute is sent', async () => {
      const started = await start(t, provider);
      const email = `nameid-${Date.now()}@corp.example`;
      const response = await postToAcs(
        t,
        provider,
        responseFor(t, provider, started.requestId, {
          nameId: email,
          nameIdFormat: NAMEID_FORMAT.email,
          attributes: { 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': 'Nora' },
        }),
      );
      expect(response.statusCode).toBe(303);
      expect(sessionCookieOf(t, response)).toBeDefined();
      const user = await t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
      expect(user.first_name).toBe('Nora');
    });

    it('accepts a response signed on both the Response and the Assertion', async () => {
      const started = await start(t, provider);
      const response = await postToAcs(
        t,
        provider,
        responseFor(t, provider, started.requestId, person(), { sign: 'both' }),
      );
      expect(response.statusCode).toBe(303);
      expect(sessionCookieOf(t, response)).toBeDefined();
    });

    it('refuses an unsigned response', async () => {
      const started = await start(t, provider);
      await expectRefusal(t, provider, responseFor(t, provider, started.requestId, person(), { sign: 'none' }), {
        code: 'failed',
        reason: /^sso_invalid_response: Invalid signature/,
      });
    });

    it('refuses a response whose Response is signed but whose Assertion is not (signed assertions are required)', async () => {
      const started = await start(t, provider);
      await expectRefusal(t, provider, responseFor(t, provider, started.requestId, person(), { sign: 'response' }), {
        code: 'failed',
        reason: /^sso_invalid_response: Invalid signature/,
      });
    });

    it('refuses an assertion whose attribute was changed after signing', async () => {
      const started = await start(t, provider);
      const who = person();
      await expectRefusal(
        t,
        provider,
        responseFor(t, provider, started.requestId, who, {
          afterSigning: (xml) => xml.replace('>engineering<', '>administrators<'),
        }),
        { code: 'failed', reason: /^sso_invalid_response: Invalid signature/ },
      );
    });

    it('refuses an assertion whose NameID was changed after signing', async () => {
      const started = await start(t, provider);
      const who = person();
      await expectRefusal(
        t,
        provider,
        responseFor(t, provider, started.requestId, who, {
          afterSigning: (xml) => xml.replace(`>${who.nameId}<`, '>someone-else<'),
        }),
        { code: 'failed', reason: /^sso_invalid_response: Invalid signature/ },
      );
    });

    it('refuses an assertion signed by another key', async () => {
      const started = await start(t, provider);
      await expectRefusal(
        t,
        provider,
        responseFor(t, provider, started.requestId, person(), { key: OTHER_KEY, cert: OTHER_CERT }),
        { code: 'failed', reason: /^sso_invalid_response: Invalid signature/ },
      );
    });

    it('refuses an expired assertion (NotOnOrAfter in the past beyond the clock skew)', async () => {
      const started = await start(t, provider);
      await expectRefusal(
        t,
        provider,
        responseFor(t, provider, started.requestId, person(), {
          notBeforeOffsetMs: -10 * 60_000,
          notOnOrAfterOffsetMs: -2 * 60_000,
          issueInstantOffsetMs: -10 * 60_000,
        }),
        { code: 'failed', reason: /^sso_invalid_response: .*(expired|No valid subject confirmation)/ },
      );
    });

    it('refuses an assertion that is not valid yet (NotBefore in the future beyond the clock skew)', async () => {
      const started = await start(t, provider);
      await expectRefusal(
        t,
        provider,
        responseFor(t, provider, started.requestId, person(), { notBeforeOffsetMs: 5 * 60_000 }),
        { code: 'failed', reason: /^sso_invalid_response: SAML assertion not yet valid/ },
      );
    });

    it('refuses an assertion for another audience', async () => {
      const started = await start(t, provider);
      await expectRefusal(
        t,
        provider,
        responseFor(t, provider, started.requestId, person(), { audience: 'https://other-sp.example/metadata' }),
        { code: 'failed', reason: /^sso_invalid_response: SAML assertion audience mismatch/ },
      );
    });

    it('refuses an assertion whose SubjectConfirmationData Recipient is another ACS', async () => {
      const started = await start(t, provider);
      await expectRefusal(
        t,
        provider,
        responseFor(t, provider, started.requestId, person(), { recipient: 'https://other-sp.example/acs' }),
        { code: 'failed', reason: /^sso_invalid_response: no bearer SubjectConfirmation/ },
      );
    });

    it('refuses an assertion from another issuer even when signed with the trusted key', async () => {
      const started = await start(t, provider);
      await expectRefusal(
        t,
        provider,
        responseFor(t, provider, started.requestId, person(), { issuer: 'https://impostor.example/saml' }),
        { code: 'failed', reason: /^sso_invalid_response: assertion issuer/ },
      );
    });

    it('refuses an unknown InResponseTo with "expired"', async () => {
      await expectRefusal(
        t,
        provider,
        responseFor(t, provider, '_0123456789abcdef0123456789abcdef01234567', person()),
        {
          code: 'expired',
          reason: /^sso_unknown_request: InResponseTo is not valid/,
        },
      );
    });

    it('refuses an unsolicited response (no InResponseTo: IdP-initiated sign-in is not accepted)', async () => {
      await expectRefusal(t, provider, responseFor(t, provider, null, person()), {
        code: 'failed',
        reason: /^sso_invalid_response: InResponseTo is missing/,
      });
    });

    it('refuses the same response posted a second time (replay)', async () => {
      const started = await start(t, provider);
      const samlResponse = responseFor(t, provider, started.requestId, person());
      const first = await postToAcs(t, provider, samlResponse);
      expect(sessionCookieOf(t, first)).toBeDefined();
      await expectRefusal(t, provider, samlResponse, { code: 'expired', reason: /^sso_unknown_request/ });
    });

    it('lets only one of two racing posts of the same response sign in', async () => {
      const started = await start(t, provider);
      const samlResponse = responseFor(t, provider, started.requestId, person());
      const sessionsBefore = await countRows(t, 'sessions');
      const answers = await Promise.all([postToAcs(t, provider, samlResponse), postToAcs(t, provider, samlResponse)]);
      const signedIn = answers.filter((a) => sessionCookieOf(t, a));
      expect(signedIn).toHaveLength(1);
      expect(answers.map((a) => a.statusCode)).toEqual([303, 303]);
      expect(await countRows(t, 'sessions')).toBe(sessionsBefore + 1);
    });

    it('refuses a second assertion with an already used assertion ID (the replay table)', async () => {
      const assertionId = `_replayed${Date.now()}`;
      const first = await start(t, provider);
      const ok = await postToAcs(t, provider, responseFor(t, provider, first.requestId, person(), { assertionId }));
      expect(sessionCookieOf(t, ok)).toBeDefined();
      const second = await start(t, provider);
      await expectRefusal(t, provider, responseFor(t, provider, second.requestId, person(), { assertionId }), {
        code: 'expired',
        reason: /^sso_replayed_assertion/,
      });
    });

    it("refuses a response meant for provider A posted to provider B's ACS", async () => {
      const other = await addProvider(t, { name: 'Other SAML' });
      const started = await start(t, provider);
      await expectRefusal(t, other, responseFor(t, provider, started.requestId, person()), {
        code: 'expired',
        reason: /^sso_unknown_request/,
      });
      // Even built for B's URLs, A's request ID is not B's.
      await expectRefusal(t, other, responseFor(t, other, started.requestId, person()), {
        code: 'expired',
        reason: /^sso_unknown_request/,
      });
    });

    it('refuses a response for a provider disabled since the sign-in started', async () => {
      const toDisable = await addProvider(t, { name: 'Soon Disabled' });
      const started = await start(t, toDisable);
      await t.db.updateTable('identity_providers').set({ enabled: 0 }).where('id', '=', toDisable.id).execute();
      await expectRefusal(t, toDisable, responseFor(t, toDisable, started.requestId, person()), {
        code: 'provider_disabled',
        reason: /^sso_provider_disabled/,
      });
    });

    it('refuses garbage that is not a SAML response', async () => {
      await expectRefusal(t, provider, Buffer.from('<html>hello</html>').toString('base64'), {
        code: 'failed',
        reason: /^sso_/,
      });
      await expectRefusal(t, provider, 'not base64 at all!', { code: 'failed', reason: /^sso_invalid_response/ });
      // An entity bomb in a DOCTYPE is refused, not expanded.
      const bomb =
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" InResponseTo="_x">&b;</samlp:Response>';
      await expectRefusal(t, provider, Buffer.from(bomb).toString('base64'), { code: 'failed', reason: /^sso_/ });
    });

    it('answers 400 without a SAMLResponse, and for an unknown provider redirects with failed', async () => {
      const missing = await t.app.inject({
        method: 'POST',
        url: `/api/v1/sso/saml/${provider.id}/acs`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'RelayState=x',
      });
      expect(missing.statusCode).toBe(400);
      const unknown = await postToAcs(t, { id: 'no-such-provider' }, responseFor(t, provider, '_x', person()));
      expect(unknown.statusCode).toBe(303);
      expect(unknown.headers.location).toBe('/login?sso_error=failed');
      expect((await lastLoginHistory(t)).reason).toMatch(/^sso_unknown_provider/);
    });

    it('refuses an email that belongs to a native account (no takeover by assertion)', async () => {
      const native = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
      const started = await start(t, provider);
      await expectRefusal(
        t,
        provider,
        responseFor(t, provider, started.requestId, person({ attributes: { email: native.email } })),
        { code: 'account_exists', reason: /^sso_email_in_use/ },
      );
      const after = await t.db.selectFrom('users').selectAll().where('id', '=', native.id).executeTakeFirstOrThrow();
      expect(after.user_type).toBe('native');
    });
  });

  describe('GET /api/v1/sso/saml/:id/metadata', () => {
    it('publishes the SP entity ID, the HTTP-POST ACS and WantAssertionsSigned as SAML metadata', async () => {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/sso/saml/${provider.id}/metadata` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/samlmetadata\+xml/);
      const sp = serviceProviderUrls(t.config.publicUrl, provider.id);
      const root = new DOMParser().parseFromString(response.body, 'text/xml').documentElement;
      expect(root.localName).toBe('EntityDescriptor');
      expect(root.getAttribute('entityID')).toBe(sp.samlEntityId);
      const md = 'urn:oasis:names:tc:SAML:2.0:metadata';
      const spDescriptor = root.getElementsByTagNameNS(md, 'SPSSODescriptor')[0]!;
      expect(spDescriptor.getAttribute('WantAssertionsSigned')).toBe('true');
      const acs = root.getElementsByTagNameNS(md, 'AssertionConsumerService')[0]!;
      expect(acs.getAttribute('Location')).toBe(sp.samlAcsUrl);
      expect(acs.getAttribute('Binding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
      expect(response.body).not.toContain('PRIVATE KEY');
    });

    it('answers 404 for an unknown provider', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/sso/saml/no-such-provider/metadata' });
      expect(response.statusCode).toBe(404);
    });

    it('answers 404 for an OpenID Connect provider', async () => {
      const { insertOidcProvider } = await import('../helpers/identity-provider-fixtures.js');
      const oidc = await insertOidcProvider(t, {
        issuer: 'https://oidc.example',
        clientId: 'latchkey',
        scopes: 'openid email',
        groupsClaim: 'groups',
      });
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/sso/saml/${oidc.id}/metadata` });
      expect(response.statusCode).toBe(404);
      const startResponse = await t.app.inject({ method: 'GET', url: `/api/v1/sso/saml/${oidc.id}/start` });
      expect(startResponse.headers.location).toBe('/login?sso_error=provider_disabled');
    });
  });
});

describe('SAML sign-in over HTTPS (the binding cookie is SameSite=None and must come back)', () => {
  let t: TestApp;
  let provider: IdentityProviderRow;
  beforeAll(async () => {
    t = await createTestApp({ LATCHKEY_PUBLIC_URL: 'https://latchkey.test' });
    provider = await addProvider(t);
  });
  afterAll(async () => t?.close());

  it('sets the binding cookie Secure and SameSite=None, so the IdP’s cross-site POST carries it', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/sso/saml/${provider.id}/start` });
    const cookie = response.cookies.find((c) => c.name === SSO_BINDING_COOKIE)!;
    expect(cookie.secure).toBe(true);
    expect(String(cookie.sameSite).toLowerCase()).toBe('none');
  });

  it('refuses a valid response posted without the binding cookie (another browser: login CSRF)', async () => {
    const started = await start(t, provider);
    await expectRefusal(t, provider, responseFor(t, provider, started.requestId, person()), {
      code: 'expired',
      reason: /^sso_unknown_request/,
    });
  });

  it('refuses a valid response posted with another browser’s binding cookie', async () => {
    const started = await start(t, provider);
    const otherBrowser = await start(t, provider);
    await expectRefusal(t, provider, responseFor(t, provider, started.requestId, person()), {
      code: 'expired',
      reason: /^sso_unknown_request/,
      headers: { cookie: otherBrowser.bindingCookie },
    });
  });

  it('accepts a valid response posted with the binding cookie, with a Secure __Host- session cookie', async () => {
    const started = await start(t, provider, '/me');
    const response = await postToAcs(t, provider, responseFor(t, provider, started.requestId, person()), {
      cookie: started.bindingCookie,
    });
    expect(response.statusCode, response.body).toBe(303);
    expect(response.headers.location).toBe('/me');
    const session = response.cookies.find((c) => c.name === '__Host-latchkey_session');
    expect(session?.secure).toBe(true);
  });
});

describe('SAML sign-in through the HTTP test IdP', () => {
  let t: TestApp;
  let idp: TestSamlIdp;
  let provider: IdentityProviderRow;
  beforeAll(async () => {
    idp = await startTestSamlIdp();
    t = await createTestApp();
    provider = await insertSamlProvider(t, {
      entityId: idp.entityId,
      ssoUrl: idp.ssoUrl,
      logoutUrl: idp.logoutUrl,
      certificate: idp.certificate,
      groupsAttribute: 'groups',
    });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  it('follows start → IdP page → auto-posted form → ACS and signs the person in', async () => {
    const who = person();
    idp.setNextPerson(who);
    const started = await start(t, provider, '/tasks');
    expect(started.location.href.startsWith(idp.ssoUrl)).toBe(true);

    const page = await fetch(started.location);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<button type="submit">Continue</button>');
    const form = new DOMParser().parseFromString(html, 'text/html');
    const formElement = form.getElementsByTagName('form')[0]!;
    const action = new URL(formElement.getAttribute('action')!);
    const fields = Object.fromEntries(
      Array.from(form.getElementsByTagName('input')).map((input) => [
        input.getAttribute('name')!,
        input.getAttribute('value')!,
      ]),
    );
    expect(action.href).toBe(serviceProviderUrls(t.config.publicUrl, provider.id).samlAcsUrl);
    expect(fields.RelayState).toBe(provider.id);

    const response = await t.app.inject({
      method: 'POST',
      url: action.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      payload: new URLSearchParams(fields).toString(),
    });
    expect(response.statusCode, response.body).toBe(303);
    expect(response.headers.location).toBe('/tasks');
    expect(sessionCookieOf(t, response)).toBeDefined();
    const user = await t.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', who.attributes!.email as string)
      .executeTakeFirstOrThrow();
    expect(user.user_type).toBe('sso');
    expect(idp.requests.at(-1)?.id).toBe(started.requestId);
  });

  it('serves IdP metadata naming its entity ID, SSO and SLO endpoints and signing certificate', () => {
    const root = new DOMParser().parseFromString(idp.metadataXml(), 'text/xml').documentElement;
    expect(root.getAttribute('entityID')).toBe(idp.entityId);
    const xml = idp.metadataXml();
    expect(xml).toContain(`Location="${idp.ssoUrl}"`);
    expect(xml).toContain(`Location="${idp.logoutUrl}"`);
    expect(xml).toContain('<md:KeyDescriptor use="signing">');
  });
});
