/**
 * Log retention: the Administrator's setting (days of login history and system events to keep, or
 * forever) and its enforcement. The setting validates and is refused to everyone else with nothing
 * changed; a run deletes exactly the entries older than the limit, in bounded batches, records one
 * entry saying so, never the entry recording the change, and is harmless when run twice at once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isoFromMs, nowMs } from '../../src/server/clock.js';
import { enforceLogRetention, scheduleLogRetention } from '../../src/server/services/log-retention.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import {
  auditSince,
  errorOf,
  giveApiToken,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
} from '../helpers/fixtures.js';
import { anotherNode, createTestApp, tokenCaller, type Caller, type TestApp } from '../helpers/test-app.js';

const DAY = 24 * 60 * 60 * 1000;

let t: TestApp;
let administrator: Caller;

beforeAll(async () => {
  t = await createTestApp();
  const admin = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
  administrator = tokenCaller(t, await giveApiToken(t, admin.id));
});
afterAll(async () => t?.close());
afterEach(async () => {
  await t.db.updateTable('installation_settings').set({ log_retention_days: null }).execute();
});

const setRetention = (caller: Caller, days: unknown) =>
  caller.request({ method: 'PATCH', url: '/api/v1/settings', payload: { logRetentionDays: days } });

async function storedRetention(): Promise<number | null> {
  const row = await t.db.selectFrom('installation_settings').select('log_retention_days').executeTakeFirstOrThrow();
  return row.log_retention_days;
}

/** `count` entries in each log, `daysAgo` days before now (a second apart), tagged for finding them again. */
async function insertEntries(count: number, daysAgo: number, tag: string): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => isoFromMs(nowMs() - daysAgo * DAY - i * 1000));
  await t.db
    .insertInto('audit_events')
    .values(
      rows.map((occurredAt) => ({
        occurred_at: occurredAt,
        actor_user_id: null,
        actor_email: `${tag}@example.test`,
        actor_group_name: null,
        target_user_id: null,
        target_email: null,
        action: 'user.updated',
        details: '{}',
        ip: null,
      })),
    )
    .execute();
  await t.db
    .insertInto('login_history')
    .values(
      rows.map((occurredAt) => ({
        occurred_at: occurredAt,
        user_id: null,
        email: `${tag}@example.test`,
        success: 1,
        reason: null,
        method: 'password',
        ip: '192.0.2.7',
        user_agent: 'retention-test',
      })),
    )
    .execute();
}

async function counts(tag: string): Promise<{ audit: number; logins: number }> {
  const email = `${tag}@example.test`;
  const audit = await t.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('actor_email', '=', email)
    .executeTakeFirstOrThrow();
  const logins = await t.db
    .selectFrom('login_history')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return { audit: Number(audit.n), logins: Number(logins.n) };
}

describe('the setting', () => {
  it('keeps the logs forever by default, and shows so to every signed-in account', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const response = await (await quickSession(t, user)).request({ method: 'GET', url: '/api/v1/settings' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ logRetentionDays: null });
  });

  it('an Administrator sets it in days and back to forever, each change audited from → to', async () => {
    const before = await lastAuditId(t);
    const set = await setRetention(administrator, 90);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ logRetentionDays: 90 });
    expect(await storedRetention()).toBe(90);
    const forever = await setRetention(administrator, null);
    expect(forever.statusCode, forever.body).toBe(200);
    expect(forever.json()).toMatchObject({ logRetentionDays: null });
    expect(await storedRetention()).toBeNull();

    const entries = await auditSince(t, before);
    expect(entries.map((entry) => [entry.action, entry.details])).toEqual([
      ['settings.updated', { changes: { logRetentionDays: { from: null, to: 90 } } }],
      ['settings.updated', { changes: { logRetentionDays: { from: 90, to: null } } }],
    ]);
    expect(entries[0]!.actor_user_id).not.toBeNull();
  });

  it.each([0, 6, 3651, 30.5, -30, '30', 'forever', true])(
    'refuses %j with a 400 naming the field, changing nothing',
    async (days) => {
      const before = await stateSnapshot(t);
      const response = await setRetention(administrator, days);
      expect(response.statusCode, response.body).toBe(400);
      expect(errorOf(response).fields?.logRetentionDays).toMatch(/Log retention/);
      expect(await stateSnapshot(t)).toEqual(before);
    },
  );

  it('accepts the bounds, a week and ten years', async () => {
    expect((await setRetention(administrator, 7)).statusCode).toBe(200);
    expect((await setRetention(administrator, 3650)).statusCode).toBe(200);
    expect(await storedRetention()).toBe(3650);
  });

  it.each([
    ['Regular User', SYSTEM_GROUP_IDS.regularUser],
    ['Read Only User', SYSTEM_GROUP_IDS.readOnlyUser],
    ['Orchestration User', SYSTEM_GROUP_IDS.orchestrationUser],
  ])('a %s is refused with 403 and nothing changes', async (_name, groupId) => {
    const user = await quickUser(t, groupId);
    const caller = await quickSession(t, user);
    const before = await stateSnapshot(t);
    const response = await setRetention(caller, 7);
    expect(response.statusCode, response.body).toBe(403);
    expect(await stateSnapshot(t)).toEqual(before);
    expect(await storedRetention()).toBeNull();
  });
});

describe('enforcement', () => {
  it('does nothing while the logs are kept forever', async () => {
    await insertEntries(3, 400, 'forever-kept');
    expect(await enforceLogRetention(t.db)).toBeNull();
    expect(await counts('forever-kept')).toEqual({ audit: 3, logins: 3 });
  });

  it('deletes entries older than the limit in bounded batches, keeps newer ones, and records the run once', async () => {
    await insertEntries(11, 45, 'old');
    await insertEntries(4, 29, 'recent');
    const set = await setRetention(administrator, 30);
    expect(set.statusCode, set.body).toBe(200);
    const before = await lastAuditId(t);

    const batches: number[] = [];
    const run = await enforceLogRetention(t.db, { batchSize: 4, pauseMs: 0, onBatch: (_table, n) => batches.push(n) });
    expect(run).toMatchObject({ retentionDays: 30 });
    // Earlier tests' entries (400 days old) go too; at least the 11 of each log inserted here.
    expect(run!.auditEventsRemoved).toBeGreaterThanOrEqual(11);
    expect(run!.loginAttemptsRemoved).toBeGreaterThanOrEqual(11);
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
    expect(batches.length).toBeGreaterThanOrEqual(6);

    expect(await counts('old')).toEqual({ audit: 0, logins: 0 });
    expect(await counts('recent')).toEqual({ audit: 4, logins: 4 });
    // The entry recording the change survives; the run is recorded once, with what it removed.
    const entries = await auditSince(t, before - 1);
    expect(entries.map((entry) => entry.action)).toEqual(['settings.updated', 'logs.retention_applied']);
    expect(entries[1]!.details).toEqual({
      retentionDays: 30,
      olderThan: run!.olderThan,
      auditEventsRemoved: run!.auditEventsRemoved,
      loginAttemptsRemoved: run!.loginAttemptsRemoved,
    });
    expect(entries[1]!.actor_user_id).toBeNull();

    // Nothing left to delete: the next run removes nothing and records nothing.
    const again = await enforceLogRetention(t.db, { batchSize: 4, pauseMs: 0 });
    expect(again).toMatchObject({ auditEventsRemoved: 0, loginAttemptsRemoved: 0 });
    expect(await lastAuditId(t)).toBe(entries[1]!.id);
  });

  it('two nodes running at once remove every old entry once between them, without errors', async () => {
    await insertEntries(25, 60, 'concurrent');
    await insertEntries(2, 1, 'concurrent-new');
    await t.db.updateTable('installation_settings').set({ log_retention_days: 30 }).execute();
    // PostgreSQL: a second node with its own connections. SQLite is one node: two runs in it at once.
    const other = t.postgresSchema ? await anotherNode(t) : { db: t.db, close: async () => {} };
    try {
      const [a, b] = await Promise.all([
        enforceLogRetention(t.db, { batchSize: 5, pauseMs: 1 }),
        enforceLogRetention(other.db, { batchSize: 5, pauseMs: 1 }),
      ]);
      expect(a!.auditEventsRemoved + b!.auditEventsRemoved).toBe(25);
      expect(a!.loginAttemptsRemoved + b!.loginAttemptsRemoved).toBe(25);
    } finally {
      await other.close();
    }
    expect(await counts('concurrent')).toEqual({ audit: 0, logins: 0 });
    expect(await counts('concurrent-new')).toEqual({ audit: 2, logins: 2 });
  });

  it('runs on its schedule shortly after start, and stopping waits for the run under way', async () => {
    await insertEntries(3, 50, 'scheduled');
    await t.db.updateTable('installation_settings').set({ log_retention_days: 30 }).execute();
    const ran = new Promise<unknown>((resolve, reject) => {
      const schedule = scheduleLogRetention(t.db, {
        firstDelayMs: 0,
        intervalMs: 60_000,
        pauseMs: 0,
        onRun: (run) => void schedule.stop().then(() => resolve(run)),
        onError: reject,
      });
    });
    expect(await ran).toMatchObject({ auditEventsRemoved: 3, loginAttemptsRemoved: 3 });
    expect(await counts('scheduled')).toEqual({ audit: 0, logins: 0 });
  });
});
