import type { Kysely } from 'kysely';

/**
 * The System Events filter by exact action, newest first: an index on (action, occurred_at) reads
 * one action's events in time order instead of scanning the whole log. (The time range alone uses
 * audit_events_occurred_at_idx from 0001.) Plain columns, so the same on both databases.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('audit_events_action_occurred_at_idx')
    .on('audit_events')
    .columns(['action', 'occurred_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_events_action_occurred_at_idx').execute();
}
