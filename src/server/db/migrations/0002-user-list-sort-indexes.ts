import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * Indexes for sorting the User Accounts list by Title, Telephone and Functional Group, each ending
 * with the ID (the list's tie-breaker) so a page is read straight from the index.
 *
 * Each expression is exactly the one `listUsers` sorts by, so both databases order alike: Title
 * and Functional Group by `lower()` (ASCII letters only, on both), everything by code point. On
 * PostgreSQL that takes the "C" collation; the database's own (en_US.UTF-8, say) would order
 * differently from SQLite and could not use the index. Written out here rather than shared with
 * the service, so this migration keeps meaning what it meant when it first ran.
 */
const INDEXES = [
  { name: 'users_title_sort_idx', sqlite: sql`lower(title), id`, postgres: sql`lower(title collate "C"), id` },
  { name: 'users_telephone_sort_idx', sqlite: sql`telephone, id`, postgres: sql`telephone collate "C", id` },
  {
    name: 'users_functional_group_sort_idx',
    sqlite: sql`lower(functional_group), id`,
    postgres: sql`lower(functional_group collate "C"), id`,
  },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  for (const index of INDEXES) {
    await db.schema
      .createIndex(index.name)
      .on('users')
      .expression(postgres ? index.postgres : index.sqlite)
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of [...INDEXES].reverse()) await db.schema.dropIndex(index.name).execute();
}
