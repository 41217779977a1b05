import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../clock.js';
import type { Actor } from '../auth/actor.js';
import type { AuditAction } from '../../shared/audit-actions.js';
import { notifyOwnerOfChange } from '../mail/notifications.js';

export type { AuditAction };

/**
 * Who acted: the account and the security group it acted with (both are written on the entry).
 * Null only for the CLI and the system itself (an identity provider's sign-in, say).
 */
export type AuditActor = Pick<Actor, 'user' | 'groupName'>;

export interface AuditEntry {
  actor: AuditActor | null;
  target?: { id: string; email: string } | null;
  action: AuditAction;
  /** What changed (old → new). Never a secret: callers pass only field names and public values. */
  details?: Record<string, unknown>;
  ip: string | null;
}

/**
 * Writes an audit entry; call it inside the same transaction as the change it records. A change
 * the account's owner is told of by email (mail/notifications.ts) is queued here too.
 */
export async function recordAudit(trx: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_events')
    .values({
      occurred_at: nowIso(),
      actor_user_id: entry.actor?.user.id ?? null,
      actor_email: entry.actor?.user.email ?? null,
      actor_group_name: entry.actor?.groupName ?? null,
      target_user_id: entry.target?.id ?? null,
      target_email: entry.target?.email ?? null,
      action: entry.action,
      details: JSON.stringify(entry.details ?? {}),
      ip: entry.ip,
    })
    .execute();
  await notifyOwnerOfChange(trx, entry);
}

/** old → new for each field whose value differs; the shape every "updated" audit entry uses. */
export function diffFields<T extends Record<string, unknown>>(
  before: T,
  after: Partial<T>,
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, value] of Object.entries(after)) {
    if (value !== undefined && before[key] !== value) changes[key] = { from: before[key], to: value };
  }
  return changes;
}
