import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../clock.js';
import { runAfterCommit } from '../db/after-commit.js';
import { currentRequestId } from '../request-id.js';
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
  /** The identity provider the entry is about (SCIM provisioning names its provider). */
  identityProviderId?: string;
}

/**
 * An audit entry as streamed to stdout (LATCHKEY_AUDIT_STDOUT): the stored fields, named as the
 * API names them, plus the id of the request that made the change (null: the system or start-up).
 */
export interface StreamedAuditEntry {
  occurredAt: string;
  action: AuditAction;
  actorUserId: string | null;
  actorEmail: string | null;
  actorGroup: string | null;
  targetUserId: string | null;
  targetEmail: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
}

/** Where committed entries go, or null (the default: they are only stored). One per process. */
let auditStream: ((entry: StreamedAuditEntry) => void) | null = null;

/**
 * Streams every audit entry this process writes, once its transaction has committed (a change
 * rolled back never appears). Returns what stops it.
 */
export function streamAuditEntriesTo(write: (entry: StreamedAuditEntry) => void): () => void {
  auditStream = write;
  return () => {
    if (auditStream === write) auditStream = null;
  };
}

/**
 * Writes an audit entry; call it inside the same transaction as the change it records. A change
 * the account's owner is told of by email (mail/notifications.ts) is queued here too.
 */
export async function recordAudit(trx: Kysely<Database>, entry: AuditEntry): Promise<void> {
  const row = {
    occurred_at: nowIso(),
    actor_user_id: entry.actor?.user.id ?? null,
    actor_email: entry.actor?.user.email ?? null,
    actor_group_name: entry.actor?.groupName ?? null,
    target_user_id: entry.target?.id ?? null,
    target_email: entry.target?.email ?? null,
    action: entry.action,
    details: JSON.stringify(entry.details ?? {}),
    ip: entry.ip,
    // Only when there is one: every other entry leaves the column to its default (null).
    ...(entry.identityProviderId ? { identity_provider_id: entry.identityProviderId } : {}),
  };
  await trx.insertInto('audit_events').values(row).execute();
  await notifyOwnerOfChange(trx, entry);
  const stream = auditStream;
  if (!stream) return;
  const streamed: StreamedAuditEntry = {
    occurredAt: row.occurred_at,
    action: entry.action,
    actorUserId: row.actor_user_id,
    actorEmail: row.actor_email,
    actorGroup: row.actor_group_name,
    targetUserId: row.target_user_id,
    targetEmail: row.target_email,
    // Parsed back from what is stored: exactly the stored details, whatever the caller does next.
    details: JSON.parse(row.details) as Record<string, unknown>,
    ip: row.ip,
    requestId: currentRequestId(),
  };
  await runAfterCommit(trx, () => stream(streamed));
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
