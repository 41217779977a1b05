/**
 * The Security Groups API: the list and its `can`, and custom groups created, read, changed and
 * deleted under every rule of issue 4 (names, grantable permissions, "Delete and Export require
 * View", no granting beyond your own rights, system groups read-only, no deleting a group in use),
 * on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserWithGroup } from '../../src/server/db/schema.js';
import {
  ALL_PERMISSIONS,
  GRANTABLE_PERMISSIONS,
  MODULES,
  SYSTEM_GROUPS,
  SYSTEM_GROUP_IDS,
} from '../../src/shared/permissions.js';
import type { SecurityGroup } from '../../src/shared/schemas/security-groups.js';
import { expectRefused } from '../helpers/assertions.js';
import {
  auditSince,
  createCustomGroup,
  errorOf,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
  uniqueEmail,
  allowedOf,
} from '../helpers/fixtures.js';
import { insertOidcProvider } from '../helpers/identity-provider-fixtures.js';
import { customGroupMember, groupBody, groupsSeenBy } from '../helpers/security-groups-fixtures.js';
import { createTestApp, TEST_PASSWORD, type Caller, type TestApp } from '../helpers/test-app.js';

/** The permissions no custom group may hold (the Administrator-only modules). */
const GRANTABLE_EXCLUDED = ALL_PERMISSIONS.filter((p) => !GRANTABLE_PERMISSIONS.includes(p));
const USERS_GROUPS_ALL = MODULES.users_groups.verbs.map((verb) => `users_groups:${verb}`);

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

/*
 * Writing custom groups: every rule is a clear 4xx that changes nothing; every change writes one
 * audit entry in the same transaction; members feel a change on their very next request.
 */
describe('custom security groups (create, read, update, delete)', () => {
  let t: TestApp;
  let admin: Caller;
  let adminUser: UserWithGroup;

  beforeAll(async () => {
    t = await createTestApp();
    adminUser = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    admin = await quickSession(t, adminUser);
  });
  afterAll(async () => t?.close());

  async function create(caller: Caller, body: Record<string, unknown>): Promise<SecurityGroup> {
    const response = await caller.request({ method: 'POST', url: '/api/v1/security-groups', payload: body });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<SecurityGroup>();
  }

  describe('POST /api/v1/security-groups', () => {
    it('creates a custom group: 201, trimmed name, permissions in declaration order without repeats, one audit entry', async () => {
      const auditBefore = await lastAuditId(t);
      const response = await admin.request({
        method: 'POST',
        url: '/api/v1/security-groups',
        payload: {
          name: '  Task Runners  ',
          description: ' Run tasks ',
          permissions: ['tasks:start', 'records:view', 'tasks:view', 'tasks:start'],
        },
      });
      expect(response.statusCode, response.body).toBe(201);
      const group = response.json<SecurityGroup>();
      expect(group).toEqual({
        id: expect.any(String),
        name: 'Task Runners',
        description: 'Run tasks',
        isSystem: false,
        permissions: ['records:view', 'tasks:view', 'tasks:start'],
        memberCount: 0,
        identityProviderCount: 0,
        can: { update: { allowed: true }, delete: { allowed: true }, assign: { allowed: true } },
      });
      const stored = await t.db
        .selectFrom('group_permissions')
        .select('permission')
        .where('group_id', '=', group.id)
        .execute();
      expect(stored.map((r) => r.permission).sort()).toEqual(['records:view', 'tasks:start', 'tasks:view']);
      const audit = await auditSince(t, auditBefore);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: 'security_group.created',
        actor_user_id: adminUser.id,
        details: {
          groupId: group.id,
          name: 'Task Runners',
          permissions: ['records:view', 'tasks:view', 'tasks:start'],
        },
      });
      expect((await admin.request({ method: 'GET', url: `/api/v1/security-groups/${group.id}` })).json()).toEqual(
        group,
      );
    });

    it('creates a group with no permissions and no description', async () => {
      const group = await create(admin, { name: `Nobody ${Date.now()}`, permissions: [] });
      expect(group).toMatchObject({ description: '', permissions: [], memberCount: 0 });
    });

    const invalid: Array<[string, Record<string, unknown>, string, RegExp?]> = [
      ['an empty name', { name: '' }, 'name', /Name is required/],
      ['a name of spaces only', { name: '    ' }, 'name', /Name is required/],
      ['a name of 101 characters', { name: 'x'.repeat(101) }, 'name', /at most 100/],
      ['a description of 501 characters', { description: 'x'.repeat(501) }, 'description', /at most 500/],
      ['an unknown permission', { permissions: ['records:view', 'records:fly'] }, 'permissions', /records:fly/],
      ['a verb of another module', { permissions: ['reports:import'] }, 'permissions', /reports:import/],
      ['permissions that are not a list', { permissions: 'records:view' }, 'permissions'],
      ['no permissions field at all', { permissions: undefined }, 'permissions'],
      ['isSystem (not settable)', { isSystem: true }, 'isSystem'],
      ['an id (not settable)', { id: 'my-own-id' }, 'id'],
    ];
    for (const [what, overrides, field, message] of invalid) {
      it(`refuses ${what} with 400 validation_failed naming ${field}, creating nothing`, async () => {
        const error = await expectRefused(
          t,
          () => admin.request({ method: 'POST', url: '/api/v1/security-groups', payload: groupBody(overrides) }),
          400,
          'validation_failed',
          field,
        );
        if (message) expect(error.fields?.[field]).toMatch(message);
      });
    }

    for (const permission of GRANTABLE_EXCLUDED) {
      it(`refuses the Administrator-only ${permission} with 400 saying only the Administrator group holds it`, async () => {
        const error = await expectRefused(
          t,
          () =>
            admin.request({
              method: 'POST',
              url: '/api/v1/security-groups',
              payload: groupBody({ permissions: ['records:view', permission] }),
            }),
          400,
          'validation_failed',
          'permissions',
        );
        expect(error.fields?.permissions).toMatch(/Administrator group only/);
      });
    }

    it('refuses Delete without View, naming the module, and does not fix it silently', async () => {
      const error = await expectRefused(
        t,
        () =>
          admin.request({
            method: 'POST',
            url: '/api/v1/security-groups',
            payload: groupBody({ permissions: ['tasks:delete'] }),
          }),
        400,
        'validation_failed',
        'permissions',
      );
      expect(error.fields?.permissions).toBe(
        'Delete and Export require View: add View to Tasks, or remove Delete/Export.',
      );
    });

    it('refuses Export without View in two modules, naming both', async () => {
      const error = await expectRefused(
        t,
        () =>
          admin.request({
            method: 'POST',
            url: '/api/v1/security-groups',
            payload: groupBody({ permissions: ['records:view', 'event_logs:export', 'users_groups:export'] }),
          }),
        400,
        'validation_failed',
        'permissions',
      );
      expect(error.message).toBe(
        'Delete and Export require View: add View to Event Logs and Users & Groups, or remove Delete/Export.',
      );
    });

    it('refuses a name already used, in any letter case and with spaces around it, with 409 group_name_taken', async () => {
      const existing = await create(admin, groupBody({ name: 'Night Shift' }));
      for (const name of ['Night Shift', 'night shift', '  NIGHT SHIFT ', 'administrator', 'Read Only User']) {
        await expectRefused(
          t,
          () => admin.request({ method: 'POST', url: '/api/v1/security-groups', payload: groupBody({ name }) }),
          409,
          'group_name_taken',
          'name',
        );
      }
      expect(existing.name).toBe('Night Shift');
    });

    it('creates only one group when the same new name is sent four times at once, in different cases (the others get 409, never 500)', async () => {
      const names = ['Race Group', 'race group', 'RACE GROUP', 'Race Group'];
      const responses = await Promise.all(
        names.map((name) =>
          admin.request({ method: 'POST', url: '/api/v1/security-groups', payload: groupBody({ name }) }),
        ),
      );
      expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409]);
      const groups = await t.db.selectFrom('security_groups').select('name').execute();
      expect(groups.filter((g) => g.name.toLowerCase() === 'race group')).toHaveLength(1);
    });

    it('refuses a group with rights the caller lacks with 403 group_exceeds_own_rights, naming them', async () => {
      const manager = await customGroupMember(t, [...USERS_GROUPS_ALL, 'records:view']);
      const error = await expectRefused(
        t,
        () =>
          manager.session.request({
            method: 'POST',
            url: '/api/v1/security-groups',
            payload: groupBody({ permissions: ['records:view', 'tasks:view', 'tasks:start'] }),
          }),
        403,
        'group_exceeds_own_rights',
        'permissions',
      );
      expect(error.message).toMatch(/Tasks: View, Tasks: Start/);
      const allowed = await create(manager.token, groupBody({ permissions: ['records:view', 'users_groups:view'] }));
      expect(allowedOf(allowed.can)).toEqual({ update: true, delete: true, assign: true });
    });
  });

  describe('GET /api/v1/security-groups/:id', () => {
    it('answers a system group with its permissions and can { update: false, delete: false }', async () => {
      const response = await admin.request({
        method: 'GET',
        url: `/api/v1/security-groups/${SYSTEM_GROUP_IDS.orchestrationUser}`,
      });
      expect(response.statusCode).toBe(200);
      const system = SYSTEM_GROUPS.find((g) => g.id === SYSTEM_GROUP_IDS.orchestrationUser)!;
      expect(response.json()).toMatchObject({
        name: system.name,
        isSystem: true,
        permissions: ALL_PERMISSIONS.filter((p) => system.permissions.includes(p)),
        can: {
          update: { allowed: false, code: 'system_group_read_only' },
          delete: { allowed: false, code: 'system_group_read_only' },
        },
      });
    });

    it('answers 404 not_found for an unknown ID', async () => {
      const response = await admin.request({ method: 'GET', url: '/api/v1/security-groups/no-such-group' });
      expect(response.statusCode).toBe(404);
      expect(errorOf(response).code).toBe('not_found');
    });
  });

  describe("each group's `can`, computed by the server for the caller", () => {
    it('is false for system groups, false for Delete while a group has members, true otherwise (Administrator)', async () => {
      const empty = await create(admin, groupBody());
      const populated = await create(admin, groupBody());
      await quickUser(t, populated.id);
      const seen = await groupsSeenBy(admin);
      for (const system of SYSTEM_GROUPS)
        expect(allowedOf(seen.get(system.id)!.can)).toEqual({ update: false, delete: false, assign: true });
      expect(allowedOf(seen.get(empty.id)!.can)).toEqual({ update: true, delete: true, assign: true });
      expect(seen.get(populated.id)).toMatchObject({
        memberCount: 1,
        can: { update: { allowed: true }, delete: { allowed: false } },
      });
    });

    it('is false for a group holding rights the caller lacks, and follows the caller’s own Users & Groups verbs', async () => {
      const stronger = await create(admin, groupBody({ permissions: ['records:view', 'tasks:view', 'tasks:start'] }));
      const weaker = await create(admin, groupBody({ permissions: ['records:view'] }));
      const manager = await customGroupMember(t, [...USERS_GROUPS_ALL, 'records:view']);
      const viewerOnly = await customGroupMember(t, ['users_groups:view', 'records:view']);
      const byManager = await groupsSeenBy(manager.session);
      expect(allowedOf(byManager.get(stronger.id)!.can)).toEqual({ update: false, delete: false, assign: false });
      expect(allowedOf(byManager.get(weaker.id)!.can)).toEqual({ update: true, delete: true, assign: true });
      const byViewer = await groupsSeenBy(viewerOnly.token);
      expect(allowedOf(byViewer.get(weaker.id)!.can)).toEqual({ update: false, delete: false, assign: true });
    });
  });

  describe('a refusal `can` shows is the one the server answers with', () => {
    it('for every reason a group cannot be changed or deleted: the same code and the same message', async () => {
      const withMembers = await create(admin, groupBody({ permissions: ['records:view'] }));
      await quickUser(t, withMembers.id);
      const stronger = await create(admin, groupBody({ permissions: ['records:view', 'tasks:view', 'tasks:start'] }));
      const manager = await customGroupMember(t, [...USERS_GROUPS_ALL, 'records:view']);
      const viewerOnly = await customGroupMember(t, ['users_groups:view', 'records:view']);
      const cases = [
        { caller: admin, group: SYSTEM_GROUP_IDS.orchestrationUser, code: 'system_group_read_only' },
        { caller: admin, group: withMembers.id, code: 'group_has_members' },
        { caller: manager.session, group: stronger.id, code: 'group_exceeds_own_rights' },
        { caller: viewerOnly.session, group: withMembers.id, code: 'forbidden' },
      ];
      for (const { caller, group, code } of cases) {
        const shown = (await groupsSeenBy(caller)).get(group)!.can;
        const tried = {
          update: await caller.request({
            method: 'PATCH',
            url: `/api/v1/security-groups/${group}`,
            payload: { description: 'x' },
          }),
          delete: await caller.request({ method: 'DELETE', url: `/api/v1/security-groups/${group}` }),
        };
        for (const action of ['update', 'delete'] as const) {
          if (shown[action].allowed) continue;
          const refusal = errorOf(tried[action]);
          expect(shown[action], `${code}: ${action}`).toEqual({
            allowed: false,
            code: refusal.code,
            message: refusal.message,
          });
        }
        expect(shown.delete).toMatchObject({ allowed: false, code });
      }
      // The count is in the reason, so the page can say it without working it out.
      expect((await groupsSeenBy(admin)).get(withMembers.id)!.can.delete).toMatchObject({
        message: 'It has 1 member. Move them to another group before deleting it.',
      });
    });
  });

  describe('PATCH /api/v1/security-groups/:id', () => {
    it('renames, describes and changes permissions in one save, with one audit entry of what changed', async () => {
      const group = await create(
        admin,
        groupBody({ name: 'Before Name', description: 'Old', permissions: ['records:view', 'reports:view'] }),
      );
      const auditBefore = await lastAuditId(t);
      const response = await admin.request({
        method: 'PATCH',
        url: `/api/v1/security-groups/${group.id}`,
        payload: {
          name: ' After Name ',
          description: 'New',
          permissions: ['tasks:view', 'records:view', 'tasks:complete'],
        },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({
        id: group.id,
        name: 'After Name',
        description: 'New',
        permissions: ['records:view', 'tasks:view', 'tasks:complete'],
      });
      const audit = await auditSince(t, auditBefore);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: 'security_group.updated',
        details: {
          groupId: group.id,
          name: 'After Name',
          changes: { name: { from: 'Before Name', to: 'After Name' }, description: { from: 'Old', to: 'New' } },
          permissionsAdded: ['tasks:view', 'tasks:complete'],
          permissionsRemoved: ['reports:view'],
        },
      });
    });

    it('writes nothing and no audit entry when nothing changes', async () => {
      const group = await create(admin, groupBody());
      const before = await stateSnapshot(t);
      const response = await admin.request({
        method: 'PATCH',
        url: `/api/v1/security-groups/${group.id}`,
        payload: { name: group.name, description: group.description, permissions: [...group.permissions].reverse() },
      });
      expect(response.statusCode).toBe(200);
      expect(await stateSnapshot(t)).toEqual(before);
    });

    it('lets a group change the letter case of its own name, but not take another group’s name (409)', async () => {
      const group = await create(admin, groupBody({ name: 'Lower case' }));
      const other = await create(admin, groupBody({ name: 'Taken Name' }));
      const response = await admin.request({
        method: 'PATCH',
        url: `/api/v1/security-groups/${group.id}`,
        payload: { name: 'LOWER CASE' },
      });
      expect(response.statusCode, response.body).toBe(200);
      await expectRefused(
        t,
        () =>
          admin.request({
            method: 'PATCH',
            url: `/api/v1/security-groups/${group.id}`,
            payload: { name: 'taken name' },
          }),
        409,
        'group_name_taken',
        'name',
      );
      expect(other.name).toBe('Taken Name');
    });

    for (const system of SYSTEM_GROUPS) {
      it(`refuses any change to the system group ${system.name} with 409 system_group_read_only, even by an Administrator`, async () => {
        await expectRefused(
          t,
          () =>
            admin.request({
              method: 'PATCH',
              url: `/api/v1/security-groups/${system.id}`,
              payload: { description: 'Changed' },
            }),
          409,
          'system_group_read_only',
        );
      });
    }

    it('refuses Export without View (400 naming the module), an Administrator-only power and an empty name, changing nothing', async () => {
      const group = await create(admin, groupBody());
      const url = `/api/v1/security-groups/${group.id}`;
      const error = await expectRefused(
        t,
        () => admin.request({ method: 'PATCH', url, payload: { permissions: ['reports:export'] } }),
        400,
        'validation_failed',
        'permissions',
      );
      expect(error.message).toBe('Delete and Export require View: add View to Reports, or remove Delete/Export.');
      await expectRefused(
        t,
        () =>
          admin.request({ method: 'PATCH', url, payload: { permissions: ['administration:force_password_change'] } }),
        400,
        'validation_failed',
        'permissions',
      );
      await expectRefused(
        t,
        () => admin.request({ method: 'PATCH', url, payload: { name: ' ' } }),
        400,
        'validation_failed',
        'name',
      );
      await expectRefused(
        t,
        () => admin.request({ method: 'PATCH', url, payload: { isSystem: false } }),
        400,
        'validation_failed',
        'isSystem',
      );
    });

    it('refuses a caller who lacks a right of the group before the change, or would grant one after it (403)', async () => {
      const manager = await customGroupMember(t, [...USERS_GROUPS_ALL, 'records:view', 'reports:view']);
      const stronger = await create(admin, groupBody({ permissions: ['records:view', 'tasks:view'] }));
      // Before: the group holds tasks:view, which the manager lacks, even if the change would remove it.
      await expectRefused(
        t,
        () =>
          manager.session.request({
            method: 'PATCH',
            url: `/api/v1/security-groups/${stronger.id}`,
            payload: { permissions: ['records:view'] },
          }),
        403,
        'group_exceeds_own_rights',
      );
      // After: a group within the manager's rights may not be given more.
      const weaker = await create(admin, groupBody({ permissions: ['records:view'] }));
      await expectRefused(
        t,
        () =>
          manager.token.request({
            method: 'PATCH',
            url: `/api/v1/security-groups/${weaker.id}`,
            payload: { permissions: ['records:view', 'records:update'] },
          }),
        403,
        'group_exceeds_own_rights',
        'permissions',
      );
      const allowed = await manager.token.request({
        method: 'PATCH',
        url: `/api/v1/security-groups/${weaker.id}`,
        payload: { permissions: ['records:view', 'reports:view'] },
      });
      expect(allowed.statusCode, allowed.body).toBe(200);
    });

    it('answers 404 for an unknown group, changing nothing', async () => {
      await expectRefused(
        t,
        () =>
          admin.request({
            method: 'PATCH',
            url: '/api/v1/security-groups/no-such-group',
            payload: { description: 'x' },
          }),
        404,
        'not_found',
      );
    });
  });

  describe('DELETE /api/v1/security-groups/:id', () => {
    it('deletes an empty custom group (204) with its permissions, and records one security_group.deleted entry', async () => {
      const group = await create(admin, groupBody({ name: 'Short Lived' }));
      const auditBefore = await lastAuditId(t);
      const response = await admin.request({ method: 'DELETE', url: `/api/v1/security-groups/${group.id}` });
      expect(response.statusCode, response.body).toBe(204);
      expect(await t.db.selectFrom('security_groups').select('id').where('id', '=', group.id).execute()).toEqual([]);
      expect(
        await t.db.selectFrom('group_permissions').select('permission').where('group_id', '=', group.id).execute(),
      ).toEqual([]);
      const audit = await auditSince(t, auditBefore);
      expect(audit.map((a) => [a.action, a.details])).toEqual([
        ['security_group.deleted', { groupId: group.id, name: 'Short Lived' }],
      ]);
      expect((await admin.request({ method: 'GET', url: `/api/v1/security-groups/${group.id}` })).statusCode).toBe(404);
    });

    it('refuses a group with members with 409 group_has_members, changing nothing; once empty it can go', async () => {
      const group = await create(admin, groupBody());
      const member = await quickUser(t, group.id);
      await expectRefused(
        t,
        () => admin.request({ method: 'DELETE', url: `/api/v1/security-groups/${group.id}` }),
        409,
        'group_has_members',
      );
      await t.db
        .updateTable('users')
        .set({ security_group_id: SYSTEM_GROUP_IDS.readOnlyUser })
        .where('id', '=', member.id)
        .execute();
      expect((await admin.request({ method: 'DELETE', url: `/api/v1/security-groups/${group.id}` })).statusCode).toBe(
        204,
      );
    });

    it('refuses a group an identity provider uses (default group or mapping) with 409 group_used_by_provider, changing nothing; once the provider lets go it can go', async () => {
      const asDefault = await create(admin, groupBody());
      const asMapping = await create(admin, groupBody());
      const provider = await insertOidcProvider(
        t,
        { issuer: 'https://idp.example', clientId: 'latchkey', scopes: 'openid', groupsClaim: 'groups' },
        { defaultGroupId: asDefault.id, groupMappings: { engineers: asMapping.id } },
      );
      for (const group of [asDefault, asMapping]) {
        // The server says so before anyone tries: `can.delete` is false, and why is in the counts.
        const shown = await admin.request({ method: 'GET', url: `/api/v1/security-groups/${group.id}` });
        expect(shown.json()).toMatchObject({
          identityProviderCount: 1,
          memberCount: 0,
          can: { delete: { allowed: false } },
        });
        const error = await expectRefused(
          t,
          () => admin.request({ method: 'DELETE', url: `/api/v1/security-groups/${group.id}` }),
          409,
          'group_used_by_provider',
        );
        expect(error.message).toMatch(/identity provider uses this security group/);
      }
      const released = await admin.request({
        method: 'PATCH',
        url: `/api/v1/identity-providers/${provider.id}`,
        payload: { defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser, groupMappings: [] },
      });
      expect(released.statusCode, released.body).toBe(200);
      for (const group of [asDefault, asMapping]) {
        const removal = await admin.request({ method: 'DELETE', url: `/api/v1/security-groups/${group.id}` });
        expect(removal.statusCode, removal.body).toBe(204);
      }
    });

    for (const system of SYSTEM_GROUPS) {
      it(`refuses to delete the system group ${system.name} with 409 system_group_read_only`, async () => {
        await expectRefused(
          t,
          () => admin.request({ method: 'DELETE', url: `/api/v1/security-groups/${system.id}` }),
          409,
          'system_group_read_only',
        );
      });
    }

    it('refuses a caller who lacks a right of the group with 403 group_exceeds_own_rights', async () => {
      const manager = await customGroupMember(t, [...USERS_GROUPS_ALL, 'records:view']);
      const stronger = await create(admin, groupBody({ permissions: ['records:view', 'tasks:view'] }));
      await expectRefused(
        t,
        () => manager.token.request({ method: 'DELETE', url: `/api/v1/security-groups/${stronger.id}` }),
        403,
        'group_exceeds_own_rights',
      );
    });

    it('answers 404 for an unknown group', async () => {
      await expectRefused(
        t,
        () => admin.request({ method: 'DELETE', url: '/api/v1/security-groups/no-such-group' }),
        404,
        'not_found',
      );
    });

    it('never leaves an account in a deleted group when a delete and an assignment to the group race (no 500)', async () => {
      for (let round = 0; round < 4; round++) {
        const group = await create(admin, groupBody({ permissions: [] }));
        const target = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
        const [removal, assignment] = await Promise.all([
          admin.request({ method: 'DELETE', url: `/api/v1/security-groups/${group.id}` }),
          admin.request({
            method: 'PATCH',
            url: `/api/v1/users/${target.id}/security`,
            payload: { securityGroupId: group.id },
          }),
        ]);
        expect([204, 409], removal.body).toContain(removal.statusCode);
        expect(assignment.statusCode, assignment.body).toBeLessThan(500);
        const stillThere = await t.db
          .selectFrom('security_groups')
          .select('id')
          .where('id', '=', group.id)
          .executeTakeFirst();
        const account = await t.db
          .selectFrom('users')
          .select('security_group_id')
          .where('id', '=', target.id)
          .executeTakeFirstOrThrow();
        if (removal.statusCode === 204) {
          expect(stillThere).toBeUndefined();
          expect(account.security_group_id).toBe(SYSTEM_GROUP_IDS.readOnlyUser);
        } else {
          expect(errorOf(removal).code).toBe('group_has_members');
          expect(account.security_group_id).toBe(group.id);
        }
      }
    });
  });

  describe("a permission change reaches the group's members on their very next request", () => {
    it('by session cookie and by API token, both ways (granted, then taken away)', async () => {
      const member = await customGroupMember(t, ['records:view']);
      const callers = { session: member.session, token: member.token };
      for (const caller of Object.values(callers)) {
        expect((await caller.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(403);
      }
      const granted = await admin.request({
        method: 'PATCH',
        url: `/api/v1/security-groups/${member.groupId}`,
        payload: { permissions: ['records:view', 'users_groups:view'] },
      });
      expect(granted.statusCode, granted.body).toBe(200);
      for (const caller of Object.values(callers)) {
        expect((await caller.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(200);
        const me = (await caller.request({ method: 'GET', url: '/api/v1/me' })).json<{
          abilities: { permissions: string[] };
        }>();
        expect(me.abilities.permissions).toEqual(['records:view', 'users_groups:view']);
      }
      const revoked = await admin.request({
        method: 'PATCH',
        url: `/api/v1/security-groups/${member.groupId}`,
        payload: { permissions: [] },
      });
      expect(revoked.statusCode, revoked.body).toBe(200);
      for (const caller of Object.values(callers)) {
        const response = await caller.request({ method: 'GET', url: '/api/v1/users' });
        expect(response.statusCode).toBe(403);
        expect(errorOf(response).code).toBe('forbidden');
      }
    });
  });

  describe('a custom group holding Users & Groups rights (below Administrator), by API', () => {
    it('cannot change an Administrator account’s settings or security, nor delete it (403 administrator_protected)', async () => {
      const manager = await customGroupMember(t, [...USERS_GROUPS_ALL, 'records:view']);
      const administrator = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
      for (const caller of [manager.session, manager.token]) {
        await expectRefused(
          t,
          () =>
            caller.request({
              method: 'PATCH',
              url: `/api/v1/users/${administrator.id}`,
              payload: { title: 'Demoted' },
            }),
          403,
          'administrator_protected',
        );
        await expectRefused(
          t,
          () =>
            caller.request({
              method: 'PATCH',
              url: `/api/v1/users/${administrator.id}/security`,
              payload: { securityGroupId: manager.groupId },
            }),
          403,
          'administrator_protected',
        );
        await expectRefused(
          t,
          () => caller.request({ method: 'DELETE', url: `/api/v1/users/${administrator.id}` }),
          403,
          'administrator_protected',
        );
      }
    });

    it('cannot assign a group with more rights than its own, by creating or by moving an account (403 group_exceeds_own_rights)', async () => {
      const manager = await customGroupMember(t, [...USERS_GROUPS_ALL, 'records:view']);
      const stronger = await create(admin, groupBody({ permissions: ['records:view', 'records:update'] }));
      const worker = await quickUser(t, manager.groupId);
      for (const caller of [manager.session, manager.token]) {
        await expectRefused(
          t,
          () =>
            caller.request({
              method: 'PATCH',
              url: `/api/v1/users/${worker.id}/security`,
              payload: { securityGroupId: stronger.id },
            }),
          403,
          'group_exceeds_own_rights',
          'securityGroupId',
        );
        await expectRefused(
          t,
          () =>
            caller.request({
              method: 'POST',
              url: '/api/v1/users',
              payload: {
                email: uniqueEmail('stronger'),
                firstName: 'Sam',
                lastName: 'Stronger',
                password: TEST_PASSWORD,
                confirmPassword: TEST_PASSWORD,
                securityGroupId: stronger.id,
                sessionTimeoutMinutes: 30,
              },
            }),
          403,
          'group_exceeds_own_rights',
          'securityGroupId',
        );
      }
    });
  });
});
