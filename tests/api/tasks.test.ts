/**
 * Tasks: creating, listing (filters, search, sort, paging), exporting, reading, editing, deleting,
 * assigning, the assignee directory and notes. Bad input is a clear 4xx that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import type { Task, TaskList } from '../../src/shared/schemas/tasks.js';
import { expectRefused } from '../helpers/assertions.js';
import {
  allowedOf,
  auditSince,
  errorOf,
  giveApiToken,
  lastAuditId,
  quickSession,
  quickUser,
} from '../helpers/fixtures.js';
import { makeAttachment, makeRecord, makeTask } from '../helpers/tasks-fixtures.js';
import { createTestApp, tokenCaller, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;
let adminId: string;
let adminEmail: string;

beforeAll(async () => {
  t = await createTestApp();
  const user = await quickUser(t, SYSTEM_GROUP_IDS.administrator, { firstName: 'Ada', lastName: 'Admin' });
  adminId = user.id;
  adminEmail = user.email;
  admin = await quickSession(t, user);
});
afterAll(async () => t?.close());

describe('POST /api/v1/tasks', () => {
  it('creates a Not Started task with a record and due date, answering 201 with the task', async () => {
    const record = await makeRecord(t, 'PC-CREATE-1');
    const response = await admin.request({
      method: 'POST',
      url: '/api/v1/tasks',
      payload: { title: '  Reimage laptop  ', recordId: record.id, dueDate: '2030-02-28' },
    });
    expect(response.statusCode, response.body).toBe(201);
    const task = response.json<Task>();
    expect(task).toMatchObject({
      title: 'Reimage laptop',
      status: 'not_started',
      record: { id: record.id, name: 'PC-CREATE-1', type: 'Computer' },
      assignee: null,
      dueDate: '2030-02-28',
      startedAt: null,
      finishedAt: null,
      notes: [],
      attachments: [],
    });
    expect(allowedOf(task.can)).toEqual({
      assign: true,
      start: true,
      complete: false,
      cancel: true,
      fail: false,
      update: true,
      delete: true,
    });
    const row = await t.db.selectFrom('tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(row.created_by_user_id).toBe(adminId);
  });

  it('creates a task with only a title', async () => {
    const response = await admin.request({ method: 'POST', url: '/api/v1/tasks', payload: { title: 'Just a title' } });
    expect(response.statusCode).toBe(201);
    expect(response.json<Task>()).toMatchObject({ record: null, dueDate: null });
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['an empty title', { title: '   ' }, 'title'],
    ['a missing title', {}, 'title'],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title'],
    ['a due date that is not a date', { title: 'T', dueDate: 'tomorrow' }, 'dueDate'],
    ['a due date that does not exist (30 February)', { title: 'T', dueDate: '2030-02-30' }, 'dueDate'],
    ['a due date with a time', { title: 'T', dueDate: '2030-01-01T00:00:00Z' }, 'dueDate'],
    ['an unknown record', { title: 'T', recordId: 'no-such-record' }, 'recordId'],
    ['a status (tasks always start Not Started)', { title: 'T', status: 'complete' }, 'status'],
    ['an assignee (assigning needs tasks:assign)', { title: 'T', assigneeId: 'x' }, 'assigneeId'],
  ];
  for (const [what, payload, field] of invalid) {
    it(`returns 400 for ${what}, naming the field, and creates nothing`, async () => {
      const error = await expectRefused(
        t,
        () => admin.request({ method: 'POST', url: '/api/v1/tasks', payload }),
        400,
        'validation_failed',
      );
      expect(error.fields?.[field]).toBeTruthy();
    });
  }

  it('accepts a title of exactly 200 characters and 29 February in a leap year', async () => {
    const response = await admin.request({
      method: 'POST',
      url: '/api/v1/tasks',
      payload: { title: 'y'.repeat(200), dueDate: '2028-02-29' },
    });
    expect(response.statusCode, response.body).toBe(201);
  });
});

describe('GET /api/v1/tasks', () => {
  let assignee: Awaited<ReturnType<typeof quickUser>>;
  let record: { id: string; name: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    assignee = await quickUser(t, SYSTEM_GROUP_IDS.orchestrationUser, { firstName: 'Zed', lastName: 'Zulu' });
    record = await makeRecord(t, 'PC-LIST');
    ids.alpha = await makeTask(t, {
      title: 'LIST Alpha backup',
      status: 'in_progress',
      assigneeId: assignee.id,
      dueDate: '2030-01-05',
      createdAt: '2020-01-01T00:00:00.000Z',
    });
    ids.bravo = await makeTask(t, {
      title: 'list bravo Patch',
      status: 'failed',
      recordId: record.id,
      dueDate: '2030-01-01',
      createdAt: '2020-01-02T00:00:00.000Z',
    });
    ids.charlie = await makeTask(t, {
      title: 'List Charlie 100%_done',
      status: 'not_started',
      assigneeId: adminId,
      createdAt: '2020-01-03T00:00:00.000Z',
    });
  });

  async function list(query: Record<string, string>): Promise<TaskList> {
    const response = await admin.request({
      method: 'GET',
      url: `/api/v1/tasks?${new URLSearchParams({ search: 'list', ...query }).toString()}`,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<TaskList>();
  }
  const titles = (page: TaskList) => page.tasks.map((task) => task.title);

  it('searches any part of the title in any letter case, treating % and _ literally', async () => {
    expect((await list({ search: 'PATCH' })).tasks.map((x) => x.id)).toEqual([ids.bravo]);
    expect((await list({ search: '100%_' })).tasks.map((x) => x.id)).toEqual([ids.charlie]);
    expect((await list({ search: '%' })).total).toEqual({ count: 1, exact: true });
  });

  it('filters by one status, several statuses (repeated or comma-separated), assignee, "me" and record', async () => {
    expect(titles(await list({ status: 'failed' }))).toEqual(['list bravo Patch']);
    const twoRepeated = await admin.request({
      method: 'GET',
      url: '/api/v1/tasks?search=list&status=failed&status=in_progress&sort=title&order=asc',
    });
    expect(titles(twoRepeated.json<TaskList>())).toEqual(['LIST Alpha backup', 'list bravo Patch']);
    expect((await list({ status: 'failed,in_progress' })).total).toEqual({ count: 2, exact: true });
    expect((await list({ assigneeId: assignee.id })).tasks.map((x) => x.id)).toEqual([ids.alpha]);
    expect((await list({ assigneeId: 'me' })).tasks.map((x) => x.id)).toEqual([ids.charlie]);
    expect((await list({ recordId: record.id })).tasks.map((x) => x.id)).toEqual([ids.bravo]);
  });

  it('shows the record, the assignee and the dates of each task', async () => {
    const page = await list({ sort: 'title', order: 'asc' });
    expect(page.tasks[0]).toMatchObject({
      title: 'LIST Alpha backup',
      status: 'in_progress',
      assignee: { id: assignee.id, email: assignee.email, name: 'Zed Zulu' },
      record: null,
      dueDate: '2030-01-05',
    });
    expect(page.tasks[1]!.record).toEqual({ id: record.id, name: 'PC-LIST', type: 'Computer' });
  });

  it('sorts by title, status (workflow order), due date and assignee (nothing first ascending), created and updated', async () => {
    expect(titles(await list({ sort: 'title', order: 'desc' }))).toEqual([
      'List Charlie 100%_done',
      'list bravo Patch',
      'LIST Alpha backup',
    ]);
    expect((await list({ sort: 'status', order: 'asc' })).tasks.map((x) => x.status)).toEqual([
      'not_started',
      'in_progress',
      'failed',
    ]);
    expect((await list({ sort: 'dueDate', order: 'asc' })).tasks.map((x) => x.id)).toEqual([
      ids.charlie,
      ids.bravo,
      ids.alpha,
    ]);
    expect((await list({ sort: 'dueDate', order: 'desc' })).tasks.map((x) => x.id)).toEqual([
      ids.alpha,
      ids.bravo,
      ids.charlie,
    ]);
    // Ada Admin < Zed Zulu; the unassigned task first ascending, last descending.
    expect((await list({ sort: 'assignee', order: 'asc' })).tasks.map((x) => x.id)).toEqual([
      ids.bravo,
      ids.charlie,
      ids.alpha,
    ]);
    expect((await list({ sort: 'assignee', order: 'desc' })).tasks.map((x) => x.id)).toEqual([
      ids.alpha,
      ids.charlie,
      ids.bravo,
    ]);
    expect((await list({ sort: 'createdAt', order: 'asc' })).tasks.map((x) => x.id)).toEqual([
      ids.alpha,
      ids.bravo,
      ids.charlie,
    ]);
    expect((await list({ sort: 'updatedAt', order: 'desc' })).tasks.map((x) => x.id)).toEqual([
      ids.charlie,
      ids.bravo,
      ids.alpha,
    ]);
  });

  it('pages by cursor with the total of all matches', async () => {
    const first = await list({ sort: 'title', order: 'asc', pageSize: '2' });
    const second = await list({ sort: 'title', order: 'asc', pageSize: '2', cursor: first.next! });
    expect(first.total).toEqual({ count: 3, exact: true });
    expect(titles(first)).toEqual(['LIST Alpha backup', 'list bravo Patch']);
    expect(titles(second)).toEqual(['List Charlie 100%_done']);
    expect(second).toMatchObject({ pageSize: 2, next: null });
    expect(titles(await list({ sort: 'title', order: 'asc', pageSize: '2', cursor: second.previous! }))).toEqual(
      titles(first),
    );
  });

  for (const query of [
    'status=done',
    'sort=priority',
    'order=up',
    'page=2',
    'cursor=%21%21',
    'pageSize=501',
    'colour=red',
  ]) {
    it(`returns 400 validation_failed for ?${query}`, async () => {
      const response = await admin.request({ method: 'GET', url: `/api/v1/tasks?${query}` });
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('validation_failed');
    });
  }

  it('exports the filtered tasks as CSV with formula-looking cells neutralized', async () => {
    await makeTask(t, { title: '=HYPERLINK("http://evil")  list export', status: 'cancelled' });
    const response = await admin.request({
      method: 'GET',
      url: '/api/v1/tasks/export.csv?search=list&sort=title&order=asc',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="latchkey-tasks-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = response.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Title,Status,Assignee,Record,Due date (YYYY-MM-DD),Created (ISO 8601 UTC),Updated (ISO 8601 UTC)',
    );
    expect(lines[1]).toBe(
      `"'=HYPERLINK(""http://evil"")  list export",Cancelled,,,,${lines[1]!.split(',').slice(-2).join(',')}`,
    );
    expect(lines[2]).toMatch(
      new RegExp(`^LIST Alpha backup,In Progress,${assignee.email.replace(/[.]/g, '\\.')},,2030-01-05,`),
    );
    expect(lines[3]).toMatch(/^list bravo Patch,Failed,,PC-LIST,2030-01-01,/);
    expect(lines).toHaveLength(5);
  });

  it('exports only the filtered status', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/tasks/export.csv?search=list&status=failed' });
    expect(response.body.trimEnd().split('\r\n')).toHaveLength(2);
  });
});

describe('GET /api/v1/tasks/:id', () => {
  it('returns the task with notes and attachments (never their bytes)', async () => {
    const id = await makeTask(t, { title: 'With everything' });
    await admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/notes`, payload: { body: 'First' } });
    await admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/notes`, payload: { body: 'Second' } });
    const attachmentId = await makeAttachment(t, id, Buffer.from('abc'), 'a.txt');
    const task = (await admin.request({ method: 'GET', url: `/api/v1/tasks/${id}` })).json<Task>();
    expect(task.notes.map((n) => n.body)).toEqual(['First', 'Second']);
    expect(task.notes[0]!.author).toEqual({ id: adminId, email: adminEmail });
    expect(task.attachments).toEqual([
      {
        id: attachmentId,
        fileName: 'a.txt',
        contentType: 'text/plain',
        sizeBytes: 3,
        uploadedBy: { id: null, email: 'fixture@example.test' },
        uploadedAt: expect.any(String) as string,
      },
    ]);
    expect(JSON.stringify(task)).not.toContain('sha256');
  });

  it('returns 404 not_found for an unknown task', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/tasks/no-such-task' });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).code).toBe('not_found');
  });
});

describe('PATCH /api/v1/tasks/:id', () => {
  it('changes the title, due date and record, and clears them with null', async () => {
    const record = await makeRecord(t);
    const id = await makeTask(t, { title: 'Before', updatedAt: '2020-01-01T00:00:00.000Z' });
    let response = await admin.request({
      method: 'PATCH',
      url: `/api/v1/tasks/${id}`,
      payload: { title: 'After', dueDate: '2031-12-31', recordId: record.id },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<Task>()).toMatchObject({ title: 'After', dueDate: '2031-12-31', record: { id: record.id } });
    expect(response.json<Task>().updatedAt > '2020-01-01T00:00:00.000Z').toBe(true);
    response = await admin.request({
      method: 'PATCH',
      url: `/api/v1/tasks/${id}`,
      payload: { dueDate: null, recordId: null },
    });
    expect(response.json<Task>()).toMatchObject({ title: 'After', dueDate: null, record: null });
  });

  it('refuses a status, an empty title, an unknown record and a bad date (400, nothing changes)', async () => {
    const id = await makeTask(t);
    for (const payload of [{ status: 'complete' }, { title: '' }, { recordId: 'nope' }, { dueDate: '2030-13-01' }]) {
      await expectRefused(
        t,
        () => admin.request({ method: 'PATCH', url: `/api/v1/tasks/${id}`, payload }),
        400,
        'validation_failed',
      );
    }
  });

  it('returns 404 for an unknown task', async () => {
    await expectRefused(
      t,
      () => admin.request({ method: 'PATCH', url: '/api/v1/tasks/nope', payload: { title: 'x' } }),
      404,
      'not_found',
    );
  });
});

describe('DELETE /api/v1/tasks/:id', () => {
  it('deletes the task with its notes and attachments, and audits task.deleted', async () => {
    const id = await makeTask(t, { title: 'Doomed' });
    await admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/notes`, payload: { body: 'bye' } });
    await makeAttachment(t, id);
    const since = await lastAuditId(t);
    const response = await admin.request({ method: 'DELETE', url: `/api/v1/tasks/${id}` });
    expect(response.statusCode).toBe(204);
    expect(await t.db.selectFrom('tasks').select('id').where('id', '=', id).execute()).toEqual([]);
    expect(await t.db.selectFrom('task_notes').select('id').where('task_id', '=', id).execute()).toEqual([]);
    expect(await t.db.selectFrom('task_attachments').select('id').where('task_id', '=', id).execute()).toEqual([]);
    const audit = await auditSince(t, since);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'task.deleted',
      actor_user_id: adminId,
      details: { taskId: id, title: 'Doomed' },
    });
  });

  it('returns 404 for an unknown task, changing nothing', async () => {
    await expectRefused(t, () => admin.request({ method: 'DELETE', url: '/api/v1/tasks/nope' }), 404, 'not_found');
  });

  it('refuses a Regular User (No Delete) token with 403, changing nothing', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUserNoDelete);
    const caller = tokenCaller(t, await giveApiToken(t, user.id));
    await caller.request({ method: 'GET', url: '/api/v1/me' });
    const id = await makeTask(t);
    await expectRefused(t, () => caller.request({ method: 'DELETE', url: `/api/v1/tasks/${id}` }), 403, 'forbidden');
  });
});

describe('POST /api/v1/tasks/:id/assign', () => {
  it('assigns an enabled account and unassigns with null', async () => {
    const person = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser, { firstName: 'Ann', lastName: 'Assignee' });
    const id = await makeTask(t, { status: 'in_progress' });
    let response = await admin.request({
      method: 'POST',
      url: `/api/v1/tasks/${id}/assign`,
      payload: { assigneeId: person.id },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<Task>().assignee).toEqual({ id: person.id, email: person.email, name: 'Ann Assignee' });
    response = await admin.request({
      method: 'POST',
      url: `/api/v1/tasks/${id}/assign`,
      payload: { assigneeId: null },
    });
    expect(response.json<Task>().assignee).toBeNull();
  });

  it('returns 400 for an unknown or disabled account, and for a missing assigneeId, changing nothing', async () => {
    const disabled = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();
    const id = await makeTask(t);
    for (const payload of [{ assigneeId: 'no-such-account' }, { assigneeId: disabled.id }, {}]) {
      const error = await expectRefused(
        t,
        () => admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/assign`, payload }),
        400,
        'validation_failed',
      );
      expect(error.fields?.assigneeId).toBeTruthy();
    }
  });

  for (const status of ['complete', 'cancelled'] as const) {
    it(`returns 409 on a ${status} task, naming its status, changing nothing`, async () => {
      const id = await makeTask(t, { status });
      const error = await expectRefused(
        t,
        () => admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/assign`, payload: { assigneeId: adminId } }),
        409,
        'task_transition_not_allowed',
      );
      expect(error.message).toBe(`A ${status === 'complete' ? 'Complete' : 'Cancelled'} task cannot be assigned.`);
    });
  }

  it('can assign a Failed task', async () => {
    const id = await makeTask(t, { status: 'failed' });
    const response = await admin.request({
      method: 'POST',
      url: `/api/v1/tasks/${id}/assign`,
      payload: { assigneeId: adminId },
    });
    expect(response.statusCode).toBe(200);
  });

  it('returns 404 for an unknown task', async () => {
    await expectRefused(
      t,
      () => admin.request({ method: 'POST', url: '/api/v1/tasks/nope/assign', payload: { assigneeId: adminId } }),
      404,
      'not_found',
    );
  });
});

describe('GET /api/v1/tasks/assignees', () => {
  it('lists enabled accounts matching the start of the email or a name, at most 20, without secrets', async () => {
    const match = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser, { firstName: 'Quentin', lastName: 'Quarry' });
    const disabled = await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser, { firstName: 'Quentin', lastName: 'Gone' });
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();
    const orchestrator = await quickUser(t, SYSTEM_GROUP_IDS.orchestrationUser);
    const caller = await quickSession(t, orchestrator);
    const response = await caller.request({ method: 'GET', url: '/api/v1/tasks/assignees?search=QUEN' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      assignees: [{ id: match.id, email: match.email, firstName: 'Quentin', lastName: 'Quarry' }],
    });
    const byLast = await caller.request({ method: 'GET', url: '/api/v1/tasks/assignees?search=quarry' });
    expect(byLast.json<{ assignees: unknown[] }>().assignees).toHaveLength(1);
    for (let i = 0; i < 21; i++) await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    const all = await caller.request({ method: 'GET', url: '/api/v1/tasks/assignees' });
    expect(all.json<{ assignees: unknown[] }>().assignees).toHaveLength(20);
    expect(all.body).not.toMatch(/password|hash|token/i);
  });
});

describe('POST /api/v1/tasks/:id/notes', () => {
  it('appends a note by the caller and answers 201 with it', async () => {
    const id = await makeTask(t, { updatedAt: '2020-01-01T00:00:00.000Z' });
    const response = await admin.request({
      method: 'POST',
      url: `/api/v1/tasks/${id}/notes`,
      payload: { body: '  Checked the cable.  ' },
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ body: 'Checked the cable.', author: { id: adminId, email: adminEmail } });
    const task = (await admin.request({ method: 'GET', url: `/api/v1/tasks/${id}` })).json<Task>();
    expect(task.updatedAt > '2020-01-01T00:00:00.000Z').toBe(true);
  });

  it('refuses an empty note, one over 5000 characters and unknown fields (400), and an unknown task (404)', async () => {
    const id = await makeTask(t);
    for (const payload of [{ body: ' ' }, { body: 'x'.repeat(5001) }, { body: 'ok', authorEmail: 'x@y.z' }]) {
      await expectRefused(
        t,
        () => admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/notes`, payload }),
        400,
        'validation_failed',
      );
    }
    await expectRefused(
      t,
      () => admin.request({ method: 'POST', url: '/api/v1/tasks/nope/notes', payload: { body: 'hi' } }),
      404,
      'not_found',
    );
  });

  it('accepts exactly 5000 characters', async () => {
    const id = await makeTask(t);
    const response = await admin.request({
      method: 'POST',
      url: `/api/v1/tasks/${id}/notes`,
      payload: { body: 'n'.repeat(5000) },
    });
    expect(response.statusCode).toBe(201);
  });
});
