import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, SYSTEM_GROUPS, SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { createCustomGroup, quickSession, quickUser } from '../helpers/fixtures.js';
import { createTestApp, type Caller, type TestApp } from '../helpers/test-app.js';

describe('GET /api/v1/security-groups', () => {
  let t: TestApp;
  let admin: Caller;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await createCustomGroup(t, ['reports:view', 'records:view'], 'Zeta Auditors');
    await createCustomGroup(t, [], 'Alpha Nobodies');
  });
  afterAll(async () => t?.close());

  it('lists the five system groups first, in the order of permissions.ts, then custom groups by name', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/security-groups' });
    expect(response.statusCode).toBe(200);
    const groups = response.json().groups as Array<{ id: string; name: string; isSystem: boolean }>;
    expect(groups.map((g) => g.name)).toEqual([...SYSTEM_GROUPS.map((g) => g.name), 'Alpha Nobodies', 'Zeta Auditors']);
    expect(groups.map((g) => g.isSystem)).toEqual([true, true, true, true, true, false, false]);
  });

  it("shows each group's description, permissions (in declaration order) and member count", async () => {
    const groups = (await admin.request({ method: 'GET', url: '/api/v1/security-groups' })).json().groups as Array<{
      id: string;
      description: string;
      permissions: string[];
      memberCount: number;
    }>;
    for (const system of SYSTEM_GROUPS) {
      const listed = groups.find((g) => g.id === system.id)!;
      expect(listed.description).toBe(system.description);
      expect(listed.permissions).toEqual(ALL_PERMISSIONS.filter((p) => system.permissions.includes(p)));
    }
    const counts = Object.fromEntries(groups.map((g) => [g.id, g.memberCount]));
    expect(counts[SYSTEM_GROUP_IDS.administrator]).toBe(1);
    expect(counts[SYSTEM_GROUP_IDS.readOnlyUser]).toBe(2);
    expect(counts[SYSTEM_GROUP_IDS.regularUser]).toBe(0);
    expect(
      groups.find((g) => g.permissions.length === 2 && !SYSTEM_GROUPS.some((s) => s.id === g.id))?.permissions,
    ).toEqual(['records:view', 'reports:view']);
  });
});
