/**
 * resetPassword, the service behind `latchkey reset-password`, with a signed-in actor: the paths
 * the Password & Security tab will use (the CLI's actor-less path is covered in cli.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor } from '../../src/server/auth/authenticate.js';
import type { Actor } from '../../src/server/auth/actor.js';
import { verifyPassword } from '../../src/server/security/password-hashing.js';
import { hashSecret } from '../../src/server/security/secrets.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { createTestApp, makeUser, signIn, type TestApp } from '../helpers/test-app.js';
import { resetPassword } from '../../src/server/services/passwords.js';
import { getUser } from '../../src/server/services/users.js';

const NEW_PASSWORD = 'a brand new passphrase 77';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function actorOf(userId: string, sessionIdHash: string | null = null): Promise<Actor> {
  return actorFor(t.db, await getUser(t.db, userId), 'session', sessionIdHash);
}

function sessionHashOf(cookie: string | null): string {
  return hashSecret(cookie!.split('=').slice(1).join('='));
}

async function sessionHashes(userId: string): Promise<string[]> {
  const rows = await t.db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute();
  return rows.map((r) => r.id_hash).sort();
}

describe('resetPassword', () => {
  it('keeps only the session it is told to keep when you reset your own password', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const here = await signIn(t, user.email);
    await signIn(t, user.email);
    const keep = sessionHashOf(here.cookie);

    const { sessionsEnded } = await resetPassword(
      t.db,
      { actor: await actorOf(user.id, keep), ip: '10.0.0.1' },
      user.id,
      NEW_PASSWORD,
      { keepSessionIdHash: keep },
    );
    expect(sessionsEnded).toBe(1);
    expect(await sessionHashes(user.id)).toEqual([keep]);
    const row = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(row.password_hash, NEW_PASSWORD)).toBe(true);
    const audit = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('target_user_id', '=', user.id)
      .where('action', '=', 'user.password_reset')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_user_id: user.id, ip: '10.0.0.1' });
    expect(JSON.parse(audit.details)).toEqual({ by: 'self', sessionsEnded: 1 });
  });

  it('lets an Administrator require a change at next login, and records it', async () => {
    const admin = await makeUser(t, SYSTEM_GROUP_IDS.administrator);
    const user = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    await resetPassword(t.db, { actor: await actorOf(admin.id), ip: '10.0.0.2' }, user.id, NEW_PASSWORD, {
      mustChangePassword: true,
    });
    const row = await t.db
      .selectFrom('users')
      .select('must_change_password')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(1);
    const audit = await t.db
      .selectFrom('audit_events')
      .select('details')
      .where('target_user_id', '=', user.id)
      .where('action', '=', 'user.password_reset')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details)).toEqual({ by: 'Administrator', sessionsEnded: 0, mustChangePassword: true });
  });

  it('refuses, and changes nothing, when someone below Administrator resets an Administrator or forces a change', async () => {
    const admin = await makeUser(t, SYSTEM_GROUP_IDS.administrator);
    const regular = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    const other = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const actor = await actorOf(regular.id);

    await expect(resetPassword(t.db, { actor, ip: 'x' }, admin.id, NEW_PASSWORD)).rejects.toMatchObject({
      code: 'administrator_protected',
    });
    await expect(
      resetPassword(t.db, { actor, ip: 'x' }, other.id, NEW_PASSWORD, { mustChangePassword: true }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    for (const user of [admin, other]) {
      const row = await t.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect(row.password_hash).toBe(user.password_hash);
    }
  });

  it('reports a refused password on the newPassword field', async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.regularUser);
    await expect(resetPassword(t.db, { actor: null, ip: 'cli' }, user.id, 'short')).rejects.toMatchObject({
      code: 'validation_failed',
      fields: { newPassword: 'Password must be at least 12 characters.' },
    });
  });
});
