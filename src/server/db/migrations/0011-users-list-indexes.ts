import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * The User Accounts list at a million accounts: an index `(sort key, id)` for every sort of the
 * list, so a page (keyset paging) is read straight from an index in either direction; indexes for
 * each filter with the default sort (email); and a trigram index for searching a substring of the
 * email or name.
 *
 * Each key is written exactly as services/users.ts sorts by it (a planner uses an index only for
 * the very same expression): text by code point, which on PostgreSQL takes the "C" collation;
 * Last Login coalesced to '' so "never signed in" sorts as the oldest. Written out here rather than
 * shared with the service, so this migration keeps meaning what it meant when it first ran.
 * (Title, Telephone and Functional Group have theirs from 0002.)
 */
const C = sql.raw(' collate "C"');
const text = (column: string, postgres: boolean) => (postgres ? sql`${sql.ref(column)}${C}` : sql.ref(column));

function sortIndexes(postgres: boolean): Array<{ name: string; on: RawBuilder<unknown> }> {
  const t = (column: string) => text(column, postgres);
  return [
    { name: 'users_email_sort_idx', on: sql`${t('email_normalized')}, id` },
    { name: 'users_first_name_sort_idx', on: sql`${t('first_name_normalized')}, id` },
    { name: 'users_last_name_sort_idx', on: sql`${t('last_name_normalized')}, id` },
    // Also the Security Group filter's, and the one the group-name sort reads group by group.
    { name: 'users_group_sort_idx', on: sql`security_group_id, id` },
    { name: 'users_status_sort_idx', on: sql`${t('status')}, id` },
    { name: 'users_user_type_sort_idx', on: sql`${t('user_type')}, id` },
    {
      name: 'users_last_login_sort_idx',
      on: postgres ? sql`coalesce(last_login_at, '')${C}, id` : sql`coalesce(last_login_at, ''), id`,
    },
    { name: 'users_session_timeout_sort_idx', on: sql`session_timeout_minutes, id` },
    { name: 'users_created_at_sort_idx', on: sql`${t('created_at')}, id` },
    // Each filter with the default sort: the page is a range of one index however rare the match.
    { name: 'users_group_email_idx', on: sql`security_group_id, ${t('email_normalized')}, id` },
    { name: 'users_status_email_idx', on: sql`status, ${t('email_normalized')}, id` },
    { name: 'users_user_type_email_idx', on: sql`user_type, ${t('email_normalized')}, id` },
  ];
}

/** Single-column indexes of 0001 that an index above now serves (as its first column) or replaces. */
const SUPERSEDED = [
  { name: 'users_first_name_normalized_idx', column: 'first_name_normalized' },
  { name: 'users_last_name_normalized_idx', column: 'last_name_normalized' },
  { name: 'users_security_group_id_idx', column: 'security_group_id' },
  { name: 'users_last_login_at_idx', column: 'last_login_at' },
  { name: 'users_created_at_idx', column: 'created_at' },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  for (const index of sortIndexes(postgres)) {
    await db.schema.createIndex(index.name).on('users').expression(index.on).execute();
  }
  for (const index of SUPERSEDED) await db.schema.dropIndex(index.name).execute();
  if (postgres) await createTrigramIndexesPostgres(db);
  else await createTrigramIndexSqlite(db);
}

/**
 * PostgreSQL: pg_trgm GIN indexes on the lower-cased email and "first last", which serve
 * `like '%text%'`. The extension is created once per database in its own schema (public unless it
 * already exists elsewhere) and its operator class named with that schema: a schema of our own
 * may be dropped (the tests do) and must not take the extension with it. The advisory lock keeps
 * two installations migrating at once from both creating it.
 */
async function createTrigramIndexesPostgres(db: Kysely<unknown>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('latchkey: create extension pg_trgm'))`.execute(db);
  let schema = await trigramSchema(db);
  if (!schema) {
    await sql`create extension if not exists pg_trgm with schema public`.execute(db);
    schema = 'public';
  }
  const ops = sql`${sql.id(schema)}.gin_trgm_ops`;
  await sql`create index users_email_trgm_idx on users using gin (email_normalized ${ops})`.execute(db);
  await sql`create index users_name_trgm_idx on users using gin ((first_name_normalized || ' ' || last_name_normalized) ${ops})`.execute(
    db,
  );
}

async function trigramSchema(db: Kysely<unknown>): Promise<string | null> {
  const { rows } = await sql<{ schema: string }>`select n.nspname as schema from pg_extension e
    join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db);
  return rows[0]?.schema ?? null;
}

/**
 * SQLite: an FTS5 table with the trigram tokenizer over the lower-cased email and "first last",
 * contentless (the text lives in users; the service checks each match against it), kept in step
 * by triggers. Its rows are numbered by users_search_keys, because a users row has no stable
 * integer of its own (VACUUM may renumber the rowid of a table with a text primary key).
 */
async function createTrigramIndexSqlite(db: Kysely<unknown>): Promise<void> {
  const name = sql.raw(`new.first_name_normalized || ' ' || new.last_name_normalized`);
  const statements = [
    sql`create table users_search_keys (n integer primary key, user_id text not null unique)`,
    sql`create virtual table users_search using fts5(email, name, content='', contentless_delete=1, tokenize='trigram')`,
    sql`insert into users_search_keys (user_id) select id from users order by id`,
    sql`insert into users_search (rowid, email, name)
      select k.n, u.email_normalized, u.first_name_normalized || ' ' || u.last_name_normalized
      from users_search_keys k join users u on u.id = k.user_id`,
    sql`create trigger users_search_insert after insert on users begin
      insert into users_search_keys (user_id) values (new.id);
      insert into users_search (rowid, email, name)
        values ((select n from users_search_keys where user_id = new.id), new.email_normalized, ${name});
    end`,
    sql`create trigger users_search_delete after delete on users begin
      delete from users_search where rowid = (select n from users_search_keys where user_id = old.id);
      delete from users_search_keys where user_id = old.id;
    end`,
    sql`create trigger users_search_update after update of id, email_normalized, first_name_normalized, last_name_normalized on users begin
      delete from users_search where rowid = (select n from users_search_keys where user_id = old.id);
      update users_search_keys set user_id = new.id where user_id = old.id;
      insert into users_search (rowid, email, name)
        values ((select n from users_search_keys where user_id = new.id), new.email_normalized, ${name});
    end`,
  ];
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  if (postgres) {
    // The extension stays: other schemas of the database may use it.
    for (const name of ['users_name_trgm_idx', 'users_email_trgm_idx']) await db.schema.dropIndex(name).execute();
  } else {
    for (const trigger of ['users_search_update', 'users_search_delete', 'users_search_insert'])
      await sql`drop trigger ${sql.id(trigger)}`.execute(db);
    await sql`drop table users_search`.execute(db);
    await sql`drop table users_search_keys`.execute(db);
  }
  for (const index of SUPERSEDED) await db.schema.createIndex(index.name).on('users').column(index.column).execute();
  for (const index of sortIndexes(postgres).reverse()) await db.schema.dropIndex(index.name).execute();
}
