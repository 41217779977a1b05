/**
 * One task: reading it with its notes and attachments, and changing it (create, edit, delete,
 * workflow moves, assignment, notes), each change decided by policies/tasks.ts and audited in its
 * transaction. The list and export are in task-list.ts.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, TaskTable } from '../db/schema.js';
import { isPostgres } from '../db/portable.js';
import { nowIso } from '../clock.js';
import { AppError, fieldError } from '../app-error.js';
import { TASK_TRANSITIONS, type TaskTransitionName } from '../../shared/task-status.js';
import { assertAllowed } from '../policies/decision.js';
import { taskAssignDecision, taskTransitionDecision } from '../policies/tasks.js';
import type { Assignee, UpdateTaskInput } from '../../shared/schemas/tasks.js';
import { diffFields, recordAudit } from './audit.js';
import type { ActorContext } from '../request-context.js';

/** A task row with what the list shows of its record and assignee. */
export type TaskRow = TaskTable & {
  record_name: string | null;
  record_type_name: string | null;
  assignee_email: string | null;
  assignee_first_name: string | null;
  assignee_last_name: string | null;
};

export interface TaskNoteRow {
  id: number;
  author_user_id: string | null;
  author_email: string;
  body: string;
  created_at: string;
}

export interface TaskAttachmentRow {
  id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  uploaded_by_user_id: string | null;
  uploaded_by_email: string;
  uploaded_at: string;
}

export type TaskDetail = TaskRow & { notes: TaskNoteRow[]; attachments: TaskAttachmentRow[] };

function notFound(): AppError {
  return new AppError('not_found', 'No task with this ID.');
}

/** Tasks read as `t`, the query every task read (one task or a list page) starts from. */
type TasksQuery = SelectQueryBuilder<Database & { t: TaskTable }, 't', object>;

/**
 * A task with what the API shows next to it: its record's name and type, its assignee's name and
 * email. One place for these joins, for one task and for the list's pages (task-list.ts).
 */
export function withRecordAndAssignee(query: TasksQuery) {
  return query
    .leftJoin('records as r', 'r.id', 't.record_id')
    .leftJoin('record_types as rt', 'rt.id', 'r.type_id')
    .leftJoin('users as a', 'a.id', 't.assignee_user_id')
    .selectAll('t')
    .select([
      'r.name as record_name',
      'rt.name as record_type_name',
      'a.email as assignee_email',
      'a.first_name as assignee_first_name',
      'a.last_name as assignee_last_name',
    ]);
}

async function findTaskRow(db: Kysely<Database>, id: string): Promise<TaskRow | undefined> {
  return withRecordAndAssignee(db.selectFrom('tasks as t')).where('t.id', '=', id).executeTakeFirst();
}

/** The task with its notes (oldest first) and attachments (without their bytes). */
export async function getTask(db: Kysely<Database>, id: string): Promise<TaskDetail> {
  const task = await findTaskRow(db, id);
  if (!task) throw notFound();
  const [notes, attachments] = await Promise.all([
    db
      .selectFrom('task_notes')
      .select(['id', 'author_user_id', 'author_email', 'body', 'created_at'])
      .where('task_id', '=', id)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('task_attachments')
      .select([
        'id',
        'file_name',
        'content_type',
        'size_bytes',
        'uploaded_by_user_id',
        'uploaded_by_email',
        'uploaded_at',
      ])
      .where('task_id', '=', id)
      .orderBy('uploaded_at')
      .orderBy('id')
      .execute(),
  ]);
  return {
    ...task,
    notes: notes.map((note) => ({ ...note, id: Number(note.id) })),
    attachments: attachments.map((a) => ({ ...a, size_bytes: Number(a.size_bytes) })),
  };
}

/** A record the task may link to: it must exist (400 on the field otherwise). */
async function assertRecordExists(db: Kysely<Database>, recordId: string): Promise<void> {
  const record = await db.selectFrom('records').select('id').where('id', '=', recordId).executeTakeFirst();
  if (!record) throw fieldError('recordId', 'No record with this ID.');
}

export async function createTask(
  db: Db,
  ctx: ActorContext,
  input: { title: string; recordId?: string | null | undefined; dueDate?: string | null | undefined },
): Promise<TaskDetail> {
  return db.transaction().execute(async (trx) => {
    if (input.recordId) await assertRecordExists(trx, input.recordId);
    const now = nowIso();
    const id = randomUUID();
    await trx
      .insertInto('tasks')
      .values({
        id,
        title: input.title,
        title_normalized: input.title.toLowerCase(),
        record_id: input.recordId ?? null,
        status: 'not_started',
        assignee_user_id: null,
        due_date: input.dueDate ?? null,
        created_by_user_id: ctx.actor.user.id,
        created_at: now,
        updated_at: now,
        started_at: null,
        finished_at: null,
      })
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'task.created',
      details: { taskId: id, title: input.title, recordId: input.recordId ?? null, dueDate: input.dueDate ?? null },
      ip: ctx.ip,
    });
    return getTask(trx, id);
  });
}

export async function updateTask(db: Db, ctx: ActorContext, id: string, input: UpdateTaskInput): Promise<TaskDetail> {
  return db.transaction().execute(async (trx) => {
    const task = await findTaskRow(trx, id);
    if (!task) throw notFound();
    if (input.recordId) await assertRecordExists(trx, input.recordId);
    const changes: Partial<TaskTable> = {};
    if (input.title !== undefined) {
      changes.title = input.title;
      changes.title_normalized = input.title.toLowerCase();
    }
    if (input.dueDate !== undefined) changes.due_date = input.dueDate;
    if (input.recordId !== undefined) changes.record_id = input.recordId;
    const changed = diffFields(
      { title: task.title, dueDate: task.due_date, recordId: task.record_id },
      { title: changes.title, dueDate: changes.due_date, recordId: changes.record_id },
    );
    if (Object.keys(changed).length > 0) {
      await trx
        .updateTable('tasks')
        .set({ ...changes, updated_at: nowIso() })
        .where('id', '=', id)
        .execute();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'task.updated',
        details: { taskId: id, title: changes.title ?? task.title, changes: changed },
        ip: ctx.ip,
      });
    }
    return getTask(trx, id);
  });
}

export async function deleteTask(db: Db, ctx: ActorContext, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const task = await trx.selectFrom('tasks').select(['id', 'title']).where('id', '=', id).executeTakeFirst();
    if (!task) throw notFound();
    // Notes and attachments go with it (ON DELETE CASCADE), in this same transaction.
    await trx.deleteFrom('tasks').where('id', '=', id).execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'task.deleted',
      details: { taskId: task.id, title: task.title },
      ip: ctx.ip,
    });
  });
}

/**
 * The task, read inside `trx` and locked until it ends (PostgreSQL; SQLite's single writer holds
 * the whole database): of two concurrent changes the second sees what the first made of it, and a
 * concurrent delete cannot slip between this check and a note or attachment added after it.
 */
export async function lockedTask(db: Db, trx: Kysely<Database>, id: string) {
  let lookup = trx.selectFrom('tasks').select(['id', 'title', 'status', 'assignee_user_id']).where('id', '=', id);
  if (isPostgres(db as Kysely<unknown>)) lookup = lookup.forUpdate();
  return lookup.executeTakeFirst();
}

/**
 * Moves a task along the workflow, decided (policies/tasks.ts) on its status as locked in the same
 * transaction, so of two concurrent requests only one can win; the move is audited from → to.
 */
export async function transitionTask(
  db: Db,
  ctx: ActorContext,
  id: string,
  name: TaskTransitionName,
): Promise<TaskDetail> {
  const transition = TASK_TRANSITIONS[name];
  return db.transaction().execute(async (trx) => {
    const task = await lockedTask(db, trx, id);
    if (!task) throw notFound();
    assertAllowed(taskTransitionDecision(ctx.actor, task.status, name));
    const now = nowIso();
    const times: Partial<TaskTable> =
      transition.to === 'in_progress'
        ? // A restart after a failure is a new attempt: it starts now and has not finished.
          { started_at: now, finished_at: null }
        : { finished_at: now };
    await trx
      .updateTable('tasks')
      .set({ status: transition.to, updated_at: now, ...times })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'task.status_changed',
      details: { taskId: id, title: task.title, from: task.status, to: transition.to },
      ip: ctx.ip,
    });
    return getTask(trx, id);
  });
}

/** Sets or clears the assignee: an existing enabled account, and never on a Complete or Cancelled task. */
export async function assignTask(
  db: Db,
  ctx: ActorContext,
  id: string,
  assigneeId: string | null,
): Promise<TaskDetail> {
  return db.transaction().execute(async (trx) => {
    let assignee: { id: string; email: string } | null = null;
    if (assigneeId !== null) {
      const found = await trx
        .selectFrom('users')
        .select(['id', 'email', 'status'])
        .where('id', '=', assigneeId)
        .executeTakeFirst();
      if (!found) throw fieldError('assigneeId', 'No account with this ID.');
      if (found.status !== 'enabled') throw fieldError('assigneeId', 'This account is disabled.');
      assignee = { id: found.id, email: found.email };
    }
    const task = await lockedTask(db, trx, id);
    if (!task) throw notFound();
    assertAllowed(taskAssignDecision(ctx.actor, task.status, assigneeId !== null));
    if (task.assignee_user_id === assigneeId) return getTask(trx, id);
    await trx
      .updateTable('tasks')
      .set({ assignee_user_id: assigneeId, updated_at: nowIso() })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      // The account given the task (none when it is unassigned).
      target: assignee,
      action: 'task.assignee_changed',
      details: { taskId: id, title: task.title, from: task.assignee_user_id, to: assigneeId },
      ip: ctx.ip,
    });
    return getTask(trx, id);
  });
}

/** Appends a note (notes are never edited or removed on their own). */
export async function addNote(db: Db, ctx: ActorContext, id: string, body: string): Promise<TaskNoteRow> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockedTask(db, trx, id))) throw notFound();
    const now = nowIso();
    const note = await trx
      .insertInto('task_notes')
      .values({
        task_id: id,
        author_user_id: ctx.actor.user.id,
        author_email: ctx.actor.user.email,
        body,
        created_at: now,
      })
      .returning(['id', 'author_user_id', 'author_email', 'body', 'created_at'])
      .executeTakeFirstOrThrow();
    await trx.updateTable('tasks').set({ updated_at: now }).where('id', '=', id).execute();
    // The note's text is in the task's history already; the entry says that one was added.
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'task.note_added',
      details: { taskId: id, noteId: Number(note.id) },
      ip: ctx.ip,
    });
    return { ...note, id: Number(note.id) };
  });
}

/** Up to 20 enabled accounts whose email, first or last name starts with `search`. */
export async function listAssignees(db: Db, search: string | undefined): Promise<Assignee[]> {
  let query = db.selectFrom('users').select(['id', 'email', 'first_name', 'last_name']).where('status', '=', 'enabled');
  const prefix = search?.toLowerCase() ?? '';
  if (prefix !== '') {
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(sql.ref('email_normalized'), 'like', sql`${pattern} escape '\\'`),
        eb(sql.ref('first_name_normalized'), 'like', sql`${pattern} escape '\\'`),
        eb(sql.ref('last_name_normalized'), 'like', sql`${pattern} escape '\\'`),
      ]),
    );
  }
  const rows = await query.orderBy('email_normalized').limit(20).execute();
  return rows.map((row) => ({ id: row.id, email: row.email, firstName: row.first_name, lastName: row.last_name }));
}
