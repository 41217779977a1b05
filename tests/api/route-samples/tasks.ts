/** Route samples for the tasks routes; see ../route-samples.ts for what a sample must be. */
import { randomBytes } from 'node:crypto';
import { requires } from '../../../src/server/auth/access.js';
import { makeAttachment, makeRecord, makeTask, multipartFile } from '../../helpers/tasks-fixtures.js';
import type { RouteSample } from '../route-samples.js';

const random = () => randomBytes(4).toString('hex');

export const TASKS_ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/tasks': {
    access: requires('tasks:view'),
    build: () => ({ query: { status: 'not_started,in_progress', sort: 'dueDate', order: 'asc', pageSize: '5' } }),
  },
  'GET /api/v1/tasks/export.csv': {
    access: requires('tasks:export'),
    build: () => ({ query: { search: 'task' } }),
  },
  'GET /api/v1/tasks/assignees': {
    access: requires('tasks:assign'),
    build: () => ({ query: { search: 'test' } }),
  },
  'POST /api/v1/tasks': {
    access: requires('tasks:create'),
    audits: ['task.created'],
    build: async (ctx) => ({
      body: { title: `Task ${random()}`, recordId: (await makeRecord(ctx.t)).id, dueDate: '2030-01-31' },
    }),
  },
  'GET /api/v1/tasks/:id': {
    access: requires('tasks:view'),
    build: async (ctx) => ({ params: { id: await makeTask(ctx.t) } }),
  },
  'PATCH /api/v1/tasks/:id': {
    access: requires('tasks:update'),
    audits: ['task.updated'],
    build: async (ctx) => ({ params: { id: await makeTask(ctx.t) }, body: { title: `Renamed ${random()}` } }),
  },
  'DELETE /api/v1/tasks/:id': {
    access: requires('tasks:delete'),
    audits: ['task.deleted'],
    build: async (ctx) => ({ params: { id: await makeTask(ctx.t) } }),
  },
  'POST /api/v1/tasks/:id/assign': {
    access: requires('tasks:assign'),
    audits: ['task.assignee_changed'],
    build: async (ctx) => ({ params: { id: await makeTask(ctx.t) }, body: { assigneeId: ctx.targetId } }),
  },
  'POST /api/v1/tasks/:id/start': {
    access: requires('tasks:start'),
    audits: ['task.status_changed'],
    build: async (ctx) => ({ params: { id: await makeTask(ctx.t, { status: 'not_started' }) } }),
  },
  'POST /api/v1/tasks/:id/complete': {
    access: requires('tasks:complete'),
    audits: ['task.status_changed'],
    build: async (ctx) => ({ params: { id: await makeTask(ctx.t, { status: 'in_progress' }) } }),
  },
  'POST /api/v1/tasks/:id/fail': {
    access: requires('tasks:fail'),
    audits: ['task.status_changed'],
    build: async (ctx) => ({ params: { id: await makeTask(ctx.t, { status: 'in_progress' }) } }),
  },
  'POST /api/v1/tasks/:id/cancel': {
    access: requires('tasks:cancel'),
    audits: ['task.status_changed'],
    build: async (ctx) => ({ params: { id: await makeTask(ctx.t, { status: 'failed' }) } }),
  },
  'POST /api/v1/tasks/:id/notes': {
    access: requires('tasks:update'),
    audits: ['task.note_added'],
    build: async (ctx) => ({ params: { id: await makeTask(ctx.t) }, body: { body: `Note ${random()}` } }),
  },
  'POST /api/v1/tasks/:id/attachments': {
    access: requires('tasks:update'),
    audits: ['task_attachment.added'],
    build: async (ctx) => {
      const { body, headers } = multipartFile(Buffer.from(`attachment ${random()}`));
      return { params: { id: await makeTask(ctx.t) }, body, headers };
    },
  },
  'GET /api/v1/tasks/:id/attachments/:attachmentId': {
    access: requires('tasks:view'),
    build: async (ctx) => {
      const id = await makeTask(ctx.t);
      return { params: { id, attachmentId: await makeAttachment(ctx.t, id) } };
    },
  },
  'DELETE /api/v1/tasks/:id/attachments/:attachmentId': {
    access: requires('tasks:delete'),
    audits: ['task_attachment.removed'],
    build: async (ctx) => {
      const id = await makeTask(ctx.t);
      return { params: { id, attachmentId: await makeAttachment(ctx.t, id) } };
    },
  },
};
