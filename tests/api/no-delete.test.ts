/**
 * "Regular User (No Delete) must be unable to delete anything by any path", as a rule
 * over every route the app registers rather than a hand-picked list: each route that removes
 * something either needs a `:delete` permission — which the No Delete group holds none of, and
 * the access matrix then proves the refusal by session and by token — or removes credentials,
 * not data, and is listed below with the reason. A new removing route that asks for
 * anything else fails here. Paths that remove data through another verb (an update that empties a
 * record, a replace import) are tested where they live: tests/api/records*.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUPS, SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { createSession } from '../../src/server/auth/sessions.js';
import { sessionCookieFor } from '../../src/server/app.js';
import { giveApiToken } from '../helpers/fixtures.js';
import { insertSamlProvider } from '../helpers/identity-provider-fixtures.js';
import { createTestApp, makeUser } from '../helpers/test-app.js';

const t = await createTestApp();
afterAll(async () => t.close());

/** Removing routes that delete no platform data: credentials, each with its own rule. */
const NOT_DATA_REMOVALS: Record<string, string> = {
  'DELETE /api/v1/session': 'signing out ends only the caller’s own session',
  'DELETE /api/v1/me/mfa/factors/:id': 'a person removes their own authenticator (password required)',
  'DELETE /api/v1/users/:id/api-token': 'revoking a token is an Administrator-only power (administration:*)',
  'DELETE /api/v1/users/:id/sign-in-lock':
    'ending a sign-in lock forgets a failure count, no data; the account-status right (users_groups:update)',
  'DELETE /api/v1/users/:id/sessions/:sessionId':
    'signing a session out ends a credential, no data: your own, or the account-status right (users_groups:update)',
  'DELETE /api/v1/users/:id/sessions':
    'signing out everywhere ends credentials, no data: your own, or the account-status right (users_groups:update)',
  'DELETE /api/v1/identity-providers/:id/scim-token':
    'revoking a SCIM token ends a credential, no data: an Administrator-only power (administration:configure_sso)',
  'DELETE /api/v1/identity-providers/:id':
    'removing a sign-in configuration is an Administrator-only power (administration:configure_sso); refused while accounts use it',
};

const noDelete = SYSTEM_GROUPS.find((group) => group.id === SYSTEM_GROUP_IDS.regularUserNoDelete)!;

describe('Regular User (No Delete): no path deletes', () => {
  it('holds no delete permission of any module', () => {
    expect(noDelete.permissions.filter((permission) => permission.endsWith(':delete'))).toEqual([]);
  });

  const removing = t.app.accessTable.filter((route) => route.method === 'DELETE' || /delete/i.test(route.url));
  it('finds the removing routes (the rule below is not vacuous)', () => {
    expect(removing.length).toBeGreaterThanOrEqual(8);
  });

  for (const route of removing) {
    const key = `${route.method} ${route.url}`;
    it(`${key} needs a :delete permission, or removes credentials under a right No Delete lacks or its own`, () => {
      if (key in NOT_DATA_REMOVALS) {
        if (route.access.kind === 'permission') expect(noDelete.permissions).not.toContain(route.access.permission);
        return;
      }
      expect(route.access.kind).toBe('permission');
      if (route.access.kind !== 'permission') return;
      expect(route.access.permission).toMatch(/:delete$/);
      expect(noDelete.permissions).not.toContain(route.access.permission);
    });
  }
});

/**
 * The SCIM service (/scim/v2, outside accessTable) deletes accounts: only an identity provider's
 * SCIM token reaches it, and only administration:configure_sso (which No Delete lacks) generates
 * one. A No Delete account's own credentials are refused there.
 */
describe('Regular User (No Delete): SCIM’s DELETE /scim/v2/Users/:id (and /Groups/:id)', () => {
  it('needs the provider’s SCIM token, which No Delete cannot generate; its session and API token are refused', async () => {
    expect(t.app.hasRoute({ method: 'DELETE', url: '/scim/v2/Users/:id' })).toBe(true);
    expect(t.app.hasRoute({ method: 'DELETE', url: '/scim/v2/Groups/:id' })).toBe(true);
    expect(noDelete.permissions).not.toContain('administration:configure_sso');
    const provider = await insertSamlProvider(t, {
      entityId: 'https://idp.example/no-delete',
      ssoUrl: 'https://idp.example/sso',
      logoutUrl: '',
      certificate: '',
      groupsAttribute: '',
    });
    const target = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser, { userType: 'sso', ssoProvider: provider.name });
    const person = await makeUser(t, SYSTEM_GROUP_IDS.regularUserNoDelete);
    const session = await createSession(t.db, person.id, { ip: '127.0.0.1', userAgent: 'vitest' });
    const cookie = `${sessionCookieFor(t.config.publicUrl).name}=${session.id}`;
    const url = `/scim/v2/Users/${target.id}`;
    expect(
      (await t.app.inject({ method: 'DELETE', url, headers: { cookie, 'x-latchkey-csrf': '1' } })).statusCode,
    ).toBe(401);
    const token = await giveApiToken(t, person.id);
    expect(
      (await t.app.inject({ method: 'DELETE', url, headers: { authorization: `Bearer ${token}` } })).statusCode,
    ).toBe(401);
    const generate = await t.app.inject({
      method: 'POST',
      url: `/api/v1/identity-providers/${provider.id}/scim-token`,
      headers: { cookie, 'x-latchkey-csrf': '1' },
    });
    expect(generate.statusCode).toBe(403);
    expect(await t.db.selectFrom('users').select('id').where('id', '=', target.id).executeTakeFirst()).toBeDefined();
  });
});
