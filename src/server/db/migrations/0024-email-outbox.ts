import type { Kysely } from 'kysely';

/**
 * email_outbox: every email Latchkey sends, queued in the same transaction as the change it tells
 * of (a rolled-back change sends nothing) and delivered by a worker on each node
 * (mail/delivery.ts), so a slow or failing mail server never slows or fails a request.
 *
 * - body_encrypted: the text, sealed with the installation key (a forgot-password message carries
 *   a sign-in secret) and erased once the message is sent or has finally failed. Recipient, kind
 *   and subject stay, for Administrators to see what was sent.
 * - status: queued → sending → sent, or back to queued (a retry, later) → … → failed.
 * - next_attempt_at: when a queued message is due; for a message being sent, when the sending
 *   node's lease ends (a node that died mid-send leaves it to be claimed again then).
 * - attempts: deliveries tried so far; last_error: why the last one failed (the server's answer).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('email_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body_encrypted', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  // The worker's claim: due messages by status and time.
  await db.schema
    .createIndex('email_outbox_due_idx')
    .on('email_outbox')
    .columns(['status', 'next_attempt_at'])
    .execute();
  // Administrators' list of recent messages, newest first.
  await db.schema.createIndex('email_outbox_created_idx').on('email_outbox').columns(['created_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_outbox').execute();
}
