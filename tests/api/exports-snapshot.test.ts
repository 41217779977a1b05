/**
 * The records, tasks and logs exports read one snapshot: rows deleted, added or moved (a changed
 * sort value) while an export runs neither repeat nor go missing; the export returns each row that
 * was there when it started exactly once. Each export is longer than one batch (SNAPSHOT_BATCH_SIZE rows), and
 * the rows change between its first batch and the rest.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRecords } from '../../src/server/services/records.js';
import { exportTaskBatches } from '../../src/server/services/task-list.js';
import { exportAuditEventBatches, exportLoginAttemptBatches } from '../../src/server/services/logs.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { SNAPSHOT_BATCH_SIZE } from '../../src/server/db/snapshot-stream.js';
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js';
import type { Actor } from '../../src/server/auth/actor.js';

let t: TestApp;
const ROWS = 1500;
const NOW = '2030-01-01T00:00:00.000Z';

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

type Table = 'records' | 'tasks' | 'audit_events' | 'login_history';

/** Inserts `count` rows made by `row(i)` into `table`, 250 at a time. */
async function insertMany(table: Table, count: number, row: (i: number) => object) {
  for (let i = 0; i < count; i += 250)
    await t.db
      .insertInto(table)
      .values(Array.from({ length: Math.min(250, count - i) }, (_, j) => row(i + j)) as never)
      .execute();
}

/**
 * Reads the first batch, lets `change` (told what the export has not reached yet) change the
 * rows on the app's own connection, then reads the rest.
 */
async function exportWhileChanging<R>(
  batches: AsyncGenerator<R[]>,
  idOf: (row: R) => string,
  change: (notYetExported: (all: string[]) => string[]) => Promise<void>,
): Promise<string[]> {
  const exported: string[] = [];
  const first = await batches.next();
  exported.push(...(first.value as R[]).map(idOf));
  expect(exported.length).toBe(SNAPSHOT_BATCH_SIZE);
  await change((all) => all.filter((id) => !exported.includes(id)));
  for await (const batch of batches) exported.push(...batch.map(idOf));
  return exported;
}

const padded = (i: number) => String(i).padStart(5, '0');

function record(i: number, prefix = 'snap') {
  const name = `${prefix}-${padded(i)}`;
  return {
    id: randomUUID(),
    type_id: 'computer',
    name,
    name_normalized: name,
    owner: '',
    properties: JSON.stringify({ Serial: `S${i}` }),
    created_by_user_id: null,
    created_at: NOW,
    updated_at: NOW,
  };
}

function task(i: number, prefix = 'snap') {
  const title = `${prefix} ${padded(i)}`;
  return {
    id: randomUUID(),
    title,
    title_normalized: title,
    record_id: null,
    status: 'failed' as const,
    assignee_user_id: null,
    due_date: null,
    created_by_user_id: null,
    created_at: NOW,
    updated_at: NOW,
    started_at: NOW,
    finished_at: NOW,
  };
}

describe('exports read one snapshot while rows change', () => {
  it('records: each record there at the start exactly once, and the header from the same snapshot', async () => {
    await insertMany('records', ROWS, (i) => record(i));
    const atStart = (await t.db.selectFrom('records').select('name').execute()).map((r) => r.name).sort();
    const { batches, propertyKeys } = exportRecords(t.db, { sort: 'name', order: 'asc' });
    const exported = await exportWhileChanging(
      batches,
      (r) => r.name,
      async (later) => {
        const rest = later(atStart);
        await t.db.deleteFrom('records').where('name', 'in', rest.slice(0, 5)).execute();
        await insertMany('records', 30, (i) => record(i, 'aaa'));
        await insertMany('records', 30, (i) => ({
          ...record(i, 'zzz'),
          properties: JSON.stringify({ Added: 'later' }),
        }));
        // Renamed from after the export's position to before it.
        for (const name of rest.slice(10, 15))
          await t.db
            .updateTable('records')
            .set({ name: `0-${name}`, name_normalized: `0-${name}` })
            .where('name', '=', name)
            .execute();
      },
    );
    expect(exported.length).toBe(atStart.length);
    expect([...exported].sort()).toEqual(atStart);
    // A property first used after the export started is no column of it.
    expect(propertyKeys()).toEqual(['Serial']);
  });

  it('tasks: each task there at the start exactly once, filtered and sorted as asked', async () => {
    await insertMany('tasks', ROWS, (i) => task(i));
    const { user } = await signInAs(t, SYSTEM_GROUP_IDS.administrator);
    const actor = { user } as Actor;
    const atStart = (await t.db.selectFrom('tasks').select('title').where('status', '=', 'failed').execute())
      .map((r) => r.title)
      .sort();
    const batches = exportTaskBatches(t.db, actor, { sort: 'title', order: 'asc', status: ['failed'] });
    const exported = await exportWhileChanging(
      batches,
      (r) => r.title,
      async (later) => {
        const rest = later(atStart);
        await t.db.deleteFrom('tasks').where('title', 'in', rest.slice(0, 5)).execute();
        await insertMany('tasks', 30, (i) => task(i, 'aaa'));
        await insertMany('tasks', 30, (i) => task(i, 'zzz'));
        for (const title of rest.slice(10, 15))
          await t.db
            .updateTable('tasks')
            .set({ title: `0 ${title}`, title_normalized: `0 ${title}` })
            .where('title', '=', title)
            .execute();
        // Out of the filter, then back: still exported once, as it was.
        await t.db.updateTable('tasks').set({ status: 'complete' }).where('title', 'in', rest.slice(20, 25)).execute();
      },
    );
    expect(exported.length).toBe(atStart.length);
    expect([...exported].sort()).toEqual(atStart);
  });

  it('system events and login history: each entry there at the start exactly once', async () => {
    const hour = (i: number) => new Date(Date.UTC(2001, 0, 1) + i * 60_000).toISOString();
    const audit = (i: number, at = hour(i)) => ({
      occurred_at: at,
      actor_user_id: null,
      actor_email: 'snap@example.test',
      actor_group_name: 'Auditors',
      target_user_id: null,
      target_email: null,
      action: 'user.updated',
      details: JSON.stringify({ i }),
      ip: '192.0.2.1',
    });
    const login = (i: number, at = hour(i)) => ({
      occurred_at: at,
      user_id: null,
      email: 'snap@example.test',
      success: 1,
      reason: null,
      method: 'password',
      ip: '192.0.2.2',
      user_agent: 'snap',
    });
    await insertMany('audit_events', ROWS, (i) => audit(i));
    await insertMany('login_history', ROWS, (i) => login(i));
    const filter = { actor: 'SNAP@example.test', from: hour(0), to: hour(ROWS) };
    const auditAtStart = (
      await t.db.selectFrom('audit_events').select('id').where('actor_email', '=', 'snap@example.test').execute()
    ).map((r) => String(r.id));
    const audited = await exportWhileChanging(
      exportAuditEventBatches(t.db, filter),
      (r) => String(r.id),
      async (later) => {
        // Oldest entries (not reached yet: newest first) deleted, as retention does; new ones written.
        await t.db.deleteFrom('audit_events').where('id', 'in', later(auditAtStart).slice(-5).map(Number)).execute();
        await insertMany('audit_events', 30, (i) => audit(i, hour(5)));
      },
    );
    expect(audited.length).toBe(ROWS);
    expect([...audited].sort()).toEqual([...auditAtStart].sort());

    const loginsAtStart = (
      await t.db.selectFrom('login_history').select('id').where('email', '=', 'snap@example.test').execute()
    ).map((r) => String(r.id));
    const logged = await exportWhileChanging(
      exportLoginAttemptBatches(t.db, { email: 'snap@example.test', from: hour(0), to: hour(ROWS) }),
      (r) => String(r.id),
      async (later) => {
        await t.db.deleteFrom('login_history').where('id', 'in', later(loginsAtStart).slice(-5).map(Number)).execute();
        await insertMany('login_history', 30, (i) => login(i, hour(5)));
      },
    );
    expect(logged.length).toBe(ROWS);
    expect([...logged].sort()).toEqual([...loginsAtStart].sort());
  });
});
