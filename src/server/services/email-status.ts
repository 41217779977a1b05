/** What Administrators see of email: counts by status and the latest messages (never a body). */
import type { Kysely } from 'kysely';
import type { Database, EmailOutboxTable } from '../db/schema.js';
import { RECENT_EMAILS_LIMIT } from '../../shared/schemas/email.js';

export type EmailRow = Omit<EmailOutboxTable, 'body_encrypted' | 'user_id'>;

/**
 * Messages not sent (queued, sending, failed), per status; statuses with none are absent. Sent ones
 * are left out: they are most of the table, and the status index counts the others alone.
 */
export async function countEmailsByStatus(
  db: Kysely<Database>,
): Promise<Partial<Record<Exclude<EmailRow['status'], 'sent'>, number>>> {
  const rows = await db
    .selectFrom('email_outbox')
    .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
    .where('status', 'in', ['queued', 'sending', 'failed'])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
}

/** The latest messages, newest first, without their bodies. */
export async function recentEmails(db: Kysely<Database>): Promise<EmailRow[]> {
  return db
    .selectFrom('email_outbox')
    .select([
      'id',
      'recipient',
      'kind',
      'subject',
      'status',
      'attempts',
      'next_attempt_at',
      'last_error',
      'created_at',
      'sent_at',
    ])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(RECENT_EMAILS_LIMIT)
    .execute();
}
