/**
 * The Identity Providers API: Administrators add, read, change, test and remove OpenID
 * Connect and SAML 2.0 providers; the sign-in page lists the enabled ones and finds the one for an
 * email's domain. The client secret is sealed and never leaves; every refusal changes nothing;
 * every change is audited. On SQLite and PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../src/server/clock.js';
import { clientSecretOf, findIdentityProvider, ssoStartPath } from '../../src/server/sso/provider-settings.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import type { ConnectionTest, IdentityProvider } from '../../src/shared/schemas/identity-providers.js';
import { expectRefused } from '../helpers/assertions.js';
import {
  auditSince,
  createCustomGroup,
  errorOf,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
} from '../helpers/fixtures.js';
import { insertOidcProvider, insertSamlProvider, linkSsoAccount } from '../helpers/identity-provider-fixtures.js';
import { createTestApp, makeUser, type Caller, type TestApp } from '../helpers/test-app.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/saml/${name}`, import.meta.url), 'utf8');
const IDP_CERT = fixture('idp-cert.pem');
const OTHER_CERT = fixture('other-cert.pem');
const EXPIRED_CERT = fixture('expired-cert.pem');
const bare = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

const SECRET = 'client-secret-that-must-never-leak-4f1e';

let t: TestApp;
let admin: Caller;
let sequence = 0;
const uniqueName = (prefix: string) => `${prefix} ${++sequence}-${Math.random().toString(36).slice(2, 6)}`;

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
});
afterAll(async () => t?.close());

function oidcBody(overrides: Record<string, unknown> = {}, oidc: Record<string, unknown> = {}) {
  return {
    protocol: 'oidc',
    name: uniqueName('Okta'),
    defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
    ...overrides,
    oidc: { issuer: 'https://login.corp.example', clientId: 'latchkey', clientSecret: SECRET, ...oidc },
  };
}

function samlBody(overrides: Record<string, unknown> = {}, saml: Record<string, unknown> = {}) {
  return {
    protocol: 'saml',
    name: uniqueName('Entra'),
    defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
    ...overrides,
    saml: {
      entityId: 'https://sts.corp.example/entity',
      ssoUrl: 'https://sts.corp.example/sso',
      certificate: IDP_CERT,
      ...saml,
    },
  };
}

async function createProvider(body: Record<string, unknown>): Promise<IdentityProvider> {
  const response = await admin.request({ method: 'POST', url: '/api/v1/identity-providers', payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<IdentityProvider>();
}

describe('POST /api/v1/identity-providers', () => {
  it('adds an OpenID Connect provider (201) with its domains and mappings, and what to enter at the provider', async () => {
    const mapped = await createCustomGroup(t, [], uniqueName('Engineers'));
    const body = oidcBody({
      emailDomains: ['Corp.Example', 'corp.example', 'eu.corp.example'],
      allowEmailLinking: true,
      groupMappings: [{ idpGroup: 'eng', securityGroupId: mapped }],
    });
    const provider = await createProvider(body);
    expect(provider).toMatchObject({
      name: body.name,
      protocol: 'oidc',
      enabled: true,
      defaultGroup: { id: SYSTEM_GROUP_IDS.readOnlyUser, name: 'Read Only User' },
      emailDomains: ['corp.example', 'eu.corp.example'],
      allowEmailLinking: true,
      groupMappings: [
        { idpGroup: 'eng', securityGroupId: mapped, securityGroupName: expect.stringMatching(/^Engineers/) },
      ],
      oidc: {
        issuer: 'https://login.corp.example',
        clientId: 'latchkey',
        scopes: 'openid email profile',
        groupsClaim: 'groups',
        hasClientSecret: true,
      },
      saml: null,
      accountCount: 0,
    });
    const base = t.config.publicUrl.origin;
    expect(provider.serviceProvider).toEqual({
      redirectUri: `${base}/api/v1/sso/oidc/callback`,
      postLogoutRedirectUri: `${base}/login`,
      entityId: null,
      acsUrl: null,
      metadataUrl: null,
    });
  });

  it('stores the client secret only encrypted, under the provider’s own ID, and never returns or audits it', async () => {
    const auditBefore = await lastAuditId(t);
    const response = await admin.request({ method: 'POST', url: '/api/v1/identity-providers', payload: oidcBody() });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.body).not.toContain(SECRET);
    const { id } = response.json<IdentityProvider>();
    const row = (await findIdentityProvider(t.db, id))!;
    expect(row.client_secret_encrypted).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(SECRET);
    expect(clientSecretOf(row, t.config.secretKey)).toBe(SECRET);
    // Copied to another provider's row, the ciphertext does not decrypt.
    expect(() => clientSecretOf({ ...row, id: 'another-provider' }, t.config.secretKey)).toThrow();

    const audit = await auditSince(t, auditBefore);
    expect(audit.map((a) => a.action)).toEqual(['identity_provider.created']);
    expect(audit[0]!.details).toMatchObject({ providerId: id, protocol: 'oidc', clientSecret: 'set' });
    expect(JSON.stringify(audit)).not.toContain(SECRET);

    for (const url of ['/api/v1/identity-providers', `/api/v1/identity-providers/${id}`]) {
      const read = await admin.request({ method: 'GET', url });
      expect(read.body).not.toContain(SECRET);
      expect(read.body).not.toContain(row.client_secret_encrypted!);
    }
  });

  it('adds a SAML provider from a bare base64 certificate, stored as PEM with its subject and expiry shown', async () => {
    const provider = await createProvider(
      samlBody({}, { certificate: bare(IDP_CERT), logoutUrl: 'https://sts.corp.example/slo' }),
    );
    expect(provider.oidc).toBeNull();
    expect(provider.saml).toEqual({
      entityId: 'https://sts.corp.example/entity',
      ssoUrl: 'https://sts.corp.example/sso',
      logoutUrl: 'https://sts.corp.example/slo',
      groupsAttribute: 'groups',
      certificate: IDP_CERT.trim() + '\n',
      certificateSubject: 'CN=Latchkey test SAML IdP (tests only)',
      certificateExpiresAt: '2126-11-03T23:24:56.000Z',
    });
    const base = t.config.publicUrl.origin;
    expect(provider.serviceProvider).toEqual({
      redirectUri: null,
      postLogoutRedirectUri: null,
      entityId: `${base}/api/v1/sso/saml/${provider.id}/metadata`,
      acsUrl: `${base}/api/v1/sso/saml/${provider.id}/acs`,
      metadataUrl: `${base}/api/v1/sso/saml/${provider.id}/metadata`,
    });
  });

  it('allows plain http for loopback issuers only (tests run their providers on 127.0.0.1)', async () => {
    for (const issuer of ['http://127.0.0.1:9999/realm', 'http://localhost:8080', 'http://[::1]:9000'])
      await createProvider(oidcBody({}, { issuer }));
    await expectRefused(
      t,
      () =>
        admin.request({
          method: 'POST',
          url: '/api/v1/identity-providers',
          payload: oidcBody({}, { issuer: 'http://login.corp.example' }),
        }),
      400,
      'validation_failed',
      'oidc.issuer',
    );
    await expectRefused(
      t,
      () =>
        admin.request({
          method: 'POST',
          url: '/api/v1/identity-providers',
          payload: samlBody({}, { ssoUrl: 'http://sts.corp.example/sso' }),
        }),
      400,
      'validation_failed',
      'saml.ssoUrl',
    );
  });

  it('refuses bad input with a 400 naming the field, changing nothing', async () => {
    const post = (payload: object) => ({ method: 'POST' as const, url: '/api/v1/identity-providers', payload });
    await expectRefused(
      t,
      () => admin.request(post(samlBody({}, { certificate: 'not a certificate' }))),
      400,
      'validation_failed',
      'saml.certificate',
    );
    await expectRefused(
      t,
      () => admin.request(post(samlBody({}, { certificate: fixture('idp-key.pem') }))),
      400,
      'validation_failed',
      'saml.certificate',
    );
    await expectRefused(
      t,
      () => admin.request(post(oidcBody({ defaultGroupId: 'no-such-group' }))),
      400,
      'validation_failed',
      'defaultGroupId',
    );
    await expectRefused(
      t,
      () => admin.request(post(oidcBody({ groupMappings: [{ idpGroup: 'eng', securityGroupId: 'no-such-group' }] }))),
      400,
      'validation_failed',
      'groupMappings.0.securityGroupId',
    );
    await expectRefused(
      t,
      () =>
        admin.request(
          post(
            oidcBody({
              groupMappings: [
                { idpGroup: 'eng', securityGroupId: SYSTEM_GROUP_IDS.regularUser },
                { idpGroup: 'eng', securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser },
              ],
            }),
          ),
        ),
      400,
      'validation_failed',
      'groupMappings.1.idpGroup',
    );
    await expectRefused(
      t,
      () => admin.request(post(oidcBody({ emailDomains: ['user@corp.example'] }))),
      400,
      'validation_failed',
    );
    await expectRefused(
      t,
      () => admin.request(post({ ...oidcBody(), saml: samlBody().saml })),
      400,
      'validation_failed',
    );
    await expectRefused(t, () => admin.request(post(oidcBody({ name: '   ' }))), 400, 'validation_failed');
  });

  it('refuses a name taken in any letter case (409 provider_name_taken) and a domain another provider has (409 email_domain_taken, naming it)', async () => {
    const first = await createProvider(oidcBody({ emailDomains: ['taken.example'] }));
    await expectRefused(
      t,
      () =>
        admin.request({
          method: 'POST',
          url: '/api/v1/identity-providers',
          payload: samlBody({ name: first.name.toUpperCase() }),
        }),
      409,
      'provider_name_taken',
      'name',
    );
    const error = await expectRefused(
      t,
      () =>
        admin.request({
          method: 'POST',
          url: '/api/v1/identity-providers',
          payload: samlBody({ emailDomains: ['free.example', 'TAKEN.example'] }),
        }),
      409,
      'email_domain_taken',
      'emailDomains',
    );
    expect(error.fields!.emailDomains).toContain(`taken.example already belongs to ${first.name}`);
    expect(error.fields!.emailDomains).not.toContain('free.example');
  });
});

describe('concurrent writes', () => {
  it('lets only one of two simultaneous creates with the same name or domain through; the other is a 409, never a 500', async () => {
    for (let round = 0; round < 3; round++) {
      const name = uniqueName('Racing IdP');
      const domain = `race-${round}-${Math.random().toString(36).slice(2, 6)}.example`;
      const sameName = await Promise.all([
        admin.request({ method: 'POST', url: '/api/v1/identity-providers', payload: samlBody({ name }) }),
        admin.request({
          method: 'POST',
          url: '/api/v1/identity-providers',
          payload: oidcBody({ name: name.toUpperCase() }),
        }),
      ]);
      expect(sameName.map((r) => r.statusCode).sort(), sameName.map((r) => r.body).join('\n')).toEqual([201, 409]);
      const sameDomain = await Promise.all([
        admin.request({
          method: 'POST',
          url: '/api/v1/identity-providers',
          payload: samlBody({ emailDomains: [domain] }),
        }),
        admin.request({
          method: 'POST',
          url: '/api/v1/identity-providers',
          payload: oidcBody({ emailDomains: [domain] }),
        }),
      ]);
      expect(sameDomain.map((r) => r.statusCode).sort(), sameDomain.map((r) => r.body).join('\n')).toEqual([201, 409]);
      expect(errorOf(sameDomain.find((r) => r.statusCode === 409)!).code).toBe('email_domain_taken');
    }
  });
});

describe('GET /api/v1/identity-providers', () => {
  it('lists every provider sorted by name in any letter case, with its account count', async () => {
    const names = ['zulu idp', 'Alpha IdP', 'mike IdP'].map((n) => `${n} ${Math.random().toString(36).slice(2, 6)}`);
    const created: IdentityProvider[] = [];
    for (const name of names) created.push(await createProvider(samlBody({ name })));
    await linkSsoAccount(t, created[2]!);
    await linkSsoAccount(t, created[2]!);

    const response = await admin.request({ method: 'GET', url: '/api/v1/identity-providers' });
    expect(response.statusCode).toBe(200);
    const providers = response.json<{ providers: IdentityProvider[] }>().providers;
    const listed = providers.map((p) => p.name);
    expect(listed).toEqual([...listed].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(providers.find((p) => p.id === created[2]!.id)!.accountCount).toBe(2);
    expect(providers.find((p) => p.id === created[0]!.id)!.accountCount).toBe(0);
  });

  it('answers 404 for an unknown provider', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/identity-providers/no-such-provider' });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).code).toBe('not_found');
  });
});

describe('PATCH /api/v1/identity-providers/:id', () => {
  const patch = (id: string, payload: object) => ({
    method: 'PATCH' as const,
    url: `/api/v1/identity-providers/${id}`,
    payload,
  });

  it('disables and enables a provider, auditing what changed', async () => {
    const provider = await createProvider(samlBody());
    const auditBefore = await lastAuditId(t);
    const off = await admin.request(patch(provider.id, { enabled: false }));
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json<IdentityProvider>().enabled).toBe(false);
    const on = await admin.request(patch(provider.id, { enabled: true }));
    expect(on.json<IdentityProvider>().enabled).toBe(true);
    const audit = await auditSince(t, auditBefore);
    expect(audit.map((a) => [a.action, a.details.changes])).toEqual([
      ['identity_provider.updated', { enabled: { from: true, to: false } }],
      ['identity_provider.updated', { enabled: { from: false, to: true } }],
    ]);
  });

  it('keeps the client secret when left out, replaces it when given, removes it with "" — auditing only that it changed', async () => {
    const provider = await createProvider(oidcBody());
    const stored = async () => (await findIdentityProvider(t.db, provider.id))!;
    const original = (await stored()).client_secret_encrypted;

    const auditBefore = await lastAuditId(t);
    const renamed = await admin.request(patch(provider.id, { oidc: { clientId: 'latchkey-2' } }));
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json<IdentityProvider>().oidc!.hasClientSecret).toBe(true);
    expect((await stored()).client_secret_encrypted).toBe(original);

    const replaced = await admin.request(patch(provider.id, { oidc: { clientSecret: 'the-new-secret-9d2c' } }));
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.body).not.toContain('the-new-secret-9d2c');
    expect(clientSecretOf(await stored(), t.config.secretKey)).toBe('the-new-secret-9d2c');

    const cleared = await admin.request(patch(provider.id, { oidc: { clientSecret: '' } }));
    expect(cleared.json<IdentityProvider>().oidc!.hasClientSecret).toBe(false);
    expect((await stored()).client_secret_encrypted).toBeNull();

    const audit = await auditSince(t, auditBefore);
    expect(audit.map((a) => a.details.changes)).toEqual([
      { 'oidc.clientId': { from: 'latchkey', to: 'latchkey-2' } },
      { clientSecret: 'changed' },
      { clientSecret: 'removed' },
    ]);
    expect(JSON.stringify(audit)).not.toContain('the-new-secret-9d2c');
    expect(JSON.stringify(audit)).not.toContain(SECRET);
  });

  it('replaces domains and group mappings as whole lists and audits what was added and removed', async () => {
    const provider = await createProvider(
      samlBody({
        emailDomains: ['one.example', 'two.example'],
        groupMappings: [{ idpGroup: 'staff', securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser }],
      }),
    );
    const auditBefore = await lastAuditId(t);
    const response = await admin.request(
      patch(provider.id, {
        emailDomains: ['two.example', 'three.example'],
        groupMappings: [{ idpGroup: 'admins', securityGroupId: SYSTEM_GROUP_IDS.regularUser }],
      }),
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<IdentityProvider>()).toMatchObject({
      emailDomains: ['three.example', 'two.example'],
      groupMappings: [
        { idpGroup: 'admins', securityGroupId: SYSTEM_GROUP_IDS.regularUser, securityGroupName: 'Regular User' },
      ],
    });
    const [entry] = await auditSince(t, auditBefore);
    expect(entry!.details.changes).toEqual({
      emailDomains: { added: ['three.example'], removed: ['one.example'] },
      groupMappings: {
        added: [{ idpGroup: 'admins', securityGroupId: SYSTEM_GROUP_IDS.regularUser }],
        removed: [{ idpGroup: 'staff', securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser }],
      },
    });
  });

  it('replaces the SAML certificate, auditing its subject and expiry rather than the PEM', async () => {
    const provider = await createProvider(samlBody());
    const auditBefore = await lastAuditId(t);
    const response = await admin.request(patch(provider.id, { saml: { certificate: OTHER_CERT } }));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<IdentityProvider>().saml!.certificateSubject).toBe('CN=Another SAML IdP (tests only)');
    const [entry] = await auditSince(t, auditBefore);
    expect(entry!.details.changes).toEqual({
      'saml.certificate': {
        from: { subject: 'CN=Latchkey test SAML IdP (tests only)', expiresAt: '2126-11-03T23:24:56.000Z' },
        to: { subject: 'CN=Another SAML IdP (tests only)', expiresAt: expect.any(String) },
      },
    });
  });

  it('renames the provider and, in the same change, "Managed by" on the accounts it signs in', async () => {
    const provider = await createProvider(oidcBody());
    const linked = await linkSsoAccount(t, provider);
    const bystander = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser, { userType: 'sso', ssoProvider: provider.name });
    const newName = uniqueName('Okta Workforce');
    const response = await admin.request(patch(provider.id, { name: newName }));
    expect(response.statusCode, response.body).toBe(200);
    const ssoProviderOf = async (id: string) =>
      (await t.db.selectFrom('users').select('sso_provider').where('id', '=', id).executeTakeFirstOrThrow())
        .sso_provider;
    expect(await ssoProviderOf(linked.id)).toBe(newName);
    // Not linked through sso_identities: not this provider's account, whatever its label says.
    expect(await ssoProviderOf(bystander.id)).toBe(provider.name);
    const user = await admin.request({ method: 'GET', url: `/api/v1/users/${linked.id}` });
    expect(user.json<{ ssoProvider: string }>().ssoProvider).toBe(newName);
  });

  it('lets a provider keep its own name and domains in another letter case', async () => {
    const provider = await createProvider(oidcBody({ emailDomains: ['mine.example'] }));
    const response = await admin.request(
      patch(provider.id, { name: provider.name.toUpperCase(), emailDomains: ['MINE.example'] }),
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<IdentityProvider>().name).toBe(provider.name.toUpperCase());
  });

  it('refuses every bad change with a clear 4xx, changing nothing', async () => {
    const other = await createProvider(oidcBody({ emailDomains: ['other.example'] }));
    const provider = await createProvider(oidcBody());
    const saml = await createProvider(samlBody());
    await expectRefused(
      t,
      () => admin.request(patch(provider.id, { name: other.name.toLowerCase() })),
      409,
      'provider_name_taken',
      'name',
    );
    await expectRefused(
      t,
      () => admin.request(patch(provider.id, { emailDomains: ['other.example'] })),
      409,
      'email_domain_taken',
      'emailDomains',
    );
    await expectRefused(
      t,
      () => admin.request(patch(provider.id, { defaultGroupId: 'no-such-group' })),
      400,
      'validation_failed',
      'defaultGroupId',
    );
    await expectRefused(
      t,
      () => admin.request(patch(provider.id, { oidc: { issuer: 'http://idp.example' } })),
      400,
      'validation_failed',
      'oidc.issuer',
    );
    await expectRefused(
      t,
      () => admin.request(patch(provider.id, { saml: { entityId: 'x' } })),
      400,
      'validation_failed',
      'saml',
    );
    await expectRefused(
      t,
      () => admin.request(patch(saml.id, { oidc: { clientId: 'x' } })),
      400,
      'validation_failed',
      'oidc',
    );
    await expectRefused(
      t,
      () => admin.request(patch(saml.id, { saml: { certificate: 'garbage' } })),
      400,
      'validation_failed',
      'saml.certificate',
    );
    await expectRefused(t, () => admin.request(patch(provider.id, { protocol: 'saml' })), 400, 'validation_failed');
    await expectRefused(t, () => admin.request(patch('no-such-provider', { enabled: false })), 404, 'not_found');
  });
});

describe('DELETE /api/v1/identity-providers/:id', () => {
  it('removes a provider with its domains, mappings, sign-ins in progress and remembered assertions, and audits it', async () => {
    const provider = await createProvider(
      samlBody({
        emailDomains: ['gone.example'],
        groupMappings: [{ idpGroup: 'staff', securityGroupId: SYSTEM_GROUP_IDS.regularUser }],
      }),
    );
    const now = nowIso();
    await t.db
      .insertInto('sso_login_flows')
      .values({
        id_hash: `flow-${provider.id}`,
        provider_id: provider.id,
        browser_binding_hash: 'binding',
        pkce_verifier_encrypted: null,
        nonce: null,
        return_to: '/',
        created_at: now,
        expires_at: now,
      })
      .execute();
    await t.db
      .insertInto('sso_used_assertions')
      .values({ assertion_id_hash: `assertion-${provider.id}`, provider_id: provider.id, expires_at: now })
      .execute();

    const auditBefore = await lastAuditId(t);
    const response = await admin.request({ method: 'DELETE', url: `/api/v1/identity-providers/${provider.id}` });
    expect(response.statusCode, response.body).toBe(204);
    for (const table of [
      'identity_providers',
      'identity_provider_domains',
      'identity_provider_group_mappings',
      'sso_login_flows',
      'sso_used_assertions',
    ] as const) {
      const column = table === 'identity_providers' ? 'id' : 'provider_id';
      expect(await t.db.selectFrom(table).select(column).where(column, '=', provider.id).execute(), table).toEqual([]);
    }
    const audit = await auditSince(t, auditBefore);
    expect(audit.map((a) => [a.action, a.details])).toEqual([
      ['identity_provider.deleted', { providerId: provider.id, name: provider.name, protocol: 'saml' }],
    ]);
    const domain = await t.app.inject({ method: 'GET', url: '/api/v1/sso/discover?email=a@gone.example' });
    expect(domain.json()).toEqual({ provider: null });
  });

  it('refuses a provider that accounts sign in through (409 provider_has_accounts), changing nothing', async () => {
    const provider = await createProvider(oidcBody());
    await linkSsoAccount(t, provider);
    const error = await expectRefused(
      t,
      () => admin.request({ method: 'DELETE', url: `/api/v1/identity-providers/${provider.id}` }),
      409,
      'provider_has_accounts',
    );
    expect(error.message).toMatch(/Disable it instead/);
  });

  it('answers 404 for an unknown provider', async () => {
    await expectRefused(
      t,
      () => admin.request({ method: 'DELETE', url: '/api/v1/identity-providers/no-such-provider' }),
      404,
      'not_found',
    );
  });
});

describe('POST /api/v1/identity-providers/saml-metadata', () => {
  const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
  const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
  const METADATA = `<?xml version="1.0"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${bare(IDP_CERT)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>
    <SingleLogoutService Binding="${POST}" Location="https://corp.okta.example/slo"/>
    <SingleSignOnService Binding="${POST}" Location="https://corp.okta.example/sso/post"/>
    <SingleSignOnService Binding="${REDIRECT}" Location="https://corp.okta.example/sso/redirect"/>
  </IDPSSODescriptor>
</EntityDescriptor>`;
  const read = (xml: string) => ({
    method: 'POST' as const,
    url: '/api/v1/identity-providers/saml-metadata',
    payload: { xml },
  });

  it('reads the entity ID, the Redirect-binding SSO URL, the logout URL and the signing certificate; saves nothing', async () => {
    const before = await stateSnapshot(t);
    const response = await admin.request(read(METADATA));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      entityId: 'http://www.okta.com/exk1',
      ssoUrl: 'https://corp.okta.example/sso/redirect',
      logoutUrl: 'https://corp.okta.example/slo',
      certificate: IDP_CERT.trim() + '\n',
      certificateExpiresAt: '2126-11-03T23:24:56.000Z',
    });
    expect(await stateSnapshot(t)).toEqual(before);
  });

  it('refuses a DOCTYPE (no external entities), garbage and non-metadata with a 400 on the xml field', async () => {
    const xxe = METADATA.replace(
      '<EntityDescriptor',
      '<!DOCTYPE EntityDescriptor [<!ENTITY leak SYSTEM "file:///etc/passwd">]>\n<EntityDescriptor',
    ).replace('http://www.okta.com/exk1', '&leak;');
    expect((await expectRefused(t, () => admin.request(read(xxe)), 400, 'validation_failed', 'xml')).message).toMatch(
      /DOCTYPE/,
    );
    expect(
      (await expectRefused(t, () => admin.request(read('%PDF-1.4 garbage <<>>')), 400, 'validation_failed', 'xml'))
        .message,
    ).toMatch(/not well-formed XML/);
    expect(
      (
        await expectRefused(
          t,
          () => admin.request(read('<html><body>Login</body></html>')),
          400,
          'validation_failed',
          'xml',
        )
      ).message,
    ).toMatch(/not SAML metadata/);
  });
});

describe('POST /api/v1/identity-providers/:id/test', () => {
  let server: Server;
  let base: string;
  /** What the fake OpenID Provider answers at each path (set per test). */
  const routes = new Map<string, (base: string) => { status: number; body?: unknown; location?: string }>();

  beforeAll(async () => {
    const handler: RequestListener = (request, response) => {
      const route = routes.get(request.url ?? '');
      const answer = route ? route(base) : { status: 404 };
      response.writeHead(answer.status, {
        'content-type': 'application/json',
        ...(answer.location ? { location: answer.location } : {}),
      });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    };
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server?.close(() => resolve())));

  const discovery = (issuer: string) => ({
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
  });
  const runTest = async (id: string) => {
    const response = await admin.request({ method: 'POST', url: `/api/v1/identity-providers/${id}/test` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<ConnectionTest>();
  };
  const check = (result: ConnectionTest, name: string) => result.checks.find((c) => c.name === name);

  it('passes an OpenID Provider whose discovery document matches, reporting each check in words', async () => {
    routes.set('/good/.well-known/openid-configuration', (b) => ({ status: 200, body: discovery(`${b}/good`) }));
    const provider = await createProvider(oidcBody({}, { issuer: `${base}/good` }));
    const result = await runTest(provider.id);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual([
      'Discovery document',
      'Issuer',
      'Authorization endpoint',
      'Token endpoint',
      'Signing keys (jwks_uri)',
      'Client secret',
    ]);
    expect(check(result, 'Client secret')!.message).toBe('A client secret is stored and can be decrypted.');
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('fails the issuer check when the document names another issuer, and names both', async () => {
    routes.set('/wrong/.well-known/openid-configuration', (b) => ({ status: 200, body: discovery(`${b}/elsewhere`) }));
    const provider = await createProvider(oidcBody({}, { issuer: `${base}/wrong` }));
    const result = await runTest(provider.id);
    expect(result.ok).toBe(false);
    expect(check(result, 'Issuer')).toEqual({
      name: 'Issuer',
      ok: false,
      message: expect.stringContaining(`names itself ${base}/elsewhere, but the configured issuer is ${base}/wrong`),
    });
    expect(check(result, 'Token endpoint')!.ok).toBe(true);
  });

  it('fails missing endpoints, an HTTP error and a redirect to another host, each with its reason', async () => {
    routes.set('/partial/.well-known/openid-configuration', (b) => ({ status: 200, body: { issuer: `${b}/partial` } }));
    routes.set('/broken/.well-known/openid-configuration', () => ({ status: 500, body: {} }));
    routes.set('/away/.well-known/openid-configuration', () => ({
      status: 302,
      location: 'http://localhost:1/.well-known/openid-configuration',
    }));
    routes.set('/moved/.well-known/openid-configuration', (b) => ({
      status: 301,
      location: `${b}/good/.well-known/openid-configuration`,
    }));
    routes.set('/good/.well-known/openid-configuration', (b) => ({ status: 200, body: discovery(`${b}/moved`) }));

    const partial = await runTest((await createProvider(oidcBody({}, { issuer: `${base}/partial` }))).id);
    expect(check(partial, 'Issuer')!.ok).toBe(true);
    expect(check(partial, 'Token endpoint')).toMatchObject({
      ok: false,
      message: 'The discovery document has no token_endpoint.',
    });

    const broken = await runTest((await createProvider(oidcBody({}, { issuer: `${base}/broken` }))).id);
    expect(check(broken, 'Discovery document')).toMatchObject({
      ok: false,
      message: expect.stringContaining('HTTP 500'),
    });

    const away = await runTest((await createProvider(oidcBody({}, { issuer: `${base}/away` }))).id);
    expect(check(away, 'Discovery document')).toMatchObject({
      ok: false,
      message: expect.stringContaining('redirects to another host (http://localhost:1)'),
    });

    // A redirect on the same host is followed.
    const moved = await runTest((await createProvider(oidcBody({}, { issuer: `${base}/moved` }))).id);
    expect(moved.ok, JSON.stringify(moved)).toBe(true);
  });

  it('reports an unreachable provider as a failed check, not an error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const provider = await createProvider(oidcBody({}, { issuer: `http://127.0.0.1:${port}` }));
    const result = await runTest(provider.id);
    expect(result.ok).toBe(false);
    expect(check(result, 'Discovery document')).toEqual({
      name: 'Discovery document',
      ok: false,
      message: `Could not read http://127.0.0.1:${port}/.well-known/openid-configuration: the connection was refused (nothing listens there).`,
    });
    expect(check(result, 'Client secret')!.ok).toBe(true);
  });

  it('fails the client secret check when the stored secret does not decrypt (sealed for another provider)', async () => {
    routes.set('/good/.well-known/openid-configuration', (b) => ({ status: 200, body: discovery(`${b}/good`) }));
    const donor = await insertOidcProvider(t, {
      issuer: `${base}/good`,
      clientId: 'x',
      scopes: 'openid',
      groupsClaim: 'groups',
      clientSecret: 'donor',
    });
    const provider = await createProvider(oidcBody({}, { issuer: `${base}/good` }));
    await t.db
      .updateTable('identity_providers')
      .set({ client_secret_encrypted: donor.client_secret_encrypted })
      .where('id', '=', provider.id)
      .execute();
    const result = await runTest(provider.id);
    expect(result.ok).toBe(false);
    expect(check(result, 'Client secret')).toMatchObject({
      ok: false,
      message: expect.stringContaining('cannot be decrypted'),
    });
  });

  it('checks a SAML provider’s certificate (with its expiry), SSO URL and Entity ID', async () => {
    const good = await runTest((await createProvider(samlBody())).id);
    expect(good).toEqual({
      ok: true,
      checks: [
        {
          name: 'Signing certificate',
          ok: true,
          message: 'CN=Latchkey test SAML IdP (tests only): The certificate is valid until 2126-11-03.',
        },
        { name: 'SSO URL', ok: true, message: 'People are sent to https://sts.corp.example/sso to sign in.' },
        { name: 'Entity ID', ok: true, message: 'Assertions must come from https://sts.corp.example/entity.' },
      ],
    });

    const expired = await insertSamlProvider(t, {
      entityId: 'https://old.example/entity',
      ssoUrl: 'http://old.example/sso',
      logoutUrl: '',
      certificate: EXPIRED_CERT,
      groupsAttribute: 'groups',
    });
    const bad = await runTest(expired.id);
    expect(bad.ok).toBe(false);
    expect(check(bad, 'Signing certificate')).toMatchObject({
      ok: false,
      message: expect.stringContaining('expired on 2021-01-01'),
    });
    expect(check(bad, 'SSO URL')).toMatchObject({ ok: false, message: expect.stringContaining('https://') });
  });

  it('answers 404 for an unknown provider', async () => {
    const response = await admin.request({ method: 'POST', url: '/api/v1/identity-providers/no-such-provider/test' });
    expect(response.statusCode).toBe(404);
  });
});

describe('the sign-in page: GET /api/v1/sso/providers and /api/v1/sso/discover (public)', () => {
  let enabled: IdentityProvider;
  let disabled: IdentityProvider;
  beforeAll(async () => {
    enabled = await createProvider(oidcBody({ name: uniqueName('AAA Corp SSO'), emailDomains: ['signin.example'] }));
    disabled = await createProvider(samlBody({ enabled: false, emailDomains: ['dormant.example'] }));
  });

  it('lists only enabled providers, sorted by name, with where to start signing in — and nothing else', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/sso/providers' });
    expect(response.statusCode).toBe(200);
    const providers = response.json<{ providers: Array<{ id: string; name: string }> }>().providers;
    expect(providers.find((p) => p.id === disabled.id)).toBeUndefined();
    expect(providers.find((p) => p.id === enabled.id)).toEqual({
      id: enabled.id,
      name: enabled.name,
      protocol: 'oidc',
      startUrl: ssoStartPath({ id: enabled.id, protocol: 'oidc' }),
    });
    const names = providers.map((p) => p.name);
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  });

  it('finds the enabled provider for an email’s domain in any letter case, by the part after the last @', async () => {
    const discover = async (email: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/v1/sso/discover?email=${encodeURIComponent(email)}` })).json<{
        provider: { id: string } | null;
      }>().provider;
    expect((await discover('Someone@SignIn.Example'))?.id).toBe(enabled.id);
    expect((await discover('"odd@name"@signin.example'))?.id).toBe(enabled.id);
    expect(await discover('someone@dormant.example')).toBeNull();
    expect(await discover('someone@unknown.example')).toBeNull();
    expect(await discover('')).toBeNull();
  });
});
