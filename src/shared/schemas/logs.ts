import { z } from 'zod';

/** Filters shared by both logs: a UTC time range (ISO-8601) and paging. */
const LogPagingSchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

/** System events: every security-relevant change (who, to whom, what, when, from where). */
export const AuditQuerySchema = LogPagingSchema.extend({
  /** Email (prefix, case-insensitive) of the account that made the change. */
  actor: z.string().trim().max(254).optional(),
  /** Email (prefix, case-insensitive) of the account the change was made to. */
  target: z.string().trim().max(254).optional(),
  /** Exact action name, e.g. `user.security_updated`. */
  action: z.string().trim().max(100).optional(),
}).strict();
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const AuditEventSchema = z.object({
  id: z.number(),
  occurredAt: z.string(),
  actorUserId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  /** The actor's security group when it acted (null: the CLI or the system, or an entry from before it was kept). */
  actorGroup: z.string().nullable(),
  targetUserId: z.string().nullable(),
  targetEmail: z.string().nullable(),
  action: z.string(),
  /** What changed (old → new); never a secret. */
  details: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const AuditPageSchema = z.object({
  events: z.array(AuditEventSchema),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});

/** Login history: every sign-in attempt, successful or not. */
export const LoginHistoryQuerySchema = LogPagingSchema.extend({
  /** Email (prefix, case-insensitive) typed at sign-in. */
  email: z.string().trim().max(254).optional(),
  result: z.enum(['success', 'failure']).optional(),
}).strict();
export type LoginHistoryQuery = z.infer<typeof LoginHistoryQuerySchema>;

export const LoginAttemptSchema = z.object({
  id: z.number(),
  occurredAt: z.string(),
  userId: z.string().nullable(),
  email: z.string(),
  success: z.boolean(),
  /** Why it failed (for administrators only; the person saw the generic message). */
  reason: z.string().nullable(),
  method: z.string(),
  ip: z.string(),
  userAgent: z.string(),
});
export type LoginAttempt = z.infer<typeof LoginAttemptSchema>;

export const LoginHistoryPageSchema = z.object({
  attempts: z.array(LoginAttemptSchema),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});
