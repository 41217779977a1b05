/**
 * Per-account abilities: `can: { update, delete, changeAccountStatus }` on every account the API
 * shows says what the caller may do to it, and why not (policies/accounts.ts), and the services
 * enforce the very same decisions. Each viewer × target pair is checked three ways: what GET
 * /users/:id and each GET /users row report, what PATCH and DELETE then do (allowed exactly when
 * reported; refused with exactly the code and message `can` showed, changing nothing), and what
 * the services do when called without the route gate in front of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { AppError } from '../../src/server/app-error.js';
import { actorFor } from '../../src/server/auth/authenticate.js';
import { deleteUser, findUserById, updateAccountSettings } from '../../src/server/services/users.js';
import type { UserWithGroup } from '../../src/server/db/schema.js';
import { accountDecisions } from '../../src/server/policies/accounts.js';
import { loadGroupPermissions } from '../../src/server/services/security-groups.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import type { UserAbilities } from '../../src/shared/schemas/users.js';
import { expectApiError } from '../helpers/assertions.js';
import { createCustomGroup, quickSession, quickUser, stateSnapshot } from '../helpers/fixtures.js';
import { createTestApp, TEST_PASSWORD, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

type ViewerName = 'administrator' | 'manager' | 'updater' | 'deleter' | 'viewer';
type TargetName = 'self' | 'regular user' | 'Administrator';

/** Custom groups below Administrator, each with view plus some Users & Groups rights. */
const VIEWERS: Record<ViewerName, { label: string; permissions: string[] | 'administrator' }> = {
  administrator: { label: 'an Administrator', permissions: 'administrator' },
  manager: {
    label: 'a group with every Users & Groups right',
    permissions: ['users_groups:view', 'users_groups:create', 'users_groups:update', 'users_groups:delete'],
  },
  updater: { label: 'a group with view and update', permissions: ['users_groups:view', 'users_groups:update'] },
  deleter: { label: 'a group with view and delete', permissions: ['users_groups:view', 'users_groups:delete'] },
  viewer: { label: 'a group with view only', permissions: ['users_groups:view'] },
};

/**
 * What each viewer may do to each target: the product's rules, written out by hand. Changing the
 * account status needs Users & Groups Update, never on yourself, an Administrator only as one, and
 * is a security action, and so is deleting it: never on an account whose group holds rights the
 * viewer lacks (a Regular User holds data-record rights none of these custom groups has; see
 * account-takeover.test.ts, where a manager deletes an account whose rights it holds).
 */
// Unlocking sign-in follows changeAccountStatus (policy-refusals.test.ts tries it for real).
type Allowed = Record<Exclude<keyof UserAbilities, 'unlockSignIn'>, boolean>;
const allowedOf = (can: UserAbilities): Allowed => ({
  update: can.update.allowed,
  delete: can.delete.allowed,
  changeAccountStatus: can.changeAccountStatus.allowed,
});

const EXPECTED: Record<ViewerName, Record<TargetName, Allowed>> = {
  administrator: {
    self: { update: true, delete: false, changeAccountStatus: false },
    'regular user': { update: true, delete: true, changeAccountStatus: true },
    Administrator: { update: true, delete: true, changeAccountStatus: true },
  },
  manager: {
    self: { update: true, delete: false, changeAccountStatus: false },
    'regular user': { update: true, delete: false, changeAccountStatus: false },
    Administrator: { update: false, delete: false, changeAccountStatus: false },
  },
  updater: {
    self: { update: true, delete: false, changeAccountStatus: false },
    'regular user': { update: true, delete: false, changeAccountStatus: false },
    Administrator: { update: false, delete: false, changeAccountStatus: false },
  },
  deleter: {
    self: { update: true, delete: false, changeAccountStatus: false },
    'regular user': { update: false, delete: false, changeAccountStatus: false },
    Administrator: { update: false, delete: false, changeAccountStatus: false },
  },
  viewer: {
    self: { update: true, delete: false, changeAccountStatus: false },
    'regular user': { update: false, delete: false, changeAccountStatus: false },
    Administrator: { update: false, delete: false, changeAccountStatus: false },
  },
};

/** The error each refused request answers with: the gate's 403 without the permission, else the service's rule. */
const REFUSAL: Record<ViewerName, Partial<Record<TargetName, { update?: string; delete?: string }>>> = {
  administrator: { self: { delete: 'cannot_delete_self' } },
  manager: {
    self: { delete: 'cannot_delete_self' },
    'regular user': { delete: 'account_exceeds_own_rights' },
    Administrator: { update: 'administrator_protected', delete: 'administrator_protected' },
  },
  updater: {
    self: { delete: 'forbidden' },
    'regular user': { delete: 'forbidden' },
    Administrator: { update: 'administrator_protected', delete: 'forbidden' },
  },
  deleter: {
    self: { delete: 'cannot_delete_self' },
    'regular user': { update: 'forbidden', delete: 'account_exceeds_own_rights' },
    Administrator: { update: 'forbidden', delete: 'administrator_protected' },
  },
  viewer: {
    self: { delete: 'forbidden' },
    'regular user': { update: 'forbidden', delete: 'forbidden' },
    Administrator: { update: 'forbidden', delete: 'forbidden' },
  },
};

const STATUS_OF: Record<string, number> = {
  forbidden: 403,
  administrator_protected: 403,
  account_exceeds_own_rights: 403,
  cannot_delete_self: 409,
};

interface Viewer {
  user: UserWithGroup;
  caller: Caller;
}

const viewers = new Map<ViewerName, Viewer>();

async function makeViewer(name: ViewerName): Promise<Viewer> {
  const { permissions } = VIEWERS[name];
  const groupId =
    permissions === 'administrator' ? SYSTEM_GROUP_IDS.administrator : await createCustomGroup(t, permissions);
  const user = await quickUser(t, groupId, { firstName: 'Viewer', lastName: name });
  return { user, caller: await quickSession(t, user) };
}

/** A target of this kind for `viewer` (a new account each time, so a delete can use it up). */
async function makeTarget(viewer: Viewer, kind: TargetName): Promise<UserWithGroup> {
  if (kind === 'self') return viewer.user;
  const groupId = kind === 'Administrator' ? SYSTEM_GROUP_IDS.administrator : SYSTEM_GROUP_IDS.regularUser;
  return quickUser(t, groupId, { firstName: 'Target', lastName: kind });
}

beforeAll(async () => {
  for (const name of Object.keys(VIEWERS) as ViewerName[]) viewers.set(name, await makeViewer(name));
});

/** Refused with `code`, and with exactly the code and message the account's `can` showed beforehand. */
async function expectRefused(
  response: LightMyRequestResponse,
  before: unknown,
  code: string,
  shown: UserAbilities[keyof UserAbilities],
): Promise<void> {
  const error = expectApiError(response, STATUS_OF[code]!, code);
  expect(shown).toEqual({ allowed: false, code, message: error.message });
  expect(await stateSnapshot(t)).toEqual(before);
}

/** The `can` that `caller` is shown for `target` (its View User page). */
async function shownCan(caller: Caller, target: { id: string }): Promise<UserAbilities> {
  const response = await caller.request({ method: 'GET', url: `/api/v1/users/${target.id}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ can: UserAbilities }>().can;
}

for (const name of Object.keys(VIEWERS) as ViewerName[]) {
  describe(`seen by ${VIEWERS[name].label}`, () => {
    for (const kind of ['self', 'regular user', 'Administrator'] as const) {
      const expected = EXPECTED[name][kind];
      const refusal = REFUSAL[name][kind] ?? {};

      it(`GET /users/:id and its GET /users row report can ${JSON.stringify(expected)} for ${kind === 'self' ? 'its own account' : `a ${kind}`}`, async () => {
        const viewer = viewers.get(name)!;
        const target = await makeTarget(viewer, kind);
        const shown = await shownCan(viewer.caller, target);
        expect(allowedOf(shown)).toEqual(expected);
        for (const action of ['update', 'delete'] as const) {
          if (!expected[action]) expect(shown[action]).toMatchObject({ code: refusal[action] });
        }
        const list = await viewer.caller.request({
          method: 'GET',
          url: `/api/v1/users?search=${encodeURIComponent(target.email)}`,
        });
        expect(list.statusCode, list.body).toBe(200);
        expect(list.json().users).toEqual([expect.objectContaining({ id: target.id, can: shown })]);
      });

      it(`PATCH ${expected.update ? 'saves' : `is refused with ${refusal.update}`} for ${kind === 'self' ? 'its own account' : `a ${kind}`}`, async () => {
        const viewer = viewers.get(name)!;
        const target = await makeTarget(viewer, kind);
        const request = {
          method: 'PATCH' as const,
          url: `/api/v1/users/${target.id}`,
          payload: { title: `Set by ${name}` },
        };
        if (expected.update) {
          const response = await viewer.caller.request(request);
          expect(response.statusCode, response.body).toBe(200);
          expect(response.json()).toMatchObject({ title: `Set by ${name}` });
          expect(allowedOf(response.json().can)).toEqual(expected);
        } else {
          const shown = await shownCan(viewer.caller, target);
          const before = await stateSnapshot(t);
          await expectRefused(await viewer.caller.request(request), before, refusal.update!, shown.update);
        }
      });

      it(`DELETE ${expected.delete ? 'deletes' : `is refused with ${refusal.delete}`} for ${kind === 'self' ? 'its own account' : `a ${kind}`}`, async () => {
        const viewer = viewers.get(name)!;
        const target = await makeTarget(viewer, kind);
        const request = { method: 'DELETE' as const, url: `/api/v1/users/${target.id}` };
        if (expected.delete) {
          const response = await viewer.caller.request(request);
          expect(response.statusCode, response.body).toBe(204);
          expect(await findUserById(t.db, target.id)).toBeUndefined();
        } else {
          const shown = await shownCan(viewer.caller, target);
          const before = await stateSnapshot(t);
          await expectRefused(await viewer.caller.request(request), before, refusal.delete!, shown.delete);
        }
      });

      it(`the services alone (no route gate) allow exactly what can reports, for ${kind === 'self' ? 'its own account' : `a ${kind}`}`, async () => {
        const viewer = viewers.get(name)!;
        const actor = await actorFor(t.db, viewer.user, 'session', null);
        const ctx = { actor, ip: '127.0.0.1' };
        const target = await makeTarget(viewer, kind);
        expect(allowedOf(accountDecisions(actor, target, await loadGroupPermissions(t.db)))).toEqual(expected);

        const updated = await updateAccountSettings(t.db, ctx, target.id, { title: 'By the service' }).then(
          () => 'allowed',
          (error: unknown) => (error instanceof AppError ? error.code : error),
        );
        expect(updated).toBe(expected.update ? 'allowed' : refusal.update);

        const deleted = await deleteUser(t.db, ctx, target.id).then(
          () => 'allowed',
          (error: unknown) => (error instanceof AppError ? error.code : error),
        );
        expect(deleted).toBe(expected.delete ? 'allowed' : refusal.delete);
      });
    }
  });
}

describe('the accounts the API shows always carry `can`', () => {
  it('GET /me: your own account may be updated, never deleted', async () => {
    const { caller } = viewers.get('administrator')!;
    const me = await caller.request({ method: 'GET', url: '/api/v1/me' });
    expect(allowedOf(me.json().user.can)).toEqual({ update: true, delete: false, changeAccountStatus: false });
    expect(me.json().user.can.delete).toEqual({
      allowed: false,
      code: 'cannot_delete_self',
      message: 'You cannot delete your own account.',
    });
  });

  it('a Read Only User sees its own account as updatable and not deletable, on /me and /users/:id', async () => {
    const reader = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const caller = await quickSession(t, reader);
    expect(allowedOf((await caller.request({ method: 'GET', url: '/api/v1/me' })).json().user.can)).toEqual({
      update: true,
      delete: false,
      changeAccountStatus: false,
    });
    expect(allowedOf(await shownCan(caller, reader))).toEqual({
      update: true,
      delete: false,
      changeAccountStatus: false,
    });
  });

  it('POST /users answers the new account with what its creator may do to it', async () => {
    const { caller } = viewers.get('manager')!;
    const response = await caller.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        email: `made-by-manager-${Date.now()}@example.test`,
        firstName: 'Made',
        lastName: 'Here',
        password: TEST_PASSWORD,
        confirmPassword: TEST_PASSWORD,
        securityGroupId: (await findUserById(t.db, viewers.get('manager')!.user.id))!.security_group_id,
        sessionTimeoutMinutes: 30,
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    // Its group is the creator's own: every right it holds, the creator holds.
    expect(allowedOf(response.json().can)).toEqual({ update: true, delete: true, changeAccountStatus: true });
  });

  it('a row in a list of many reports its own `can` (self, a regular user and an Administrator side by side)', async () => {
    const { user, caller } = viewers.get('manager')!;
    const regular = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { lastName: 'Sidebyside' });
    const administrator = await quickUser(t, SYSTEM_GROUP_IDS.administrator, { lastName: 'Sidebyside' });
    const rows = (await caller.request({ method: 'GET', url: '/api/v1/users?pageSize=500' })).json().users as Array<{
      id: string;
      can: UserAbilities;
    }>;
    const canOf = (id: string) => allowedOf(rows.find((row) => row.id === id)!.can);
    expect(canOf(user.id)).toEqual({ update: true, delete: false, changeAccountStatus: false });
    expect(canOf(regular.id)).toEqual(EXPECTED.manager['regular user']);
    expect(canOf(administrator.id)).toEqual({ update: false, delete: false, changeAccountStatus: false });
  });
});
