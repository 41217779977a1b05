import type { Kysely } from 'kysely';
import { autoIncrementId, binaryColumn } from '../portable.js';

/** The built-in record types every installation starts with; Administrators can add more. */
const BUILT_IN_RECORD_TYPES = [
  { id: 'computer', name: 'Computer' },
  { id: 'user', name: 'User' },
  { id: 'application', name: 'Application' },
];

/**
 * The platform data the security groups govern (product.md §Platform data): typed records with
 * key/value properties, tasks on records with notes and attachments. Attachments live in the
 * database, not on disk: every node sees the same files, backups hold them, and nothing a user
 * uploads ever sits in a folder a web server might serve.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('record_types')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_normalized', 'text', (c) => c.notNull().unique())
    .addColumn('is_builtin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  const now = new Date().toISOString();
  await db
    .insertInto('record_types' as never)
    .values(
      BUILT_IN_RECORD_TYPES.map((type) => ({
        id: type.id,
        name: type.name,
        name_normalized: type.name.toLowerCase(),
        is_builtin: 1,
        created_at: now,
      })),
    )
    .execute();

  await db.schema
    .createTable('records')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type_id', 'text', (c) => c.notNull().references('record_types.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_normalized', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull().defaultTo(''))
    /** JSON object of string keys to string values. */
    .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // One name per type: an import can tell "new" from "already there", and people can too.
    .addUniqueConstraint('records_type_name_unique', ['type_id', 'name_normalized'])
    .execute();
  await db.schema.createIndex('records_name_normalized_idx').on('records').column('name_normalized').execute();
  await db.schema.createIndex('records_updated_at_idx').on('records').column('updated_at').execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('title_normalized', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.references('records.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('not_started'))
    .addColumn('assignee_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    /** A calendar day, yyyy-mm-dd. */
    .addColumn('due_date', 'text')
    .addColumn('created_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  for (const column of ['status', 'assignee_user_id', 'record_id', 'updated_at', 'title_normalized']) {
    await db.schema.createIndex(`tasks_${column}_idx`).on('tasks').column(column).execute();
  }

  await db.schema
    .createTable('task_notes')
    .addColumn('id', autoIncrementId(db), (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('author_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    /** Kept so a note still says who wrote it after that account is deleted. */
    .addColumn('author_email', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('task_notes_task_id_idx').on('task_notes').column('task_id').execute();

  await db.schema
    .createTable('task_attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', binaryColumn(db), (c) => c.notNull())
    .addColumn('uploaded_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('uploaded_by_email', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('task_attachments_task_id_idx').on('task_attachments').column('task_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['task_attachments', 'task_notes', 'tasks', 'records', 'record_types']) {
    await db.schema.dropTable(table).execute();
  }
}
