/** The audit log and the login history as the API shows them. */
import type { AuditEventRow, LoginAttemptRow } from '../services/logs.js';
import type { AuditEvent, LoginAttempt } from '../../shared/schemas/logs.js';

/** An audit row as the API shows it: every field listed, details parsed from their JSON. */
export function presentAuditEvent(row: AuditEventRow): AuditEvent {
  let details: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.details);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) details = parsed as Record<string, unknown>;
  } catch {
    details = {};
  }
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    actorUserId: row.actor_user_id,
    actorEmail: row.actor_email,
    actorGroup: row.actor_group_name,
    targetUserId: row.target_user_id,
    targetEmail: row.target_email,
    action: row.action,
    details,
    ip: row.ip,
  };
}

/** A login history row as the API shows it. */
export function presentLoginAttempt(row: LoginAttemptRow): LoginAttempt {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    userId: row.user_id,
    email: row.email,
    success: Boolean(Number(row.success)),
    reason: row.reason,
    method: row.method,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}
