import { z } from 'zod';
import { pageInfoFields, pageQueryFields } from './paging.js';
import { AUDIT_CATEGORY_IDS } from '../audit-actions.js';

/** Both logs' time range: ISO-8601 with an offset, both ends inclusive, from not after to. */
const TimeRangeFields = {
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
};

/** An account's email, matched whole in any letter case (ASCII letters). Empty: any account. */
const EmailFilter = z.string().trim().max(254).optional();

/** System events' filters (the list's and the export's). */
export const AuditFilterSchema = z
  .object({
    ...TimeRangeFields,
    /** Email of the account that made the change. */
    actor: EmailFilter,
    /** Email of the account the change was made to. */
    target: EmailFilter,
    /** Exact action name, e.g. `user.security_updated`. */
    action: z.string().trim().max(100).optional(),
    /** A category of actions (src/shared/audit-actions.ts): accounts, security, sessions, groups, … */
    category: z.enum(AUDIT_CATEGORY_IDS).optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

/** System events: every security-relevant change (who, to whom, what, when, from where). */
export const AuditQuerySchema = AuditFilterSchema.extend(pageQueryFields(50)).strict();
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const AuditEventSchema = z.object({
  id: z.number(),
  occurredAt: z.string(),
  actorUserId: z.string().nullable(),
  /** The email the actor had when it acted (kept after the account is deleted). */
  actorEmail: z.string().nullable(),
  /** The actor's name ("First Last") if the account still exists. */
  actorName: z.string().nullable(),
  /** The actor's security group when it acted (null: the CLI or the system, or an entry from before it was kept). */
  actorGroup: z.string().nullable(),
  targetUserId: z.string().nullable(),
  /** The email the target had at the time (kept after the account is deleted). */
  targetEmail: z.string().nullable(),
  /** The target's name ("First Last") if the account still exists. */
  targetName: z.string().nullable(),
  action: z.string(),
  /** The action in words ("Demo data loaded"). */
  actionLabel: z.string(),
  /** The action's category (null: an action this version does not know). */
  category: z.enum(AUDIT_CATEGORY_IDS).nullable(),
  /** What changed (old → new); never a secret. */
  details: z.record(z.string(), z.unknown()),
  /** The details in words, one line each: "Must change password: off → on". */
  summary: z.array(z.string()),
  ip: z.string().nullable(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const AuditPageSchema = z.object({
  events: z.array(AuditEventSchema),
  ...pageInfoFields,
});

/** Login history: every sign-in attempt, successful or not. */
export const LoginHistoryFilterSchema = z
  .object({
    ...TimeRangeFields,
    /** The email typed at sign-in. */
    email: EmailFilter,
    result: z.enum(['success', 'failure']).optional(),
  })
  .strict();
export type LoginHistoryFilter = z.infer<typeof LoginHistoryFilterSchema>;

export const LoginHistoryQuerySchema = LoginHistoryFilterSchema.extend(pageQueryFields(50)).strict();
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
  ...pageInfoFields,
});
