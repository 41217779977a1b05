/** The audit log and the login history as the API shows them. */
import type { AuditEventRow, LoginAttemptRow } from '../services/logs.js';
import type { AuditEvent, LoginAttempt } from '../../shared/schemas/logs.js';
import { auditActionCategory, auditActionLabel } from '../../shared/audit-actions.js';
import { describeAuditDetails, NO_NAMES, parseDetails, type AuditNames } from './audit-wording.js';

/**
 * An audit row as the API shows it: every field listed, details parsed from their JSON and told
 * in words, the accounts by name next to the email they had then (`names`: loaded for the page).
 */
export function presentAuditEvent(row: AuditEventRow, names: AuditNames = NO_NAMES): AuditEvent {
  const details = parseDetails(row.details);
  const nameOf = (id: string | null) => (id ? (names.accounts.get(id)?.name ?? null) : null) || null;
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    actorUserId: row.actor_user_id,
    actorEmail: row.actor_email,
    actorName: nameOf(row.actor_user_id),
    actorGroup: row.actor_group_name,
    targetUserId: row.target_user_id,
    targetEmail: row.target_email,
    targetName: nameOf(row.target_user_id),
    action: row.action,
    actionLabel: auditActionLabel(row.action),
    category: auditActionCategory(row.action),
    details,
    summary: describeAuditDetails(row.action, details, names),
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
