import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * The Tasks list at a million tasks, what 0012 left slow:
 *
 * - Filtered by status and sorted by title: the status filter is often a few percent of the tasks
 *   (Failed), too many to fetch and sort per page, too few for walking the title index to find a
 *   page quickly at every depth. An index (status, title, id) makes each page one range of it.
 * - SQLite's title search: the FTS5 trigram table of 0012 numbered its rows by the tasks' rowid,
 *   which VACUUM may renumber (tasks has a text primary key), silently pointing the search at
 *   other tasks. It is rebuilt here, numbered by a table of its own (tasks_search_keys), as the
 *   users search is (0011).
 *
 * Written out here rather than shared with services/tasks.ts, so this migration keeps meaning
 * what it meant when it first ran.
 */

const STATUS_TITLE_INDEX = 'tasks_status_title_idx';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  await sql`create index ${sql.raw(STATUS_TITLE_INDEX)} on tasks (status, ${sql.raw(
    postgres ? 'title_normalized collate "C"' : 'title_normalized',
  )}, id)`.execute(db);
  if (!postgres) await rebuildSqliteTitleSearch(db);
}

/**
 * A contentless FTS5 trigram table of the lower-cased titles (the text lives in tasks), its rows
 * numbered by tasks_search_keys and kept in step by triggers. Case-sensitive, without folding
 * accents (0012's folded them): it holds the titles already lower-cased and is searched with
 * lower-cased text, so a quoted phrase matches exactly the titles that contain it, as the list's
 * LIKE does. Its matches can then be counted without reading the tasks.
 */
async function rebuildSqliteTitleSearch(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`drop trigger tasks_title_search_insert`,
    sql`drop trigger tasks_title_search_delete`,
    sql`drop trigger tasks_title_search_update`,
    sql`drop table tasks_title_search`,
    sql`create table tasks_search_keys (n integer primary key, task_id text not null unique)`,
    sql`create virtual table tasks_search using fts5(title, content='', contentless_delete=1,
      tokenize='trigram case_sensitive 1')`,
    sql`insert into tasks_search_keys (task_id) select id from tasks order by id`,
    sql`insert into tasks_search (rowid, title)
      select k.n, t.title_normalized from tasks_search_keys k join tasks t on t.id = k.task_id`,
    sql`create trigger tasks_search_insert after insert on tasks begin
      insert into tasks_search_keys (task_id) values (new.id);
      insert into tasks_search (rowid, title)
        values ((select n from tasks_search_keys where task_id = new.id), new.title_normalized);
    end`,
    sql`create trigger tasks_search_delete after delete on tasks begin
      delete from tasks_search where rowid = (select n from tasks_search_keys where task_id = old.id);
      delete from tasks_search_keys where task_id = old.id;
    end`,
    sql`create trigger tasks_search_update after update of id, title_normalized on tasks begin
      delete from tasks_search where rowid = (select n from tasks_search_keys where task_id = old.id);
      update tasks_search_keys set task_id = new.id where task_id = old.id;
      insert into tasks_search (rowid, title)
        values ((select n from tasks_search_keys where task_id = new.id), new.title_normalized);
    end`,
  ];
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  if (!postgres) {
    const statements = [
      sql`drop trigger tasks_search_update`,
      sql`drop trigger tasks_search_delete`,
      sql`drop trigger tasks_search_insert`,
      sql`drop table tasks_search`,
      sql`drop table tasks_search_keys`,
      // 0012's table, as it was.
      sql`create virtual table tasks_title_search using fts5(
        title_normalized, content='tasks', content_rowid='rowid', tokenize='trigram remove_diacritics 1')`,
      sql`insert into tasks_title_search(tasks_title_search) values ('rebuild')`,
      sql`create trigger tasks_title_search_insert after insert on tasks begin
        insert into tasks_title_search(rowid, title_normalized) values (new.rowid, new.title_normalized); end`,
      sql`create trigger tasks_title_search_delete after delete on tasks begin
        insert into tasks_title_search(tasks_title_search, rowid, title_normalized)
          values ('delete', old.rowid, old.title_normalized); end`,
      sql`create trigger tasks_title_search_update after update of title_normalized on tasks begin
        insert into tasks_title_search(tasks_title_search, rowid, title_normalized)
          values ('delete', old.rowid, old.title_normalized);
        insert into tasks_title_search(rowid, title_normalized) values (new.rowid, new.title_normalized); end`,
    ];
    for (const statement of statements) await statement.execute(db);
  }
  await sql`drop index ${sql.raw(STATUS_TITLE_INDEX)}`.execute(db);
}
