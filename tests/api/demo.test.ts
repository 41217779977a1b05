/**
 * `npm run demo` loads a lived-in installation (services/demo.ts): people in every group and a
 * custom one, the SSO account's (disabled) identity provider, records, tasks in every status and
 * log history — once; a second start finds it all again and only gives the people a new password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COUNTS, seedDemoData } from '../../src/server/services/demo.js';
import { verifyPassword } from '../../src/server/security/password-hashing.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const count = async (table: 'records' | 'tasks' | 'login_history' | 'audit_events' | 'users') =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('seedDemoData', () => {
  let password: string;
  it('makes a lived-in installation quickly', async () => {
    const started = performance.now();
    password = await seedDemoData(t.db);
    expect(performance.now() - started).toBeLessThan(3000);

    const users = await t.db.selectFrom('users').selectAll().where('email', 'like', '%@demo.latchkey.test').execute();
    const groups = new Set(users.map((user) => user.security_group_id));
    for (const id of Object.values(SYSTEM_GROUP_IDS)) expect(groups).toContain(id);
    const custom = await t.db.selectFrom('security_groups').selectAll().where('name', '=', 'Service Desk').execute();
    expect(custom).toHaveLength(1);
    expect(custom[0]!.is_system).toBe(0);
    expect(users.filter((user) => user.security_group_id === custom[0]!.id).length).toBeGreaterThan(0);
    expect(users.some((user) => user.status === 'disabled')).toBe(true);
    const admin = users.find((user) => user.email === 'admin@demo.latchkey.test')!;
    expect(await verifyPassword(admin.password_hash, password)).toBe(true);

    const sso = users.find((user) => user.user_type === 'sso')!;
    const provider = await t.db
      .selectFrom('identity_providers')
      .selectAll()
      .where('name', '=', sso.sso_provider!)
      .executeTakeFirstOrThrow();
    expect(provider.enabled).toBe(0);
    const identity = await t.db.selectFrom('sso_identities').selectAll().where('user_id', '=', sso.id).execute();
    expect(identity).toEqual([expect.objectContaining({ provider_id: provider.id })]);

    expect(await count('records')).toBe(DEMO_COUNTS.records);
    const statuses = await t.db.selectFrom('tasks').select('status').distinct().execute();
    expect(statuses.map((row) => row.status).sort()).toEqual([
      'cancelled',
      'complete',
      'failed',
      'in_progress',
      'not_started',
    ]);
    // Every task's assignee and record exist (the generators made them about the demo's people and records).
    const orphans = await t.db
      .selectFrom('tasks as k')
      .leftJoin('users as u', 'u.id', 'k.assignee_user_id')
      .select('k.id')
      .where('k.assignee_user_id', 'is not', null)
      .where('u.id', 'is', null)
      .execute();
    expect(orphans).toEqual([]);
    expect(await count('login_history')).toBeGreaterThan(100);
    const actions = await t.db.selectFrom('audit_events').select('action').distinct().execute();
    expect(actions.length).toBeGreaterThan(8);
    expect(actions.map((row) => row.action)).toContain('demo.loaded');
  });

  it('a second start finds everything again: nothing twice, a new password', async () => {
    const before = {
      users: await count('users'),
      records: await count('records'),
      tasks: await count('tasks'),
      logins: await count('login_history'),
    };
    const again = await seedDemoData(t.db);
    expect(again).not.toBe(password);
    expect({
      users: await count('users'),
      records: await count('records'),
      tasks: await count('tasks'),
      logins: await count('login_history'),
    }).toEqual(before);
    const groups = await t.db.selectFrom('security_groups').select('id').where('name', '=', 'Service Desk').execute();
    expect(groups).toHaveLength(1);
    const admin = await t.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'admin@demo.latchkey.test')
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(admin.password_hash, again)).toBe(true);
  });
});
