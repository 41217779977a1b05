import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * The logs at ten million entries, and how long they are kept.
 *
 * Both logs are read newest first, a page at a time from a cursor, under filters that each match
 * one value exactly (an account's email in any letter case, an action, a result) plus a time
 * range. One index per filter, each (filter value, occurred_at, id), turns every such page into a
 * range read of that index, in order, wherever the page lies; two filters that are often used
 * together (an account and an action or result) get one index of both, so a busy account's rare
 * action is not searched for among all its entries.
 *
 * The expressions are exactly the ones services/logs.ts filters and sorts by: emails folded with
 * lower() (ASCII letters only, on both databases) and, on PostgreSQL, the time in the "C"
 * collation, so both databases order alike and the planner can match query and index. Written
 * out here rather than shared with the service, so this migration keeps meaning what it meant.
 *
 * The indexes they replace go: (occurred_at) and (action, occurred_at) lack the ID tie-breaker,
 * and nothing reads by target_user_id or user_id.
 *
 * installation_settings.log_retention_days: how many days of both logs to keep; NULL keeps them
 * forever (the default).
 */
const DROPPED = [
  'audit_events_occurred_at_idx',
  'audit_events_target_idx',
  'audit_events_action_occurred_at_idx',
  'login_history_occurred_at_idx',
  'login_history_user_id_idx',
];

function indexes(postgres: boolean) {
  const time = postgres ? sql`occurred_at collate "C", id` : sql`occurred_at, id`;
  const folded = (column: string) =>
    postgres ? sql`lower(${sql.ref(column)} collate "C")` : sql`lower(${sql.ref(column)})`;
  const list: { name: string; table: string; expression: RawBuilder<unknown>; include?: string }[] = [
    { name: 'audit_events_time_idx', table: 'audit_events', expression: time },
    { name: 'audit_events_action_time_idx', table: 'audit_events', expression: sql`action, ${time}` },
    {
      name: 'audit_events_actor_time_idx',
      table: 'audit_events',
      expression: sql`${folded('actor_email')}, ${time}`,
      include: 'actor_email',
    },
    {
      name: 'audit_events_actor_action_time_idx',
      table: 'audit_events',
      expression: sql`${folded('actor_email')}, action, ${time}`,
      include: 'actor_email',
    },
    {
      name: 'audit_events_target_time_idx',
      table: 'audit_events',
      expression: sql`${folded('target_email')}, ${time}`,
      include: 'target_email',
    },
    { name: 'login_history_time_idx', table: 'login_history', expression: time },
    { name: 'login_history_result_time_idx', table: 'login_history', expression: sql`success, ${time}` },
    {
      name: 'login_history_email_time_idx',
      table: 'login_history',
      expression: sql`${folded('email')}, ${time}`,
      include: 'email',
    },
    {
      name: 'login_history_email_result_time_idx',
      table: 'login_history',
      expression: sql`${folded('email')}, success, ${time}`,
      include: 'email',
    },
  ];
  return list;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  for (const index of indexes(postgres)) {
    // PostgreSQL answers a count from an index alone only if the index holds every column the
    // query names; an index on lower(email) does not hold email, so it carries it (INCLUDE).
    // Without it, counting 10,000 events of one account read 10,000 table rows (over a second).
    // SQLite reads expression indexes alone already, and has no INCLUDE.
    if (postgres && index.include) {
      await sql`create index ${sql.id(index.name)} on ${sql.table(index.table)} (${index.expression}) include (${sql.ref(index.include)})`.execute(
        db,
      );
    } else {
      await db.schema.createIndex(index.name).on(index.table).expression(index.expression).execute();
    }
  }
  for (const name of DROPPED) await db.schema.dropIndex(name).execute();
  await db.schema.alterTable('installation_settings').addColumn('log_retention_days', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('installation_settings').dropColumn('log_retention_days').execute();
  await db.schema.createIndex('audit_events_occurred_at_idx').on('audit_events').column('occurred_at').execute();
  await db.schema.createIndex('audit_events_target_idx').on('audit_events').column('target_user_id').execute();
  await db.schema
    .createIndex('audit_events_action_occurred_at_idx')
    .on('audit_events')
    .columns(['action', 'occurred_at'])
    .execute();
  await db.schema.createIndex('login_history_occurred_at_idx').on('login_history').column('occurred_at').execute();
  await db.schema.createIndex('login_history_user_id_idx').on('login_history').column('user_id').execute();
  for (const index of indexes(isPostgres(db)).reverse()) await db.schema.dropIndex(index.name).execute();
}
