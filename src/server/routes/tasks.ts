import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requires } from '../auth/access.js';
import { actorOf, contextOf } from '../auth/gate.js';
import type { AppDeps } from '../app-deps.js';
import { AppError } from '../app-error.js';
import {
  addNote,
  assignTask,
  createTask,
  deleteTask,
  getTask,
  listAssignees,
  transitionTask,
  updateTask,
} from '../services/tasks.js';
import { exportTaskBatches, listTasks } from '../services/task-list.js';
import {
  addAttachment,
  assertTaskExists,
  contentDisposition,
  getAttachmentContent,
  removeAttachment,
  servedContentType,
} from '../services/task-attachments.js';
import { ERROR_RESPONSES, ErrorBodySchema } from '../../shared/schemas/common.js';
import {
  AssigneeListSchema,
  AssigneesQuerySchema,
  AssignTaskSchema,
  AttachmentParamsSchema,
  CreateNoteSchema,
  CreateTaskSchema,
  ExportTasksQuerySchema,
  ListTasksQuerySchema,
  TASK_ATTACHMENT_MAX_BYTES,
  TaskAttachmentSchema,
  TaskListSchema,
  TaskNoteSchema,
  TaskParamsSchema,
  TaskSchema,
  UpdateTaskSchema,
  type TaskSummary,
} from '../../shared/schemas/tasks.js';
import { TASK_STATUS_LABELS, TASK_TRANSITIONS, type TaskTransitionName } from '../../shared/task-status.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, presentEach, sendExport } from './exports.js';
import { presentTask, presentTaskSummary, presentNote, presentAttachment } from '../presenters/tasks.js';

const CSV_COLUMNS = [
  ['Title', (t: TaskSummary) => t.title],
  ['Status', (t) => TASK_STATUS_LABELS[t.status]],
  ['Assignee', (t) => t.assignee?.email ?? ''],
  ['Record', (t) => t.record?.name ?? ''],
  // A due date is a day (YYYY-MM-DD); times are ISO 8601 in UTC, offset written (Z).
  ['Due date (YYYY-MM-DD)', (t) => t.dueDate ?? ''],
  ['Created (ISO 8601 UTC)', (t) => t.createdAt],
  ['Updated (ISO 8601 UTC)', (t) => t.updatedAt],
] as const satisfies ReadonlyArray<readonly [string, (t: TaskSummary) => unknown]>;

const TRANSITION_SUMMARIES: Record<TaskTransitionName, string> = {
  start: 'Start a task (Not Started or Failed → In Progress)',
  complete: 'Complete a task (In Progress → Complete)',
  fail: 'Fail a task (In Progress → Failed)',
  cancel: 'Cancel a task (Not Started, In Progress or Failed → Cancelled)',
};

const MULTIPART_ERROR_RESPONSES = { ...ERROR_RESPONSES, 413: ErrorBodySchema } as const;

export const taskRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  // Only this plugin accepts multipart bodies. One file, at most 10 MiB; nothing else in the form.
  await app.register(fastifyMultipart, {
    limits: { fileSize: TASK_ATTACHMENT_MAX_BYTES, files: 1, fields: 0, parts: 1, headerPairs: 20 },
  });

  app.get(
    '/api/v1/tasks',
    {
      config: { access: requires('tasks:view') },
      schema: {
        tags: ['Tasks'],
        summary: 'List tasks (filter, search, sort, page by cursor)',
        description:
          '`status` may repeat or be comma-separated; `assigneeId` is an account ID or `me`; ' +
          '`search` matches any part of the title, in any letter case. A page starts where `cursor` says ' +
          '(absent: the first page; `last`: the last; else `next` or `previous` of an answer); `total` is ' +
          'exact up to 10,000, else `exact: false`.',
        querystring: ListTasksQuerySchema,
        response: { 200: TaskListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { rows, next, previous, total } = await listTasks(db, actorOf(request), request.query);
      return { tasks: rows.map(presentTaskSummary), pageSize: request.query.pageSize, next, previous, total };
    },
  );

  for (const format of EXPORT_FORMATS) {
    app.get(
      `/api/v1/tasks/export.${format}`,
      {
        config: { access: requires('tasks:export') },
        schema: {
          tags: ['Tasks'],
          summary: `Export tasks as ${EXPORT_FORMAT_NAMES[format]} (same filters and sort as the list)`,
          querystring: ExportTasksQuerySchema,
        },
      },
      async (request, reply) => {
        const batches = exportTaskBatches(db, actorOf(request), request.query);
        const presented = presentEach(batches, (batch) => batch.map(presentTaskSummary));
        return sendExport(reply, format, { file: 'tasks', sheet: 'Tasks' }, CSV_COLUMNS, presented);
      },
    );
  }

  app.get(
    '/api/v1/tasks/assignees',
    {
      config: { access: requires('tasks:assign') },
      schema: {
        tags: ['Tasks'],
        summary: 'Accounts a task can be assigned to (up to 20 enabled accounts)',
        description:
          'A minimal directory for assigners, who may not hold Users & Groups View. `search` matches the ' +
          'start of the email, first name or last name.',
        querystring: AssigneesQuerySchema,
        response: { 200: AssigneeListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ assignees: await listAssignees(db, request.query.search) }),
  );

  app.post(
    '/api/v1/tasks',
    {
      config: { access: requires('tasks:create') },
      schema: {
        tags: ['Tasks'],
        summary: 'Create a task (status Not Started)',
        body: CreateTaskSchema,
        response: { 201: TaskSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const task = await createTask(db, contextOf(request), request.body);
      return reply.code(201).send(presentTask(task, actor));
    },
  );

  app.get(
    '/api/v1/tasks/:id',
    {
      config: { access: requires('tasks:view') },
      schema: {
        tags: ['Tasks'],
        summary: 'One task, with its notes, attachments and the actions the caller may take now',
        params: TaskParamsSchema,
        response: { 200: TaskSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => presentTask(await getTask(db, request.params.id), actorOf(request)),
  );

  app.patch(
    '/api/v1/tasks/:id',
    {
      config: { access: requires('tasks:update') },
      schema: {
        tags: ['Tasks'],
        summary: "Change a task's title, due date (null clears it) or record (null unlinks it)",
        params: TaskParamsSchema,
        body: UpdateTaskSchema,
        response: { 200: TaskSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return presentTask(await updateTask(db, contextOf(request), request.params.id, request.body), actor);
    },
  );

  app.delete(
    '/api/v1/tasks/:id',
    {
      config: { access: requires('tasks:delete') },
      schema: {
        tags: ['Tasks'],
        summary: 'Delete a task with its notes and attachments',
        params: TaskParamsSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await deleteTask(db, contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/tasks/:id/assign',
    {
      config: { access: requires('tasks:assign') },
      schema: {
        tags: ['Tasks'],
        summary: 'Assign a task to an enabled account, or unassign it (null)',
        description: 'A Complete or Cancelled task cannot be reassigned (409).',
        params: TaskParamsSchema,
        body: AssignTaskSchema,
        response: { 200: TaskSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const task = await assignTask(db, contextOf(request), request.params.id, request.body.assigneeId);
      return presentTask(task, actor);
    },
  );

  for (const name of Object.keys(TASK_TRANSITIONS) as TaskTransitionName[]) {
    app.post(
      `/api/v1/tasks/:id/${name}`,
      {
        config: { access: requires(TASK_TRANSITIONS[name].permission) },
        schema: {
          tags: ['Tasks'],
          summary: TRANSITION_SUMMARIES[name],
          description: 'From any other status: 409 task_transition_not_allowed, naming the current status.',
          params: TaskParamsSchema,
          response: { 200: TaskSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        return presentTask(await transitionTask(db, contextOf(request), request.params.id, name), actor);
      },
    );
  }

  app.post(
    '/api/v1/tasks/:id/notes',
    {
      config: { access: requires('tasks:update') },
      schema: {
        tags: ['Tasks'],
        summary: 'Add a note to a task (notes are append-only)',
        params: TaskParamsSchema,
        body: CreateNoteSchema,
        response: { 201: TaskNoteSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const note = await addNote(db, contextOf(request), request.params.id, request.body.body);
      return reply.code(201).send(presentNote(note));
    },
  );

  app.post(
    '/api/v1/tasks/:id/attachments',
    {
      config: { access: requires('tasks:update') },
      schema: {
        tags: ['Tasks'],
        summary: 'Attach a file to a task (multipart/form-data, one field named "file", at most 10 MiB)',
        consumes: ['multipart/form-data'],
        params: TaskParamsSchema,
        response: { 201: TaskAttachmentSchema, ...MULTIPART_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new AppError('bad_request', 'Send the file as multipart/form-data.');
      // Before reading up to 10 MiB, make sure there is a task to attach it to.
      await assertTaskExists(db, request.params.id);
      const parts = readParts(() => request.parts());
      const first = await parts.next().catch(translateMultipartError);
      const part = first.done ? undefined : first.value;
      if (!part || part.type !== 'file' || part.fieldname !== 'file') throw new AppError('bad_request', ONE_FILE);
      const content = await part.toBuffer().catch(translateMultipartError);
      // Anything after the one file (a second file, a field) is refused, not silently dropped.
      if (!(await parts.next().catch(translateMultipartError)).done) throw new AppError('bad_request', ONE_FILE);
      const attachment = await addAttachment(db, contextOf(request), request.params.id, {
        fileName: part.filename,
        contentType: part.mimetype,
        content,
      });
      return reply.code(201).send(presentAttachment(attachment));
    },
  );

  app.get(
    '/api/v1/tasks/:id/attachments/:attachmentId',
    {
      config: { access: requires('tasks:view') },
      schema: {
        tags: ['Tasks'],
        summary: "Download an attachment's bytes",
        description:
          'Always a download (Content-Disposition: attachment), never sniffed, sandboxed; the stored type is ' +
          'sent only for images, PDF and plain text, anything else as application/octet-stream.',
        params: AttachmentParamsSchema,
      },
    },
    async (request, reply) => {
      const file = await getAttachmentContent(db, request.params.id, request.params.attachmentId);
      return (
        reply
          .header('content-type', servedContentType(file.contentType))
          .header('content-disposition', contentDisposition(file.fileName))
          .header('x-content-type-options', 'nosniff')
          // Even opened directly, the file can run nothing and reach nothing.
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, no-store')
          .send(file.content)
      );
    },
  );

  app.delete(
    '/api/v1/tasks/:id/attachments/:attachmentId',
    {
      // Removing a file is deleting data: an Orchestration User may attach files but not remove them.
      config: { access: requires('tasks:delete') },
      schema: {
        tags: ['Tasks'],
        summary: 'Remove an attachment from a task',
        params: AttachmentParamsSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await removeAttachment(db, contextOf(request), request.params.id, request.params.attachmentId);
      return reply.code(204).send(null);
    },
  );
};

const ONE_FILE = 'Send exactly one file, in a form field named "file", and nothing else.';

/**
 * Starts reading the multipart body. Busboy throws at once when the Content-Type names no usable
 * boundary ("multipart/form-data" alone, "boundary=", a quoted one never closed): a bad request.
 */
function readParts<T>(start: () => T): T {
  try {
    return start();
  } catch (error) {
    return translateMultipartError(error);
  }
}

/**
 * Every error from reading the multipart body is the client's: a file too large is a 413
 * (attachment_too_large); a parser limit, a missing boundary or a malformed or truncated body
 * ("Boundary not found", "Unexpected end of multipart data") is a 400. Busboy's own errors
 * carry no code, and left untranslated they answered 500. Only the parsing is wrapped in this,
 * never the database write, so a fault of ours still reaches the 500 handler.
 */
function translateMultipartError(error: unknown): never {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('attachment_too_large', 'The file is larger than 10 MiB.');
  if (typeof code === 'string' && code.startsWith('FST_')) throw new AppError('bad_request', ONE_FILE);
  const reason = error instanceof Error ? ` (${error.message.replace(/^Multipart: /, '')})` : '';
  throw new AppError('bad_request', `The multipart/form-data body is malformed${reason}. ${ONE_FILE}`);
}
