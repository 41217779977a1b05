/**
 * Reports: record counts by type and task counts by status, as JSON and as CSV. Rows are written
 * straight into the tables (the Records and Tasks APIs have their own tests), so every count here
 * is known exactly; zero rows still show, and each new row moves its count at once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportSummary } from '../../src/shared/schemas/reports.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import type { TaskStatus } from '../../src/server/db/schema.js';
import { errorOf, quickSession, quickUser } from '../helpers/fixtures.js';
import { createTestApp, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;
let reader: Caller;

async function addRecords(typeId: string, count: number): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const name = `${typeId}-${randomUUID()}`;
    await t.db
      .insertInto('records')
      .values({
        id: randomUUID(),
        type_id: typeId,
        name,
        name_normalized: name,
        owner: '',
        properties: '{}',
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
}

async function addTasks(status: TaskStatus, count: number): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    await t.db
      .insertInto('tasks')
      .values({ id: randomUUID(), title: 'Task', title_normalized: 'task', status, created_at: now, updated_at: now })
      .execute();
  }
}

async function summary(caller: Caller = admin): Promise<ReportSummary> {
  const response = await caller.request({ method: 'GET', url: '/api/v1/reports/summary' });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ReportSummary>();
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
  reader = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser));
});
afterAll(async () => t?.close());

describe('GET /api/v1/reports/summary', () => {
  it('lists every record type and every task status, with zero counts, before any data exists', async () => {
    const report = await summary();
    expect(report.recordsByType).toEqual([
      { typeId: 'application', typeName: 'Application', count: 0 },
      { typeId: 'computer', typeName: 'Computer', count: 0 },
      { typeId: 'user', typeName: 'User', count: 0 },
    ]);
    expect(report.tasksByStatus).toEqual([
      { status: 'not_started', label: 'Not Started', count: 0 },
      { status: 'in_progress', label: 'In Progress', count: 0 },
      { status: 'complete', label: 'Complete', count: 0 },
      { status: 'cancelled', label: 'Cancelled', count: 0 },
      { status: 'failed', label: 'Failed', count: 0 },
    ]);
    expect(Date.parse(report.generatedAt)).not.toBeNaN();
  });

  it('counts records by type, including a type an Administrator added', async () => {
    await t.db
      .insertInto('record_types')
      .values({
        id: 'printer',
        name: 'Printer',
        name_normalized: 'printer',
        is_builtin: 0,
        created_at: '2026-01-01T00:00:00.000Z',
      })
      .execute();
    await addRecords('computer', 3);
    await addRecords('printer', 2);
    const counts = Object.fromEntries((await summary()).recordsByType.map((row) => [row.typeName, row.count]));
    expect(counts).toEqual({ Application: 0, Computer: 3, Printer: 2, User: 0 });
  });

  it('counts tasks by status, and a status change moves the count at once', async () => {
    await addTasks('not_started', 2);
    await addTasks('in_progress', 1);
    await addTasks('failed', 4);
    const counts = () =>
      summary().then((report) => Object.fromEntries(report.tasksByStatus.map((row) => [row.status, row.count])));
    expect(await counts()).toEqual({ not_started: 2, in_progress: 1, complete: 0, cancelled: 0, failed: 4 });
    await t.db.updateTable('tasks').set({ status: 'complete' }).where('status', '=', 'in_progress').execute();
    expect(await counts()).toEqual({ not_started: 2, in_progress: 0, complete: 1, cancelled: 0, failed: 4 });
  });

  it('is open to a Read Only User (reports:view), who reads the same numbers', async () => {
    expect((await summary(reader)).recordsByType).toEqual((await summary(admin)).recordsByType);
  });
});

describe('GET /api/v1/reports/:report/export.csv', () => {
  it('downloads records by type as CSV', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/reports/records-by-type/export.csv' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="latchkey-records-by-type-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(response.body).toBe('Record Type,Records\r\nApplication,0\r\nComputer,3\r\nPrinter,2\r\nUser,0\r\n');
  });

  it('downloads tasks by status as CSV, in the order a task moves', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/reports/tasks-by-status/export.csv' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(
      'Status,Tasks\r\nNot Started,2\r\nIn Progress,0\r\nComplete,1\r\nCancelled,0\r\nFailed,4\r\n',
    );
  });

  it('answers an unknown report with 400, naming the reports that exist', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/reports/salaries/export.csv' });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('validation_failed');
    expect(errorOf(response).message).toMatch(/records-by-type.*tasks-by-status/);
  });

  it('refuses a Read Only User, whose group has no reports:export', async () => {
    const response = await reader.request({ method: 'GET', url: '/api/v1/reports/records-by-type/export.csv' });
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).code).toBe('forbidden');
  });
});
