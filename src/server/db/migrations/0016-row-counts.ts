import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * How many accounts, records and tasks there are, kept by triggers, so an unfiltered list shows
 * its exact total in one read instead of counting (a list counted up to 10,001 rows on every
 * request and then said "more than 10,000"; that count was most of a first page's time at a
 * million accounts).
 *
 * row_counts holds one row per counted table. On PostgreSQL, statement-level triggers add the
 * number of rows an INSERT or DELETE statement wrote (one update per statement: a bulk insert of
 * 10,000 rows pays once) and TRUNCATE resets it. SQLite has only row-level triggers: one update
 * per row. The seed, which writes a million rows at a time, counts them once at the end instead
 * (services/seed/sqlite-writer.ts). No cascade between the counted tables deletes rows
 * (references to accounts, records and tasks are set to null), so one statement locks at most one
 * counter row.
 */
export const COUNTED_TABLES = ['users', 'records', 'tasks'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table row_counts (table_name text primary key, row_count bigint not null)`.execute(db);
  for (const table of COUNTED_TABLES) {
    await sql`insert into row_counts (table_name, row_count) select ${table}, count(*) from ${sql.table(table)}`.execute(
      db,
    );
  }
  if (isPostgres(db)) {
    await sql`create function latchkey_count_rows() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          update row_counts set row_count = row_count + (select count(*) from counted_rows) where table_name = tg_table_name;
        elsif tg_op = 'DELETE' then
          update row_counts set row_count = row_count - (select count(*) from counted_rows) where table_name = tg_table_name;
        else
          update row_counts set row_count = 0 where table_name = tg_table_name;
        end if;
        return null;
      end $$`.execute(db);
    for (const table of COUNTED_TABLES) {
      const name = sql.table(table);
      await sql`create trigger ${sql.raw(`${table}_row_count_insert`)} after insert on ${name}
        referencing new table as counted_rows for each statement execute function latchkey_count_rows()`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_row_count_delete`)} after delete on ${name}
        referencing old table as counted_rows for each statement execute function latchkey_count_rows()`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_row_count_truncate`)} after truncate on ${name}
        for each statement execute function latchkey_count_rows()`.execute(db);
    }
    return;
  }
  for (const table of COUNTED_TABLES) {
    await sql
      .raw(
        `create trigger ${table}_row_count_insert after insert on ${table} begin
          update row_counts set row_count = row_count + 1 where table_name = '${table}';
        end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_row_count_delete after delete on ${table} begin
          update row_counts set row_count = row_count - 1 where table_name = '${table}';
        end`,
      )
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  for (const table of COUNTED_TABLES) {
    for (const event of postgres ? ['insert', 'delete', 'truncate'] : ['insert', 'delete']) {
      const trigger = sql.raw(`${table}_row_count_${event}`);
      if (postgres) await sql`drop trigger ${trigger} on ${sql.table(table)}`.execute(db);
      else await sql`drop trigger ${trigger}`.execute(db);
    }
  }
  if (postgres) await sql`drop function latchkey_count_rows()`.execute(db);
  await sql`drop table row_counts`.execute(db);
}
