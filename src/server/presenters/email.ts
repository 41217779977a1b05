/** Email delivery as Administrators see it (GET /api/v1/email). */
import type { Config } from '../config.js';
import type { countEmailsByStatus, EmailRow } from '../services/email-status.js';
import type { EmailMessage, EmailStatus } from '../../shared/schemas/email.js';

function presentMessage(row: EmailRow): EmailMessage {
  return {
    id: row.id,
    createdAt: row.created_at,
    recipient: row.recipient,
    kind: row.kind,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'queued' ? row.next_attempt_at : null,
    lastError: row.last_error,
    sentAt: row.sent_at,
  };
}

export function presentEmailStatus(
  smtp: Config['smtp'],
  counts: Awaited<ReturnType<typeof countEmailsByStatus>>,
  recent: EmailRow[],
): EmailStatus {
  return {
    // Never the password: not even whether it is long or short.
    smtp: smtp && { host: smtp.host, port: smtp.port, tls: smtp.tls, from: smtp.from, user: smtp.user },
    queueDepth: (counts.queued ?? 0) + (counts.sending ?? 0),
    failedCount: counts.failed ?? 0,
    recent: recent.map(presentMessage),
  };
}
