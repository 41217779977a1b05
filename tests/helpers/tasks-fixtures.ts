/**
 * Tasks fixtures: tasks, records, notes and attachments written straight to the database, so a
 * test can start from any status without walking the workflow (and without the records API).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { nowIso } from '../../src/server/clock.js';
import type { TaskStatus } from '../../src/shared/task-status.js';
import type { TestApp } from './test-app.js';

/** A Computer record (type_id 'computer'), inserted directly. */
export async function makeRecord(
  t: TestApp,
  name = `PC-${randomBytes(3).toString('hex')}`,
): Promise<{ id: string; name: string }> {
  const id = randomUUID();
  const now = nowIso();
  await t.db
    .insertInto('records')
    .values({
      id,
      type_id: 'computer',
      name,
      name_normalized: name.toLowerCase(),
      owner: '',
      properties: '{}',
      created_by_user_id: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { id, name };
}

export interface TaskFixture {
  title?: string;
  status?: TaskStatus;
  assigneeId?: string | null;
  recordId?: string | null;
  dueDate?: string | null;
  createdAt?: string;
  updatedAt?: string;
}

/** A task in any status, inserted directly; returns its ID. */
export async function makeTask(t: TestApp, fixture: TaskFixture = {}): Promise<string> {
  const id = randomUUID();
  const now = nowIso();
  const title = fixture.title ?? `Task ${randomBytes(3).toString('hex')}`;
  const status = fixture.status ?? 'not_started';
  await t.db
    .insertInto('tasks')
    .values({
      id,
      title,
      title_normalized: title.toLowerCase(),
      record_id: fixture.recordId ?? null,
      status,
      assignee_user_id: fixture.assigneeId ?? null,
      due_date: fixture.dueDate ?? null,
      created_by_user_id: null,
      created_at: fixture.createdAt ?? now,
      updated_at: fixture.updatedAt ?? fixture.createdAt ?? now,
      started_at: status === 'not_started' ? null : now,
      finished_at: ['complete', 'cancelled', 'failed'].includes(status) ? now : null,
    })
    .execute();
  return id;
}

/** An attachment on a task, inserted directly; returns its ID. */
export async function makeAttachment(
  t: TestApp,
  taskId: string,
  content: Buffer = Buffer.from('fixture bytes'),
  fileName = 'fixture.txt',
): Promise<string> {
  const id = randomUUID();
  await t.db
    .insertInto('task_attachments')
    .values({
      id,
      task_id: taskId,
      file_name: fileName,
      content_type: 'text/plain',
      size_bytes: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      content,
      uploaded_by_user_id: null,
      uploaded_by_email: 'fixture@example.test',
      uploaded_at: nowIso(),
    })
    .execute();
  return id;
}

export const MULTIPART_BOUNDARY = 'latchkey-test-boundary-7d3f';

/** A multipart/form-data body with one file part, and the Content-Type header that goes with it. */
export function multipartFile(
  content: Buffer,
  options: { fileName?: string; contentType?: string; field?: string } = {},
): { body: Buffer; headers: Record<string, string> } {
  const field = options.field ?? 'file';
  const fileName = options.fileName ?? 'notes.txt';
  const head =
    `--${MULTIPART_BOUNDARY}\r\n` +
    `Content-Disposition: form-data; name="${field}"; filename="${fileName}"\r\n` +
    `Content-Type: ${options.contentType ?? 'text/plain'}\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head, 'utf8'), content, Buffer.from(`\r\n--${MULTIPART_BOUNDARY}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` },
  };
}
