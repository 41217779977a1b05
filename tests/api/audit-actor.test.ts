/**
 * A password reset by a user manager was logged `"by":"administrator"`. Every
 * audit entry now names the real actor and the security group it acted with, in the database, the
 * System Events API and its CSV export. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULES, SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { auditSince, lastAuditId, quickSession, quickUser } from '../helpers/fixtures.js';
import { challengeFor, giveTotpFactor, mfaStep } from '../helpers/mfa-fixtures.js';
import { createTestApp, type Caller, type TestApp } from '../helpers/test-app.js';
import { parse } from 'csv-parse/sync';

const NEW_PASSWORD = 'reset by a user manager 2026';

let t: TestApp;
let admin: Caller;

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
});
afterAll(async () => t?.close());

describe('the actor of an audit entry', () => {
  it("a user manager's password reset names the manager and its group, never `administrator`", async () => {
    const created = await admin.request({
      method: 'POST',
      url: '/api/v1/security-groups',
      payload: {
        name: 'Help Desk',
        description: 'Resets passwords',
        permissions: [
          ...MODULES.users_groups.verbs.map((verb) => `users_groups:${verb}`),
          'records:view',
          'reports:view',
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const manager = await quickUser(t, created.json().id as string);
    const managerCaller = await quickSession(t, manager);
    const target = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const since = await lastAuditId(t);

    const reset = await managerCaller.request({
      method: 'PATCH',
      url: `/api/v1/users/${target.id}/security`,
      payload: { resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD } },
    });
    expect(reset.statusCode, reset.body).toBe(200);

    const [entry] = await auditSince(t, since);
    expect(entry).toMatchObject({
      action: 'user.password_reset',
      actor_user_id: manager.id,
      actor_email: manager.email,
      actor_group_name: 'Help Desk',
      target_user_id: target.id,
    });
    expect(entry!.details.by).toBe('Help Desk');

    const logged = await admin.request({
      method: 'GET',
      url: '/api/v1/logs/audit',
      query: { target: target.email, action: 'user.password_reset' },
    });
    expect(logged.json().events[0]).toMatchObject({ actorEmail: manager.email, actorGroup: 'Help Desk' });
    const csv = await admin.request({
      method: 'GET',
      url: '/api/v1/logs/audit/export.csv',
      query: { target: target.email, action: 'user.password_reset' },
    });
    const [header, row] = parse(csv.body, { bom: true }) as string[][];
    const cell = (name: string) => row![header!.indexOf(name)];
    expect([cell('Actor'), cell('Actor Group'), cell('Target'), cell('Action Code')]).toEqual([
      manager.email,
      'Help Desk',
      target.email,
      'user.password_reset',
    ]);
  });

  it("an Administrator's reset says the group's name; your own says self", async () => {
    const target = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const since = await lastAuditId(t);
    await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${target.id}/security`,
      payload: { resetPassword: { newPassword: NEW_PASSWORD, confirmNewPassword: NEW_PASSWORD } },
    });
    const [entry] = await auditSince(t, since);
    expect(entry).toMatchObject({ actor_group_name: 'Administrator', details: { by: 'Administrator' } });
  });

  it('a sign-in with a recovery code (no session yet) names the account and its group', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.orchestrationUser);
    const { recoveryCodes } = await giveTotpFactor(t, user.id);
    const since = await lastAuditId(t);
    const signedIn = await mfaStep(t, {
      challenge: await challengeFor(t, user.email),
      recoveryCode: recoveryCodes[0]!,
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const entry = (await auditSince(t, since)).find((e) => e.action === 'mfa.recovery_code_used');
    expect(entry).toMatchObject({ actor_user_id: user.id, actor_group_name: 'Orchestration User' });
  });

  it('no entry with an actor lacks its group', async () => {
    const missing = await t.db
      .selectFrom('audit_events')
      .select(['action'])
      .where('actor_user_id', 'is not', null)
      .where('actor_group_name', 'is', null)
      .execute();
    expect(missing).toEqual([]);
  });
});
