import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * The Records and Tasks lists read each page straight from an index, at a million rows as fast as
 * at ten: one `(sort key, id)` index per sort column, one per filter combined with the default
 * sort, and an index that serves the Tasks title search (any part of the title).
 *
 * Each key is a column, exactly the one services/records.ts and services/tasks.ts sort by, so the
 * index serves both the ORDER BY and the "past this row" condition of a keyset page. On PostgreSQL
 * text keys take the "C" collation, so both databases order by code point alike (as in 0002).
 * Nullable columns are coalesced: a key is never NULL. Written out here rather than shared with the
 * services, so this migration keeps meaning what it meant when it first ran.
 *
 * Two sorts are by another table's value: Records by the type's name, Tasks by the assignee's name.
 * An index on one table cannot hold another's column, so each row keeps a copy (records.type_sort,
 * tasks.assignee_sort), which triggers keep right whoever writes the row (the app, an import, the
 * seeder) and whenever the account's name changes.
 */

type Dialect = { sqlite: RawBuilder<unknown>; postgres: RawBuilder<unknown> };
const same = (expression: RawBuilder<unknown>): Dialect => ({ sqlite: expression, postgres: expression });
const text = (column: string): Dialect => ({
  sqlite: sql.raw(column),
  postgres: sql.raw(`${column} collate "C"`),
});
const cols = (...parts: Dialect[]): Dialect => ({
  sqlite: sql.join(parts.map((part) => part.sqlite)),
  postgres: sql.join(parts.map((part) => part.postgres)),
});
const id = same(sql.raw('id'));

/**
 * Sort keys computed from a row's own columns are generated columns rather than index expressions:
 * the keyset compares `(key, id)` as a row value, which SQLite serves from an index of columns
 * only. Virtual on SQLite (it cannot add a stored one to a table), stored on PostgreSQL (it has no
 * virtual ones before 18).
 */
const GENERATED: { table: 'records' | 'tasks'; column: string; type: 'text' | 'integer'; as: Dialect }[] = [
  // Owner is free text typed in any letter case: sorted by lower(), which folds ASCII on both databases.
  {
    table: 'records',
    column: 'owner_sort',
    type: 'text',
    as: { sqlite: sql.raw('lower(owner)'), postgres: sql.raw('lower(owner collate "C")') },
  },
  // Workflow order of a task's status.
  {
    table: 'tasks',
    column: 'status_rank',
    type: 'integer',
    as: same(
      sql.raw(
        "case status when 'not_started' then 0 when 'in_progress' then 1 when 'failed' then 2 when 'complete' then 3 else 4 end",
      ),
    ),
  },
  // No due date sorts first ascending.
  { table: 'tasks', column: 'due_sort', type: 'text', as: same(sql.raw("coalesce(due_date, '')")) },
];

const INDEXES: { name: string; table: 'records' | 'tasks'; on: Dialect }[] = [
  { name: 'records_name_sort_idx', table: 'records', on: cols(text('name_normalized'), id) },
  { name: 'records_type_sort_idx', table: 'records', on: cols(text('type_sort'), id) },
  { name: 'records_owner_sort_idx', table: 'records', on: cols(text('owner_sort'), id) },
  { name: 'records_created_sort_idx', table: 'records', on: cols(text('created_at'), id) },
  { name: 'records_updated_sort_idx', table: 'records', on: cols(text('updated_at'), id) },
  // The type filter with the default sort (by name).
  {
    name: 'records_type_name_sort_idx',
    table: 'records',
    on: cols(same(sql.raw('type_id')), text('name_normalized'), id),
  },

  { name: 'tasks_title_sort_idx', table: 'tasks', on: cols(text('title_normalized'), id) },
  { name: 'tasks_status_sort_idx', table: 'tasks', on: cols(same(sql.raw('status_rank')), id) },
  { name: 'tasks_due_sort_idx', table: 'tasks', on: cols(text('due_sort'), id) },
  { name: 'tasks_assignee_sort_idx', table: 'tasks', on: cols(text('assignee_sort'), id) },
  { name: 'tasks_created_sort_idx', table: 'tasks', on: cols(text('created_at'), id) },
  { name: 'tasks_updated_sort_idx', table: 'tasks', on: cols(text('updated_at'), id) },
  // Each filter with the default sort (most recently updated first).
  { name: 'tasks_status_updated_idx', table: 'tasks', on: cols(same(sql.raw('status')), text('updated_at'), id) },
  {
    name: 'tasks_assignee_updated_idx',
    table: 'tasks',
    on: cols(same(sql.raw('assignee_user_id')), text('updated_at'), id),
  },
  { name: 'tasks_record_updated_idx', table: 'tasks', on: cols(same(sql.raw('record_id')), text('updated_at'), id) },
];

/** Indexes of 0004 that an index above begins with, so they only cost writes now. */
const SUPERSEDED: { name: string; table: string; column: string }[] = [
  { name: 'records_name_normalized_idx', table: 'records', column: 'name_normalized' },
  { name: 'records_updated_at_idx', table: 'records', column: 'updated_at' },
  { name: 'tasks_status_idx', table: 'tasks', column: 'status' },
  { name: 'tasks_assignee_user_id_idx', table: 'tasks', column: 'assignee_user_id' },
  { name: 'tasks_record_id_idx', table: 'tasks', column: 'record_id' },
  { name: 'tasks_updated_at_idx', table: 'tasks', column: 'updated_at' },
  { name: 'tasks_title_normalized_idx', table: 'tasks', column: 'title_normalized' },
];

/** What an assignee sorts by: the name the list shows, then the email (lower-cased, as stored). */
const ASSIGNEE_SORT = (user: string) =>
  `${user}.first_name_normalized || ' ' || ${user}.last_name_normalized || ' ' || ${user}.email_normalized`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  await db.schema
    .alterTable('records')
    .addColumn('type_sort', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('tasks')
    .addColumn('assignee_sort', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await sql`update records set type_sort = (select t.name_normalized from record_types t where t.id = records.type_id)`.execute(
    db,
  );
  await sql`update tasks set assignee_sort = coalesce((select ${sql.raw(ASSIGNEE_SORT('u'))} from users u where u.id = tasks.assignee_user_id), '')`.execute(
    db,
  );
  for (const { table, column, type, as } of GENERATED) {
    await db.schema
      .alterTable(table)
      .addColumn(column, type, (c) => {
        const generated = c.notNull().generatedAlwaysAs(postgres ? as.postgres : as.sqlite);
        return postgres ? generated.stored() : generated;
      })
      .execute();
  }
  if (postgres) await postgresTriggers(db);
  else await sqliteTriggers(db);

  for (const index of SUPERSEDED) await db.schema.dropIndex(index.name).execute();
  for (const index of INDEXES) {
    await db.schema
      .createIndex(index.name)
      .on(index.table)
      .expression(postgres ? index.on.postgres : index.on.sqlite)
      .execute();
  }
  if (postgres) await postgresTitleSearch(db);
  else await sqliteTitleSearch(db);
}

/**
 * SQLite: the copies are set after the row is written, and only when they are not right already,
 * so a writer that sets them itself costs nothing more.
 */
async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  const typeSort = sql.raw('(select t.name_normalized from record_types t where t.id = new.type_id)');
  for (const event of ['insert', 'update of type_id']) {
    await sql`create trigger ${sql.raw(`records_type_sort_${event === 'insert' ? 'insert' : 'update'}`)}
      after ${sql.raw(event)} on records
      when new.type_sort is not ${typeSort}
      begin update records set type_sort = ${typeSort} where rowid = new.rowid; end`.execute(db);
  }
  const assigneeSort = sql.raw(
    `coalesce((select ${ASSIGNEE_SORT('u')} from users u where u.id = new.assignee_user_id), '')`,
  );
  for (const event of ['insert', 'update of assignee_user_id']) {
    await sql`create trigger ${sql.raw(`tasks_assignee_sort_${event === 'insert' ? 'insert' : 'update'}`)}
      after ${sql.raw(event)} on tasks
      when new.assignee_sort is not ${assigneeSort}
      begin update tasks set assignee_sort = ${assigneeSort} where rowid = new.rowid; end`.execute(db);
  }
  await sql`create trigger users_assignee_sort_update
    after update of first_name_normalized, last_name_normalized, email_normalized on users
    begin update tasks set assignee_sort = ${sql.raw(ASSIGNEE_SORT('new'))} where assignee_user_id = new.id; end`.execute(
    db,
  );
}

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`create function records_type_sort() returns trigger language plpgsql as $$
    begin
      new.type_sort := (select t.name_normalized from record_types t where t.id = new.type_id);
      return new;
    end $$`.execute(db);
  await sql`create trigger records_type_sort before insert or update of type_id on records
    for each row execute function records_type_sort()`.execute(db);
  await sql`create function tasks_assignee_sort() returns trigger language plpgsql as $$
    begin
      new.assignee_sort := coalesce((select ${sql.raw(ASSIGNEE_SORT('u'))} from users u where u.id = new.assignee_user_id), '');
      return new;
    end $$`.execute(db);
  await sql`create trigger tasks_assignee_sort before insert or update of assignee_user_id on tasks
    for each row execute function tasks_assignee_sort()`.execute(db);
  await sql`create function users_assignee_sort() returns trigger language plpgsql as $$
    begin
      update tasks set assignee_sort = ${sql.raw(ASSIGNEE_SORT('new'))} where assignee_user_id = new.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger users_assignee_sort after update of first_name_normalized, last_name_normalized, email_normalized
    on users for each row execute function users_assignee_sort()`.execute(db);
}

/**
 * SQLite: an FTS5 trigram index of the lower-cased title finds the tasks whose title contains a
 * text anywhere without reading every title. It holds no copy of the titles (content='tasks') and
 * is kept in step by triggers. It matches more loosely than the list (no accents), so the service
 * checks each hit with LIKE too.
 */
async function sqliteTitleSearch(db: Kysely<unknown>): Promise<void> {
  await sql`create virtual table tasks_title_search using fts5(
    title_normalized, content='tasks', content_rowid='rowid', tokenize='trigram remove_diacritics 1')`.execute(db);
  await sql`insert into tasks_title_search(tasks_title_search) values ('rebuild')`.execute(db);
  await sql`create trigger tasks_title_search_insert after insert on tasks begin
    insert into tasks_title_search(rowid, title_normalized) values (new.rowid, new.title_normalized); end`.execute(db);
  await sql`create trigger tasks_title_search_delete after delete on tasks begin
    insert into tasks_title_search(tasks_title_search, rowid, title_normalized)
      values ('delete', old.rowid, old.title_normalized); end`.execute(db);
  await sql`create trigger tasks_title_search_update after update of title_normalized on tasks begin
    insert into tasks_title_search(tasks_title_search, rowid, title_normalized)
      values ('delete', old.rowid, old.title_normalized);
    insert into tasks_title_search(rowid, title_normalized) values (new.rowid, new.title_normalized); end`.execute(db);
}

/**
 * PostgreSQL: a pg_trgm GIN index serves `title_normalized like '%…%'` directly. The extension is
 * created once per database (wherever it already is, it stays); the lock keeps two installations
 * migrating at once from both trying to create it.
 */
async function postgresTitleSearch(db: Kysely<unknown>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('latchkey: create extension pg_trgm'))`.execute(db);
  await sql`create extension if not exists pg_trgm with schema public`.execute(db);
  const { rows } = await sql<{ schema: string }>`select n.nspname as schema from pg_extension e
    join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db);
  const opclass = sql.raw(`"${rows[0]!.schema.replaceAll('"', '""')}".gin_trgm_ops`);
  await sql`create index tasks_title_search_idx on tasks using gin (title_normalized ${opclass})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  if (postgres) {
    await sql`drop index tasks_title_search_idx`.execute(db);
    await sql`drop trigger users_assignee_sort on users`.execute(db);
    await sql`drop trigger tasks_assignee_sort on tasks`.execute(db);
    await sql`drop trigger records_type_sort on records`.execute(db);
    for (const fn of ['users_assignee_sort', 'tasks_assignee_sort', 'records_type_sort'])
      await sql`drop function ${sql.raw(fn)}()`.execute(db);
  } else {
    for (const trigger of [
      'tasks_title_search_update',
      'tasks_title_search_delete',
      'tasks_title_search_insert',
      'users_assignee_sort_update',
      'tasks_assignee_sort_update',
      'tasks_assignee_sort_insert',
      'records_type_sort_update',
      'records_type_sort_insert',
    ])
      await sql`drop trigger ${sql.raw(trigger)}`.execute(db);
    await sql`drop table tasks_title_search`.execute(db);
  }
  for (const index of [...INDEXES].reverse()) await db.schema.dropIndex(index.name).execute();
  for (const index of SUPERSEDED)
    await db.schema.createIndex(index.name).on(index.table).column(index.column).execute();
  for (const { table, column } of [...GENERATED].reverse())
    await db.schema.alterTable(table).dropColumn(column).execute();
  await db.schema.alterTable('tasks').dropColumn('assignee_sort').execute();
  await db.schema.alterTable('records').dropColumn('type_sort').execute();
}
