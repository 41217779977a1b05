import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Db } from '../db/connection.js';
import { countUpTo, keysetPage, tableRowCount, type KeyRange, type KeysetPage, type KeysetSort } from '../db/paging.js';
import { inSnapshot, keysetBatches } from '../db/snapshot-stream.js';
import type { Database, TaskTable } from '../db/schema.js';
import { isPostgres, unindexed } from '../db/portable.js';
import { nowIso } from '../clock.js';
import { AppError, fieldError } from '../app-error.js';
import type { Actor } from '../auth/actor.js';
import { TASK_TRANSITIONS, type TaskStatus, type TaskTransitionName } from '../../shared/task-status.js';
import { assertAllowed } from '../policies/decision.js';
import { taskAssignDecision, taskTransitionDecision } from '../policies/tasks.js';
import type {
  Assignee,
  ListTasksQuery,
  TaskFilters,
  TaskSortColumn,
  UpdateTaskInput,
} from '../../shared/schemas/tasks.js';
import type { Total } from '../../shared/schemas/paging.js';
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

function selectTasks(db: Kysely<Database>) {
  return db
    .selectFrom('tasks as t')
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

/** Workflow order, so "sort by status" reads Not Started, In Progress, then the end states (tasks.status_rank). */
const STATUS_RANKS: Record<TaskStatus, number> = {
  not_started: 0,
  in_progress: 1,
  failed: 2,
  complete: 3,
  cancelled: 4,
};

/** A task as the list reads it: with its record and assignee, and the value its sort orders by. */
export type TaskListRow = TaskRow & { sort_key: string | number };

/**
 * What each column sorts by, written exactly as its index (migration 0012) so that the index
 * serves a page: text by code point on both databases ("C" on PostgreSQL); the status in workflow
 * order and the due date with none as the smallest value (generated columns); the assignee by the
 * copy of "first last email" each task keeps ('' for nobody).
 */
function taskSortKey(sort: TaskSortColumn, postgres: boolean): RawBuilder<string | number> {
  const text = (column: string) =>
    postgres ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`;
  switch (sort) {
    case 'title':
      return text('t.title_normalized');
    case 'status':
      return sql<number>`${sql.ref('t.status_rank')}`;
    case 'dueDate':
      return text('t.due_sort');
    case 'assignee':
      return text('t.assignee_sort');
    case 'createdAt':
      return text('t.created_at');
    case 'updatedAt':
      return text('t.updated_at');
  }
}

function taskSort(sort: TaskSortColumn, order: 'asc' | 'desc', postgres: boolean): KeysetSort<TaskListRow> {
  return {
    name: `${sort}:${order}`,
    key: taskSortKey(sort, postgres),
    keyKind: sort === 'status' ? 'integer' : 'text',
    keyOf: (row) => row.sort_key,
    id: sql.ref('t.id'),
    idKind: 'text',
    idOf: (row) => row.id,
    order,
  };
}

/** The FTS5 trigram index finds texts of 3 characters or more; a shorter search is read as it is. */
const TRIGRAM = 3;

/**
 * Up to how many matches of a search a page fetches them all and sorts them. Each is a look-up of
 * a task by its ID (~10 µs at a million tasks, ~100 ms for 10,000); beyond, walking the sort's
 * index is quicker (see `Reading`).
 */
const SEARCH_FETCH_LIMIT = 1_000;

/**
 * How a page reads the tasks that match, chosen from how many match (the count comes first):
 * - 'fetch': few match; their filter's index (or the search index) finds them all, then they are
 *   sorted. A status filter sorted by title is a range of (status, title, id) whatever the count.
 * - 'walk': many match (more than the count's limit: at least 1 in 100 at a million tasks); the
 *   sort's index is read in order and each task checked, so a page needs ~100 rows read per row
 *   shown at most. The filters are written so that no index serves them (see `unindexed`).
 * - 'member' (SQLite, a search with 1,000 to 10,000 matches): as 'walk', but a task is checked by
 *   its ID against the search index's matches, read once into a set: the ID is in every sort's
 *   index, so no task is read that is not shown, and a page costs a few milliseconds at any depth.
 */
type Reading = 'fetch' | 'walk' | 'member';

/**
 * Titles containing `search` anywhere, in any letter case: `title_normalized` (lower-cased) holds
 * the lower-cased search text. LIKE decides on both databases alike. On PostgreSQL the pg_trgm
 * index serves the LIKE itself; on SQLite the FTS5 trigram table finds the matching tasks (it
 * holds exactly the lower-cased titles and matches a quoted phrase as a substring, so its matches
 * are exactly LIKE's).
 */
function titleContains(db: Kysely<Database>, search: string, reading: Reading) {
  const postgres = isPostgres(db as Kysely<unknown>);
  const text = search.toLowerCase();
  const indexed = reading === 'fetch';
  const title = indexed ? sql.ref('t.title_normalized') : unindexed(db as Kysely<unknown>, 't.title_normalized');
  const like = sql<boolean>`${title} like ${`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;
  if (postgres || reading === 'walk' || [...text].length < TRIGRAM) return like;
  const id = indexed ? sql.ref('t.id') : unindexed(db as Kysely<unknown>, 't.id');
  return sql<boolean>`(${id} in (${searchHits(text)}) and ${like})`;
}

/** SQLite: the IDs of the tasks whose title contains `text` (3 characters or more), from the FTS5 table. */
function searchHits(text: string) {
  const phrase = `"${text.replaceAll('"', '""')}"`;
  return sql`select k.task_id from tasks_search s join tasks_search_keys k on k.n = s.rowid
    where tasks_search match ${phrase}`;
}

/**
 * The tasks a list's filters and search select, no joins (the record and assignee are only read
 * for the page), written for `reading` (see Reading).
 */
function matchingTasks(db: Kysely<Database>, filters: TaskFilters, actor: Actor, reading: Reading = 'fetch') {
  const column = (name: string) => (reading === 'fetch' ? sql.ref(name) : unindexed(db as Kysely<unknown>, name));
  let query = db.selectFrom('tasks as t');
  const statuses = filters.status ?? [];
  if (statuses.length > 0) {
    // One status sorted by title: a range of (status, title, id), at any count and depth.
    const statusTitle = filters.sort === 'title' && statuses.length === 1;
    query = query.where(statusTitle ? sql.ref('t.status') : column('t.status'), 'in', statuses);
  }
  if (filters.assigneeId)
    query = query.where(
      column('t.assignee_user_id'),
      '=',
      filters.assigneeId === 'me' ? actor.user.id : filters.assigneeId,
    );
  if (filters.recordId) query = query.where(column('t.record_id'), '=', filters.recordId);
  if (filters.search) query = query.where(titleContains(db, filters.search, reading));
  return query;
}

function listedTasks(db: Kysely<Database>, filters: TaskFilters, actor: Actor, reading: Reading = 'fetch') {
  const sortKey = taskSortKey(filters.sort, isPostgres(db as Kysely<unknown>));
  let query = matchingTasks(db, filters, actor, reading);
  // Sorted by status, the status filter said again in the sort's own terms, so that the sort's
  // index reads only those statuses. (Not in the count: there the status index alone is quicker.)
  // One status is the page's key range instead (see statusKeyRange).
  if (filters.sort === 'status' && filters.status && filters.status.length > 1)
    query = query.where(
      sql.ref('t.status_rank'),
      'in',
      filters.status.map((status) => STATUS_RANKS[status]),
    );
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
    ])
    .select(sortKey.as('sort_key'));
}

/**
 * Sorted by status and filtered by one: the key range of that status's rank. As a range it merges
 * with the cursor's bound into one seek of (status_rank, id); as `status_rank in (…)` SQLite reads
 * the whole status from its start on every next page (70,000 Failed tasks: ~20 ms).
 */
function statusKeyRange(filters: TaskFilters): KeyRange | undefined {
  if (filters.sort !== 'status' || filters.status?.length !== 1) return undefined;
  const rank = STATUS_RANKS[filters.status[0]!];
  return { min: rank, max: rank };
}

/**
 * How many tasks the filters select (exact unfiltered; else exact up to TOTAL_COUNT_LIMIT), and so
 * how a page reads them.
 * A search alone on SQLite is counted in the FTS5 table without reading a task (its matches are
 * exactly the list's): counting 10,001 of a common word's 100,000 matches through the tasks took
 * ~0.5 s.
 */
async function countTasks(db: Db, filters: TaskFilters, actor: Actor): Promise<{ total: Total; reading: Reading }> {
  const postgres = isPostgres(db as Kysely<unknown>);
  const text = filters.search?.toLowerCase() ?? '';
  const searchOnly = !filters.status?.length && !filters.assigneeId && !filters.recordId;
  const indexedSearch = !postgres && [...text].length >= TRIGRAM;
  const filtered = !searchOnly || text !== '';
  const total = !filtered
    ? await tableRowCount(db, 'tasks')
    : indexedSearch && searchOnly
      ? await countUpTo(db, db.selectFrom(sql`(${searchHits(text)})`.as('hits')))
      : await countUpTo(db, matchingTasks(db, filters, actor));
  let reading: Reading = 'fetch';
  if (filtered && !total.exact) reading = 'walk';
  else if (indexedSearch && total.count > SEARCH_FETCH_LIMIT) reading = 'member';
  return { total, reading };
}

/** One page of the Tasks list and how many tasks match. Search matches any part of the title, in any letter case. */
export async function listTasks(
  db: Db,
  actor: Actor,
  query: ListTasksQuery,
): Promise<KeysetPage<TaskListRow> & { total: Total }> {
  const sort = taskSort(query.sort, query.order, isPostgres(db as Kysely<unknown>));
  // The count (it stops at 10,001) says first how to read the page.
  const { total, reading } = await countTasks(db, query, actor);
  const keyRange = statusKeyRange(query);
  const page = await keysetPage(listedTasks(db, query, actor, reading), sort, {
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    pageSize: query.pageSize,
    ...(keyRange ? { keyRange } : {}),
  });
  return { ...page, total };
}

/**
 * Every task the filters select, in the list's order, batch by batch, as they all were at one
 * instant (one snapshot: tasks added, removed or changed meanwhile neither repeat nor go missing).
 */
export function exportTaskBatches(db: Db, actor: Actor, filters: TaskFilters): AsyncGenerator<TaskListRow[]> {
  const sort = taskSort(filters.sort, filters.order, isPostgres(db as Kysely<unknown>));
  return inSnapshot(db, async function* (reader) {
    const { reading } = await countTasks(reader, filters, actor);
    const keyRange = statusKeyRange(filters);
    yield* keysetBatches(listedTasks(reader, filters, actor, reading), sort, keyRange ? { keyRange } : {});
  });
}

async function findTaskRow(db: Kysely<Database>, id: string): Promise<TaskRow | undefined> {
  return selectTasks(db).where('t.id', '=', id).executeTakeFirst();
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
