/**
 * The Records and Tasks lists page by keyset cursor (shared/schemas/paging.ts), through the HTTP
 * API on both databases: walking every page forward and backward yields every row exactly once in
 * order, for each sort both ways, ties included; rows inserted or deleted between pages neither
 * repeat nor vanish; filters and search (non-ASCII included) walk the same way; totals are exact up
 * to 10,000 and say "more" past it; a made-up cursor is a 400; and each sort reads its own index.
 */
import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type Kysely, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/server/db/schema.js';
import { listRecords } from '../../src/server/services/records.js';
import { listTasks } from '../../src/server/services/task-list.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { RECORD_SORT_COLUMNS, type RecordList } from '../../src/shared/schemas/records.js';
import { TASK_SORT_COLUMNS, type TaskList } from '../../src/shared/schemas/tasks.js';
import type { TaskStatus } from '../../src/shared/task-status.js';
import { errorOf, quickSession, quickUser } from '../helpers/fixtures.js';
import { quickRecordType } from '../helpers/records-fixtures.js';
import { makeTask } from '../helpers/tasks-fixtures.js';
import { createTestApp, usingPostgres, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;
let adminId: string;

beforeAll(async () => {
  t = await createTestApp();
  const user = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
  adminId = user.id;
  admin = await quickSession(t, user);
});
afterAll(async () => t?.close());

type Page<R> = { rows: R[]; next: string | null; previous: string | null; total: { count: number; exact: boolean } };

async function get<T>(url: string, query: Record<string, string>): Promise<T> {
  const response = await admin.request({ method: 'GET', url: `${url}?${new URLSearchParams(query).toString()}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<T>();
}
const recordPage = async (query: Record<string, string>): Promise<Page<{ id: string }>> => {
  const body = await get<RecordList>('/api/v1/records', query);
  return { ...body, rows: body.records };
};
const taskPage = async (query: Record<string, string>): Promise<Page<{ id: string }>> => {
  const body = await get<TaskList>('/api/v1/tasks', query);
  return { ...body, rows: body.tasks };
};

/** The IDs met following `next` from the first page, or `previous` from the last page. */
async function walk(
  page: (query: Record<string, string>) => Promise<Page<{ id: string }>>,
  query: Record<string, string>,
  backward = false,
  between?: (pageNumber: number) => Promise<void>,
): Promise<string[]> {
  const pages: string[][] = [];
  let cursor: string | null = backward ? 'last' : null;
  for (let n = 0; n < 500; n++) {
    const answer = await page({ ...query, ...(cursor ? { cursor } : {}) });
    pages.push(answer.rows.map((row) => row.id));
    cursor = backward ? answer.previous : answer.next;
    if (cursor === null) break;
    await between?.(n);
  }
  if (backward) pages.reverse();
  return pages.flat();
}

/** Code-point order (every text in these tests is in the BMP, where UTF-16 order is the same). */
const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
function ordered<R extends { id: string }>(rows: R[], key: (row: R) => string | number, order: 'asc' | 'desc') {
  const sorted = [...rows].sort((a, b) => compare(key(a), key(b)) || compare(a.id, b.id));
  return (order === 'asc' ? sorted : sorted.reverse()).map((row) => row.id);
}
/** lower() on both databases ("C" collation on PostgreSQL) folds ASCII letters only. */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

// ---------------------------------------------------------------------------------------------

interface RecordRow {
  id: string;
  type_id: string;
  name_normalized: string;
  owner: string;
  created_at: string;
  updated_at: string;
  type_name: string;
}

async function addRecord(typeId: string, name: string, owner: string, createdAt: string, updatedAt = createdAt) {
  const id = randomUUID();
  await t.db
    .insertInto('records')
    .values({
      id,
      type_id: typeId,
      name,
      name_normalized: name.toLowerCase(),
      owner,
      properties: '{}',
      created_by_user_id: null,
      created_at: createdAt,
      updated_at: updatedAt,
    })
    .execute();
  return id;
}

async function allRecords(): Promise<RecordRow[]> {
  return t.db
    .selectFrom('records as r')
    .innerJoin('record_types as ty', 'ty.id', 'r.type_id')
    .select(['r.id', 'r.type_id', 'r.name_normalized', 'r.owner', 'r.created_at', 'r.updated_at'])
    .select('ty.name_normalized as type_name')
    .execute();
}

const RECORD_KEYS: Record<(typeof RECORD_SORT_COLUMNS)[number], (row: RecordRow) => string> = {
  name: (row) => row.name_normalized,
  type: (row) => row.type_name,
  owner: (row) => asciiLower(row.owner),
  createdAt: (row) => row.created_at,
  updatedAt: (row) => row.updated_at,
};

describe('Records list paging', () => {
  let umlautType: string;
  beforeAll(async () => {
    umlautType = await quickRecordType(t, 'Ärende');
    const zType = await quickRecordType(t, 'zeta');
    const names = ['Åsa-1', 'åsa-2', 'Straße-3', 'école-4', 'Zebra', 'alpha', 'ALPHA-2', 'shared', 'Émile', 'b'];
    const owners = ['', 'Ops', 'ops', 'OPS', 'Émile', 'émile', 'zed', ''];
    const types = ['computer', 'user', 'application', umlautType, zType];
    let n = 0;
    for (const [i, name] of names.entries())
      for (const [j, typeId] of types.entries()) {
        if ((i + j) % 3 === 2 && name !== 'shared') continue;
        n++;
        // Created in a handful of instants, so the date sorts have long runs of ties.
        await addRecord(
          typeId,
          name,
          owners[n % owners.length]!,
          `2025-01-0${1 + (n % 3)}T00:00:00.000Z`,
          `2025-02-${String(1 + (n % 20)).padStart(2, '0')}T00:00:00.000Z`,
        );
      }
  });

  it('walks every page forward and backward: every record once, in order, for each sort both ways', async () => {
    const rows = await allRecords();
    expect(rows.length).toBeGreaterThan(30);
    for (const sort of RECORD_SORT_COLUMNS)
      for (const order of ['asc', 'desc'] as const) {
        const want = ordered(rows, RECORD_KEYS[sort], order);
        const query = { sort, order, pageSize: '4' };
        expect(await walk(recordPage, query), `${sort} ${order} forward`).toEqual(want);
        expect(await walk(recordPage, query, true), `${sort} ${order} backward`).toEqual(want);
      }
  });

  it('walks a type filter and a prefix search (non-ASCII, any letter case) the same way', async () => {
    const rows = await allRecords();
    const ofType = rows.filter((row) => row.type_id === umlautType);
    expect(await walk(recordPage, { typeId: umlautType, sort: 'owner', pageSize: '3' })).toEqual(
      ordered(ofType, RECORD_KEYS.owner, 'asc'),
    );
    for (const search of ['ÅSA', 'straße', 'É', 'a'])
      for (const sort of ['name', 'updatedAt'] as const) {
        const hits = rows.filter((row) => row.name_normalized.startsWith(search.toLowerCase()));
        expect(hits.length, search).toBeGreaterThan(0);
        expect(await walk(recordPage, { search, sort, order: 'desc', pageSize: '3' }), search).toEqual(
          ordered(hits, RECORD_KEYS[sort], 'desc'),
        );
        expect(await walk(recordPage, { search, sort, order: 'desc', pageSize: '3' }, true), search).toEqual(
          ordered(hits, RECORD_KEYS[sort], 'desc'),
        );
      }
    const page = await recordPage({ search: 'åsa', typeId: umlautType });
    expect(page.total).toEqual({ count: page.rows.length, exact: true });
  });

  it('neither repeats nor skips a record when records are added and deleted between pages', async () => {
    const before = await allRecords();
    const victims = new Set<string>();
    const added: string[] = [];
    const seen = await walk(recordPage, { sort: 'name', pageSize: '5' }, false, async (n) => {
      if (n !== 1) return;
      // One record before the position reached, one after it; two not reached yet deleted.
      added.push(await addRecord('computer', 'aaa-added-early', '', '2025-03-01T00:00:00.000Z'));
      added.push(await addRecord('computer', 'zzz-added-late', '', '2025-03-01T00:00:00.000Z'));
      const ahead = ordered(before, RECORD_KEYS.name, 'asc').slice(-3, -1);
      for (const id of ahead) victims.add(id);
      await t.db.deleteFrom('records').where('id', 'in', ahead).execute();
    });
    expect(new Set(seen).size).toBe(seen.length);
    const survivors = before.filter((row) => !victims.has(row.id)).map((row) => row.id);
    expect(seen.filter((id) => !added.includes(id)).sort()).toEqual(survivors.sort());
    expect(seen).toContain(added[1]);
    expect(seen).not.toContain(added[0]);
    await t.db.deleteFrom('records').where('id', 'in', added).execute();
  });

  it('refuses a made-up cursor, or one from another sort, with 400', async () => {
    const first = await recordPage({ sort: 'name', pageSize: '2' });
    const tampered = Buffer.from(JSON.stringify(['a', 'name:asc', { x: 1 }, 'id'])).toString('base64url');
    const queries: Record<string, string>[] = [
      { cursor: 'bm90LWpzb24' },
      { cursor: tampered },
      { cursor: first.next!, sort: 'owner' },
      { cursor: first.next!, order: 'desc' },
    ];
    for (const query of queries) {
      const response = await admin.request({ method: 'GET', url: '/api/v1/records', query });
      expect(response.statusCode, JSON.stringify(query)).toBe(400);
      expect(errorOf(response).fields).toHaveProperty('cursor');
    }
  });
});

// ---------------------------------------------------------------------------------------------

interface TaskRowForSort {
  id: string;
  title_normalized: string;
  status: TaskStatus;
  due_date: string | null;
  created_at: string;
  updated_at: string;
  assignee: string;
}

const RANK: Record<TaskStatus, number> = { not_started: 0, in_progress: 1, failed: 2, complete: 3, cancelled: 4 };

const TASK_KEYS: Record<(typeof TASK_SORT_COLUMNS)[number], (row: TaskRowForSort) => string | number> = {
  title: (row) => row.title_normalized,
  status: (row) => RANK[row.status],
  dueDate: (row) => row.due_date ?? '',
  assignee: (row) => row.assignee,
  createdAt: (row) => row.created_at,
  updatedAt: (row) => row.updated_at,
};

/** Every task with what it sorts by; the assignee's key computed here from the account, not read from the copy. */
async function allTasks(): Promise<TaskRowForSort[]> {
  const rows = await t.db
    .selectFrom('tasks as k')
    .leftJoin('users as u', 'u.id', 'k.assignee_user_id')
    .select(['k.id', 'k.title_normalized', 'k.status', 'k.due_date', 'k.created_at', 'k.updated_at'])
    .select(['u.first_name_normalized', 'u.last_name_normalized', 'u.email_normalized'])
    .execute();
  return rows.map((row) => ({
    ...row,
    assignee:
      row.email_normalized === null
        ? ''
        : `${row.first_name_normalized} ${row.last_name_normalized} ${row.email_normalized}`,
  }));
}

describe('Tasks list paging', () => {
  const statuses: TaskStatus[] = ['not_started', 'in_progress', 'failed', 'complete', 'cancelled'];
  let people: string[];
  beforeAll(async () => {
    people = [
      (await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { firstName: 'Åsa', lastName: 'Öberg' })).id,
      (await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { firstName: 'Zoë', lastName: 'Ng' })).id,
      adminId,
    ];
    const titles = ['Rotate tapes', 'Café audit', 'Straße cleanup', 'ÉCOLE visit', 'patch 100%', 'Patch server'];
    for (let n = 0; n < 36; n++)
      await makeTask(t, {
        title: `${titles[n % titles.length]} ${n % 4}`,
        status: statuses[n % statuses.length],
        assigneeId: n % 4 === 0 ? undefined : people[n % people.length],
        dueDate: n % 3 === 0 ? undefined : `2030-0${1 + (n % 2)}-15`,
        createdAt: `2025-01-0${1 + (n % 3)}T00:00:00.000Z`,
        updatedAt: `2025-02-${String(1 + (n % 7)).padStart(2, '0')}T00:00:00.000Z`,
      });
  });

  it('keeps each task’s assignee sort key right when the account is renamed or deleted', async () => {
    const renamed = await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { firstName: 'Temp', lastName: 'Person' });
    const id = await makeTask(t, { title: 'Renamed assignee', assigneeId: renamed.id });
    const key = async () =>
      (await t.db
        .selectFrom('tasks')
        .select(sql<string>`assignee_sort`.as('k'))
        .where('id', '=', id)
        .executeTakeFirst())!.k;
    expect(await key()).toBe(`temp person ${renamed.email_normalized}`);
    await t.db
      .updateTable('users')
      .set({ first_name: 'Ärla', first_name_normalized: 'ärla' })
      .where('id', '=', renamed.id)
      .execute();
    expect(await key()).toBe(`ärla person ${renamed.email_normalized}`);
    await t.db.deleteFrom('users').where('id', '=', renamed.id).execute();
    expect(await key()).toBe('');
    await t.db.deleteFrom('tasks').where('id', '=', id).execute();
  });

  it('walks every page forward and backward: every task once, in order, for each sort both ways', async () => {
    const rows = await allTasks();
    for (const sort of TASK_SORT_COLUMNS)
      for (const order of ['asc', 'desc'] as const) {
        const want = ordered(rows, TASK_KEYS[sort], order);
        const query = { sort, order, pageSize: '5' };
        expect(await walk(taskPage, query), `${sort} ${order} forward`).toEqual(want);
        expect(await walk(taskPage, query, true), `${sort} ${order} backward`).toEqual(want);
      }
  });

  it('walks filters and a substring search (non-ASCII, any letter case, % literal) the same way', async () => {
    const rows = await allTasks();
    const byId = new Map(
      (await t.db.selectFrom('tasks').select(['id', 'assignee_user_id']).execute()).map((r) => [r.id, r]),
    );
    const cases: [Record<string, string>, (row: TaskRowForSort) => boolean][] = [
      [{ status: 'failed,not_started' }, (row) => ['failed', 'not_started'].includes(row.status)],
      [{ status: 'complete', sort: 'status' }, (row) => row.status === 'complete'],
      [{ assigneeId: 'me' }, (row) => byId.get(row.id)!.assignee_user_id === adminId],
      [{ assigneeId: people[0]! }, (row) => byId.get(row.id)!.assignee_user_id === people[0]],
      [{ search: 'STRAßE' }, (row) => row.title_normalized.includes('straße')],
      [{ search: 'école v' }, (row) => row.title_normalized.includes('école v')],
      [{ search: 'afé' }, (row) => row.title_normalized.includes('afé')],
      [{ search: 'h 100%' }, (row) => row.title_normalized.includes('h 100%')],
      [{ search: 'é' }, (row) => row.title_normalized.includes('é')],
      [
        { search: 'atch', status: 'in_progress' },
        (row) => row.title_normalized.includes('atch') && row.status === 'in_progress',
      ],
    ];
    for (const [filter, keep] of cases) {
      const hits = rows.filter(keep);
      expect(hits.length, JSON.stringify(filter)).toBeGreaterThan(0);
      const sort = (filter.sort ?? 'updatedAt') as keyof typeof TASK_KEYS;
      const want = ordered(hits, TASK_KEYS[sort], 'desc');
      const query = { sort, ...filter, pageSize: '2' };
      expect(await walk(taskPage, query), JSON.stringify(filter)).toEqual(want);
      expect(await walk(taskPage, query, true), JSON.stringify(filter)).toEqual(want);
      expect((await taskPage(query)).total).toEqual({ count: hits.length, exact: true });
    }
    // Accents are not ignored: "cafe" is not "café" (the same answer on both databases).
    expect((await taskPage({ search: 'cafe' })).rows).toEqual([]);
  });

  it('neither repeats nor skips a task when tasks are added and deleted between pages', async () => {
    const before = await allTasks();
    const victims: string[] = [];
    const added: string[] = [];
    const seen = await walk(taskPage, { sort: 'title', order: 'desc', pageSize: '4' }, false, async (n) => {
      if (n !== 1) return;
      added.push(await makeTask(t, { title: 'zzz added early' }));
      added.push(await makeTask(t, { title: '000 added late' }));
      victims.push(...ordered(before, TASK_KEYS.title, 'desc').slice(-3, -1));
      await t.db.deleteFrom('tasks').where('id', 'in', victims).execute();
    });
    expect(new Set(seen).size).toBe(seen.length);
    const survivors = before.filter((row) => !victims.includes(row.id)).map((row) => row.id);
    expect(seen.filter((id) => !added.includes(id)).sort()).toEqual(survivors.sort());
    expect(seen).toContain(added[1]);
    expect(seen).not.toContain(added[0]);
  });

  it('refuses a made-up cursor with 400', async () => {
    const first = await taskPage({ sort: 'status', pageSize: '2' });
    const wrongKind = Buffer.from(JSON.stringify(['a', 'status:desc', 'text', 'id'])).toString('base64url');
    const queries: Record<string, string>[] = [
      { cursor: 'x' },
      { cursor: wrongKind, sort: 'status' },
      { cursor: first.next!, sort: 'title' },
    ];
    for (const query of queries) {
      const response = await admin.request({ method: 'GET', url: '/api/v1/tasks', query });
      expect(response.statusCode, JSON.stringify(query)).toBe(400);
      expect(errorOf(response).fields).toHaveProperty('cursor');
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** The statements a call runs, compiled, so that their plans can be read. */
async function statementsOf(run: (db: Kysely<Database>) => Promise<unknown>): Promise<CompiledQuery[]> {
  const statements: CompiledQuery[] = [];
  const executor = t.db.getExecutor();
  const spy: KyselyPlugin = {
    transformQuery: (args) => {
      statements.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  await run(t.db.withPlugin(spy));
  return statements;
}

async function planOf(statement: CompiledQuery): Promise<string> {
  return t.db.transaction().execute(async (trx) => {
    if (usingPostgres) {
      // A few dozen rows: left alone, PostgreSQL would rightly scan the table. Forbid that, and see
      // whether an index gives the order at all (if not, a Sort step appears anyway).
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local enable_sort = off`.execute(trx);
      await sql`set local enable_bitmapscan = off`.execute(trx);
    }
    const explain = CompiledQuery.raw(`${usingPostgres ? 'explain' : 'explain query plan'} ${statement.sql}`, [
      ...statement.parameters,
    ]);
    const result = await trx.executeQuery<Record<string, string>>(explain);
    return result.rows.map((row) => row['QUERY PLAN'] ?? row.detail ?? '').join('\n');
  });
}

describe('plans', () => {
  /** The page read of a list call: the statement with ORDER BY and the page's LIMIT (page size + 1). */
  async function pagePlan(run: (db: Kysely<Database>) => Promise<unknown>): Promise<string> {
    const statements = await statementsOf(run);
    const page = statements.find((s) => /order by/i.test(s.sql) && s.parameters.includes(26));
    expect(page, statements.map((s) => s.sql).join('\n')).toBeDefined();
    return planOf(page!);
  }
  const noSort = usingPostgres ? /\bSort\b/ : /TEMP B-TREE/;

  it('each Records sort, both ways, reads its own (key, id) index and sorts nothing', async () => {
    const index = {
      name: 'records_name_sort_idx',
      type: 'records_type_sort_idx',
      owner: 'records_owner_sort_idx',
      createdAt: 'records_created_sort_idx',
      updatedAt: 'records_updated_sort_idx',
    };
    for (const sort of RECORD_SORT_COLUMNS)
      for (const order of ['asc', 'desc'] as const) {
        const first = await listRecords(t.db, { sort, order, pageSize: 2 });
        for (const cursor of [undefined, first.next!, 'last']) {
          const plan = await pagePlan((db) => listRecords(db, { sort, order, pageSize: 25, cursor }));
          expect(plan, `${sort} ${order}:\n${plan}`).toContain(index[sort]);
          expect(plan, `${sort} ${order}:\n${plan}`).not.toMatch(noSort);
        }
      }
    const plan = await pagePlan((db) => listRecords(db, { sort: 'name', order: 'asc', pageSize: 25, search: 'åsa' }));
    expect(plan).toContain('records_name_sort_idx');
    expect(plan).not.toMatch(noSort);
  });

  it('each Tasks sort, both ways, reads its own (key, id) index and sorts nothing', async () => {
    const index = {
      title: 'tasks_title_sort_idx',
      status: 'tasks_status_sort_idx',
      dueDate: 'tasks_due_sort_idx',
      assignee: 'tasks_assignee_sort_idx',
      createdAt: 'tasks_created_sort_idx',
      updatedAt: 'tasks_updated_sort_idx',
    };
    const actor = { user: { id: adminId } } as Parameters<typeof listTasks>[1];
    for (const sort of TASK_SORT_COLUMNS)
      for (const order of ['asc', 'desc'] as const) {
        const first = await listTasks(t.db, actor, { sort, order, pageSize: 2 });
        for (const cursor of [undefined, first.next!, 'last']) {
          const plan = await pagePlan((db) => listTasks(db, actor, { sort, order, pageSize: 25, cursor }));
          expect(plan, `${sort} ${order}:\n${plan}`).toContain(index[sort]);
          expect(plan, `${sort} ${order}:\n${plan}`).not.toMatch(noSort);
        }
      }
  });
});

// ---------------------------------------------------------------------------------------------

describe('totals past 10,000', () => {
  it('count a filter exactly up to 10,000 and say "more" past it, every task exactly; a narrower filter is exact again', async () => {
    const now = '2026-01-01T00:00:00.000Z';
    for (let start = 0; start < 10_050; start += 500) {
      const batch = Array.from({ length: Math.min(500, 10_050 - start) }, (_, i) => ({
        id: randomUUID(),
        title: `Bulk ${start + i}`,
        title_normalized: `bulk ${start + i}`,
        record_id: null,
        status: (start + i) % 100 === 0 ? ('failed' as const) : ('complete' as const),
        assignee_user_id: null,
        due_date: null,
        created_by_user_id: null,
        created_at: now,
        updated_at: now,
        started_at: null,
        finished_at: null,
      }));
      await t.db.insertInto('tasks').values(batch).execute();
    }
    expect((await taskPage({ search: 'bulk' })).total).toEqual({ count: 10_000, exact: false });
    const tasks = Number(
      (
        await t.db
          .selectFrom('tasks')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(tasks).toBeGreaterThanOrEqual(10_050);
    expect((await taskPage({})).total).toEqual({ count: tasks, exact: true });
    expect((await taskPage({ search: 'bulk', status: 'failed' })).total).toEqual({ count: 101, exact: true });
    const last = await taskPage({ search: 'bulk', cursor: 'last', pageSize: '7' });
    expect(last.rows).toHaveLength(7);
    expect(last.next).toBeNull();

    // So many match that the page is read from the sort's own index, each row checked, not sorted.
    const actor = { user: { id: adminId } } as Parameters<typeof listTasks>[1];
    for (const filter of [{ search: 'bulk' }, { status: ['complete' as const, 'failed' as const] }]) {
      const statements = await statementsOf((db) =>
        listTasks(db, actor, { ...filter, sort: 'title', order: 'desc', pageSize: 25 }),
      );
      const page = statements.find((s) => /order by/i.test(s.sql) && s.parameters.includes(26))!;
      const plan = await planOf(page);
      expect(plan, plan).toContain('tasks_title_sort_idx');
      expect(plan, plan).not.toMatch(usingPostgres ? /\bSort\b/ : /TEMP B-TREE/);
    }

    // A title search sorted by title walks the title index alone (no task is read to check one),
    // and pages every match exactly once, both ways.
    const walked = await statementsOf((db) =>
      listTasks(db, actor, { search: 'bulk', sort: 'title', order: 'asc', pageSize: 25 }),
    );
    const walkPlan = await planOf(walked.find((s) => /order by/i.test(s.sql) && s.parameters.includes(26))!);
    expect(walkPlan, walkPlan).toMatch(
      usingPostgres ? /Index Only Scan using tasks_title_sort_idx/ : /COVERING INDEX tasks_title_sort_idx/,
    );
    const bulk = (await t.db.selectFrom('tasks').select(['id', 'title_normalized']).execute())
      .filter((row) => row.title_normalized.includes('bulk'))
      .sort((a, b) => compare(a.title_normalized, b.title_normalized) || compare(a.id, b.id))
      .map((row) => row.id);
    const query = { search: 'bulk', sort: 'title', order: 'asc', pageSize: '500' };
    expect(await walk(taskPage, query)).toEqual(bulk);
    expect(await walk(taskPage, query, true)).toEqual(bulk);
  });

  it('a search with 1,000 to 10,000 matches pages every match once, read along the sort index', async () => {
    // 'bulk 1' is in bulk 1, 10–19, 100–199, 1000–1999 and 10000–10049: 1,161 titles.
    const want = (await t.db.selectFrom('tasks').select(['id', 'title_normalized']).execute())
      .filter((row) => row.title_normalized.includes('bulk 1'))
      .sort((a, b) => compare(a.title_normalized, b.title_normalized) || compare(a.id, b.id))
      .map((row) => row.id);
    expect(want).toHaveLength(1161);
    const query = { search: 'BULK 1', sort: 'title', order: 'asc', pageSize: '100' };
    expect((await taskPage(query)).total).toEqual({ count: 1161, exact: true });
    expect(await walk(taskPage, query)).toEqual(want);
    expect(await walk(taskPage, query, true)).toEqual(want);
    const actor = { user: { id: adminId } } as Parameters<typeof listTasks>[1];
    for (const sort of ['title', 'createdAt'] as const) {
      const statements = await statementsOf((db) =>
        listTasks(db, actor, { search: 'bulk 1', sort, order: 'desc', pageSize: 25 }),
      );
      const plan = await planOf(statements.find((s) => /order by/i.test(s.sql) && s.parameters.includes(26))!);
      expect(plan, plan).not.toMatch(usingPostgres ? /\bSort\b/ : /TEMP B-TREE/);
    }
  });

  it('one status sorted by title reads (status, title, id), at any count', async () => {
    const actor = { user: { id: adminId } } as Parameters<typeof listTasks>[1];
    for (const status of ['failed', 'complete'] as const) {
      const statements = await statementsOf((db) =>
        listTasks(db, actor, { status: [status], sort: 'title', order: 'asc', pageSize: 25, cursor: 'last' }),
      );
      const plan = await planOf(statements.find((s) => /order by/i.test(s.sql) && s.parameters.includes(26))!);
      expect(plan, plan).toContain('tasks_status_title_idx');
      expect(plan, plan).not.toMatch(usingPostgres ? /\bSort\b/ : /TEMP B-TREE/);
    }
  });

  it('the title search finds the same tasks after VACUUM (SQLite may renumber rowids)', async () => {
    const victims = await t.db.selectFrom('tasks').select('id').where('title_normalized', 'like', 'bulk 2%').execute();
    await t.db
      .deleteFrom('tasks')
      .where(
        'id',
        'in',
        victims.map((v) => v.id),
      )
      .execute();
    await sql`vacuum`.execute(t.db);
    const page = await taskPage({ search: 'bulk 9999', pageSize: '10' });
    expect(page.rows.map((row) => (row as { title?: string }).title)).toEqual(['Bulk 9999']);
    expect((await taskPage({ search: 'bulk 2' })).total).toEqual({ count: 0, exact: true });
  });
});
