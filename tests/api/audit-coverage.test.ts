/**
 * Every state-changing API route, called successfully, leaves exactly the audit entries its sample
 * states (route-samples.ts), written by the account that acted, from its address — generated from
 * `app.accessTable`, so a new route cannot skip its audit entry unnoticed. SQLite and PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RouteAccess } from '../../src/server/auth/gate.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { auditSince, lastAuditId, quickSession, quickUser } from '../helpers/fixtures.js';
import { createTestApp } from '../helpers/test-app.js';
import { ROUTE_SAMPLES, sampleUrl } from './route-samples.js';
import { closeSsoOidcSampleProvider } from './route-samples/sso-oidc.js';

const t = await createTestApp();
afterAll(async () => {
  await closeSsoOidcSampleProvider();
  await t.close();
});

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const keyOf = (route: RouteAccess) => `${route.method} ${route.url}`;
const changing = t.app.accessTable.filter((route) => !SAFE_METHODS.has(route.method));
const other = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);

describe('audit entries of state-changing routes', () => {
  it('states, for every state-changing route, which audit entries a success writes', () => {
    const unstated = changing.map(keyOf).filter((key) => ROUTE_SAMPLES[key]?.audits === undefined);
    expect(unstated, 'add `audits` to these samples in tests/api/route-samples*').toEqual([]);
  });

  for (const route of changing) {
    const key = keyOf(route);
    it(`${key} writes ${JSON.stringify(ROUTE_SAMPLES[key]?.audits ?? '?')}`, async () => {
      const sample = ROUTE_SAMPLES[key]!;
      // A fresh Administrator per route: some samples end or change the caller's credentials.
      const admin = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
      const caller = await quickSession(t, admin);
      const request = await sample.build({
        t,
        caller: admin,
        targetId: other.id,
        self: false,
        newAccount: (groupId = SYSTEM_GROUP_IDS.regularUser) => quickUser(t, groupId),
      });
      const since = await lastAuditId(t);
      const response = await caller.request({
        method: route.method as 'POST',
        url: sampleUrl(route.url, request),
        ...(request.body !== undefined ? { payload: request.body as object } : {}),
        ...(request.headers ? { headers: request.headers } : {}),
      });
      const detail = `${key} answered ${response.statusCode} ${response.body.slice(0, 300)}`;
      if (sample.allowedStatus !== undefined) expect(response.statusCode, detail).toBe(sample.allowedStatus);
      else expect(response.statusCode >= 200 && response.statusCode < 300, detail).toBe(true);

      const entries = await auditSince(t, since);
      expect(entries.map((entry) => entry.action).sort(), key).toEqual([...sample.audits!].sort());
      for (const entry of entries) {
        // Public routes (a SAML assertion, say) act for the account they sign in, not the caller.
        if (route.access.kind !== 'public') {
          expect(entry.actor_user_id, key).toBe(admin.id);
          expect(entry.actor_group_name, key).toBe('Administrator');
        }
        expect(entry.ip, key).toEqual(expect.any(String));
      }
    });
  }
});
