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
import { createTestApp } from '../helpers/test-app.js';

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
