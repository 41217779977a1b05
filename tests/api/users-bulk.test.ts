/**
 * Bulk actions on accounts (issue 15, "The users list at work"): Enable, Disable, Change Security
 * Group, Require MFA, Delete and Export selected. Each account goes through its single action's
 * rules and audit entry, all in one transaction: one refused account and nothing changes, the
 * answer naming every refused one. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS, SYSTEM_GROUPS } from '../../src/shared/permissions.js';
import type { UserWithGroup } from '../../src/server/db/schema.js';
import {
  auditSince,
  createCustomGroup,
  errorOf,
  giveApiToken,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
} from '../helpers/fixtures.js';
import {
  anotherNode,
  createTestApp,
  tokenCaller,
  usingPostgres,
  type Caller,
  type TestApp,
} from '../helpers/test-app.js';

let t: TestApp;
let admin: UserWithGroup;
let adminCaller: Caller;

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
  adminCaller = await quickSession(t, admin);
});
afterAll(async () => t?.close());

const bulk = (caller: Caller, payload: object) =>
  caller.request({ method: 'POST', url: '/api/v1/users/bulk', payload });
const bulkDelete = (caller: Caller, userIds: string[]) =>
  caller.request({ method: 'POST', url: '/api/v1/users/bulk-delete', payload: { userIds } });
const users = (n: number, group: string = SYSTEM_GROUP_IDS.regularUser) =>
  Promise.all(Array.from({ length: n }, () => quickUser(t, group)));
const row = (id: string) => t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();

describe('POST /api/v1/users/bulk', () => {
  it('disables every account, ending its sessions and API token at once, audited per account as the single action', async () => {
    const targets = await users(3);
    const sessions = await Promise.all(targets.map((user) => quickSession(t, user)));
    const tokens = await Promise.all(targets.map(async (user) => tokenCaller(t, await giveApiToken(t, user.id))));
    for (const caller of [...sessions, ...tokens])
      expect((await caller.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(200);
    const since = await lastAuditId(t);

    const response = await bulk(adminCaller, { action: 'disable', userIds: targets.map((u) => u.id) });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ updated: 3 });

    for (const caller of [...sessions, ...tokens])
      expect((await caller.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
    for (const user of targets) expect((await row(user.id))?.status).toBe('disabled');
    const entries = await auditSince(t, since);
    expect(entries.map((e) => [e.action, e.target_user_id, e.actor_user_id, e.details]).sort()).toEqual(
      targets
        .map((user) => [
          'user.security_updated',
          user.id,
          admin.id,
          { changes: { status: { from: 'enabled', to: 'disabled' } }, sessionsEnded: 1, tokenRevoked: true },
        ])
        .sort(),
    );

    // Enable: the same, back; an account already enabled is not counted and not audited.
    const already = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const since2 = await lastAuditId(t);
    const enabled = await bulk(adminCaller, { action: 'enable', userIds: [...targets.map((u) => u.id), already.id] });
    expect(enabled.json()).toEqual({ updated: 3 });
    for (const user of targets) expect((await row(user.id))?.status).toBe('enabled');
    expect((await auditSince(t, since2)).map((e) => [e.action, e.target_user_id, e.details]).sort()).toEqual(
      targets
        .map((user) => ['user.security_updated', user.id, { changes: { status: { from: 'disabled', to: 'enabled' } } }])
        .sort(),
    );
    // Enabling again brings the token back no more than the single action does.
    expect((await tokens[0]!.request({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401);
  });

  it.runIf(usingPostgres)('disabling ends the API tokens on every node at once', async () => {
    const node = await anotherNode(t);
    try {
      const targets = await users(2);
      const tokens = await Promise.all(targets.map((user) => giveApiToken(t, user.id)));
      // Each token answered (and cached) by the other node first.
      const onOtherNode = (token: string) =>
        node.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      for (const token of tokens) expect((await onOtherNode(token)).statusCode).toBe(200);
      expect((await bulk(adminCaller, { action: 'disable', userIds: targets.map((u) => u.id) })).statusCode).toBe(200);
      for (const token of tokens) expect((await onOtherNode(token)).statusCode).toBe(401);
    } finally {
      await node.close();
    }
  });

  it('changes the security group and requires MFA, each account audited', async () => {
    const targets = await users(2);
    let since = await lastAuditId(t);
    const moved = await bulk(adminCaller, {
      action: 'changeSecurityGroup',
      userIds: targets.map((u) => u.id),
      securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toEqual({ updated: 2 });
    for (const user of targets) expect((await row(user.id))?.security_group_id).toBe(SYSTEM_GROUP_IDS.readOnlyUser);
    expect((await auditSince(t, since)).map((e) => [e.action, e.details])).toEqual(
      targets.map(() => [
        'user.security_updated',
        { changes: { security_group_id: { from: SYSTEM_GROUP_IDS.regularUser, to: SYSTEM_GROUP_IDS.readOnlyUser } } },
      ]),
    );

    since = await lastAuditId(t);
    const mfa = await bulk(adminCaller, { action: 'requireMfa', userIds: targets.map((u) => u.id) });
    expect(mfa.json()).toEqual({ updated: 2 });
    for (const user of targets) expect(await row(user.id)).toMatchObject({ mfa_enrolled: 1, mfa_required_by_other: 1 });
    expect((await auditSince(t, since)).map((e) => [e.action, e.details])).toEqual(
      targets.map(() => [
        'user.security_updated',
        { changes: { mfa_enrolled: { from: 0, to: 1 }, mfa_required_by_other: { from: 0, to: 1 } } },
      ]),
    );
    // As on the tab: the account must set MFA up before it can do anything else.
    const session = await quickSession(t, targets[0]!);
    expect(errorOf(await session.request({ method: 'GET', url: '/api/v1/users' })).code).toBe(
      'mfa_enrollment_required',
    );
  });

  it('one refused account changes nothing, and every refused one is named with its reason', async () => {
    const targets = await users(2);
    const sso = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    await t.db
      .updateTable('users')
      .set({ user_type: 'sso', sso_provider: 'Okta', password_hash: null })
      .where('id', '=', sso.id)
      .execute();
    const before = await stateSnapshot(t);

    const disable = await bulk(adminCaller, { action: 'disable', userIds: [targets[0]!.id, admin.id, targets[1]!.id] });
    expect(disable.statusCode).toBe(409);
    expect(disable.json()).toEqual({
      error: {
        code: 'bulk_refused',
        message: '1 account of 3 refused, so nothing was changed.',
        items: [
          {
            id: admin.id,
            email: admin.email,
            code: 'cannot_disable_self',
            message: 'You cannot disable your own account.',
          },
        ],
        requestId: expect.any(String),
      },
    });

    const mfa = await bulk(adminCaller, { action: 'requireMfa', userIds: [sso.id, 'no-such-account', targets[0]!.id] });
    expect(mfa.statusCode).toBe(409);
    expect(errorOf(mfa).message).toBe('2 accounts of 3 refused, so nothing was changed.');
    expect(mfa.json<{ error: { items: unknown[] } }>().error.items).toEqual([
      { id: sso.id, email: sso.email, code: 'sso_account', message: expect.stringContaining('identity provider') },
      { id: 'no-such-account', email: null, code: 'not_found', message: 'No account with this ID.' },
    ]);

    const remove = await bulkDelete(adminCaller, [targets[0]!.id, admin.id]);
    expect(remove.statusCode).toBe(409);
    expect(remove.json<{ error: { items: unknown[] } }>().error.items).toEqual([
      { id: admin.id, email: admin.email, code: 'cannot_delete_self', message: 'You cannot delete your own account.' },
    ]);
    expect(await stateSnapshot(t)).toEqual(before);
  });

  it("applies the single action's rules per account: a user manager may not touch an Administrator", async () => {
    const regular = SYSTEM_GROUPS.find((group) => group.id === SYSTEM_GROUP_IDS.regularUser)!.permissions;
    const managers = await createCustomGroup(t, [...regular, 'users_groups:view', 'users_groups:update']);
    const manager = await quickUser(t, managers);
    const caller = await quickSession(t, manager);
    const [target] = await users(1);
    const otherAdmin = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    const before = await stateSnapshot(t);
    const response = await bulk(caller, { action: 'disable', userIds: [target!.id, otherAdmin.id] });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: { items: { id: string; code: string }[] } }>().error.items).toMatchObject([
      { id: otherAdmin.id, code: 'administrator_protected' },
    ]);
    // A group with rights the caller lacks is refused for the whole request, as the single action refuses it.
    const promote = await bulk(caller, {
      action: 'changeSecurityGroup',
      userIds: [target!.id],
      securityGroupId: SYSTEM_GROUP_IDS.administrator,
    });
    expect(promote.statusCode).toBe(403);
    expect(errorOf(promote).code).toBe('group_exceeds_own_rights');
    expect(await stateSnapshot(t)).toEqual(before);
  });

  it("is refused at the gate without the single action's permission", async () => {
    const [target] = await users(1);
    const readOnly = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser));
    const noDelete = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.regularUserNoDelete));
    const before = await stateSnapshot(t);
    expect(errorOf(await bulk(readOnly, { action: 'disable', userIds: [target!.id] })).code).toBe('forbidden');
    expect((await bulkDelete(readOnly, [target!.id])).statusCode).toBe(403);
    expect((await bulkDelete(noDelete, [target!.id])).statusCode).toBe(403);
    expect(await stateSnapshot(t)).toEqual(before);
  });

  it('answers bad input with a 400 naming the field, and changes nothing', async () => {
    const [target] = await users(1);
    const id = target!.id;
    const before = await stateSnapshot(t);
    const cases: [object, string][] = [
      [{ action: 'disable', userIds: [] }, 'userIds'],
      [{ action: 'disable', userIds: [id, id] }, 'userIds'],
      [{ action: 'disable', userIds: Array.from({ length: 501 }, (_, i) => `id-${i}`) }, 'userIds'],
      [{ action: 'disable' }, 'userIds'],
      [{ action: 'explode', userIds: [id] }, 'action'],
      [{ action: 'changeSecurityGroup', userIds: [id] }, 'securityGroupId'],
      [{ action: 'enable', userIds: [id], securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser }, 'securityGroupId'],
      [{ action: 'changeSecurityGroup', userIds: [id], securityGroupId: 'no-such-group' }, 'securityGroupId'],
      [{ action: 'disable', userIds: [id], extra: 1 }, 'extra'],
      [{ action: 'disable', userIds: [42] }, 'userIds.0'],
    ];
    for (const [payload, field] of cases) {
      const response = await bulk(adminCaller, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(errorOf(response).fields?.[field], `${JSON.stringify(payload)}: ${response.body}`).toBeTruthy();
    }
    const duplicates = await bulkDelete(adminCaller, [id, id]);
    expect(errorOf(duplicates).fields?.userIds).toBe('Each account may be listed only once.');
    expect(await stateSnapshot(t)).toEqual(before);
  });
});

describe('POST /api/v1/users/bulk-delete', () => {
  it('deletes every account, each audited as the single delete', async () => {
    const targets = await users(3);
    const since = await lastAuditId(t);
    const response = await bulkDelete(
      adminCaller,
      targets.map((u) => u.id),
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ deleted: 3 });
    for (const user of targets) expect(await row(user.id)).toBeUndefined();
    expect((await auditSince(t, since)).map((e) => [e.action, e.target_email, e.details]).sort()).toEqual(
      targets
        .map((user) => [
          'user.deleted',
          user.email,
          { securityGroup: SYSTEM_GROUP_IDS.regularUser, userType: 'native' },
        ])
        .sort(),
    );
  });
});

describe('POST /api/v1/users/export.csv (Export selected)', () => {
  it("exports just the accounts given, with the export's columns and formula guard", async () => {
    const [plain, formula] = await users(2);
    await t.db.updateTable('users').set({ first_name: '=HYPERLINK("x")' }).where('id', '=', formula!.id).execute();
    const response = await adminCaller.request({
      method: 'POST',
      url: '/api/v1/users/export.csv',
      payload: { userIds: [formula!.id, plain!.id, 'gone-meanwhile'] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const lines = response.body.trim().split('\r\n');
    expect(lines[0]).toBe(
      'Email,First Name,Last Name,Title,Telephone,Security Group,Functional Group,Account Status,MFA,User Type,Last Login (ISO 8601 UTC),Timeout',
    );
    expect(lines).toHaveLength(3);
    expect(
      lines
        .slice(1)
        .map((line) => line.split(',')[0])
        .sort(),
    ).toEqual([plain!.email, formula!.email].sort());
    expect(response.body).toContain(`"'=HYPERLINK(""x"")"`);
    const readOnly = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser));
    const refused = await readOnly.request({
      method: 'POST',
      url: '/api/v1/users/export.csv',
      payload: { userIds: [plain!.id] },
    });
    expect(refused.statusCode).toBe(403);
  });
});
