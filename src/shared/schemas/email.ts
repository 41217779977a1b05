import { z } from 'zod';

export const EMAIL_STATUSES = ['queued', 'sending', 'sent', 'failed'] as const;

/** How many recent messages the Email section lists. */
export const RECENT_EMAILS_LIMIT = 50;

/** One message as Administrators see it: never its text (it may have carried a secret). */
export const EmailMessageSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  recipient: z.string(),
  /** What it was: password_changed, api_token_generated, new_sign_in, … */
  kind: z.string(),
  subject: z.string(),
  status: z.enum(EMAIL_STATUSES),
  attempts: z.number().int(),
  /** When it is tried again (queued after a failure), else null. */
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
});
export type EmailMessage = z.infer<typeof EmailMessageSchema>;

/** GET /api/v1/email: the SMTP settings (never the password), the queue, the latest messages. */
export const EmailStatusSchema = z.object({
  /** Null without SMTP configured: nothing is sent. */
  smtp: z
    .object({
      host: z.string(),
      port: z.number().int(),
      tls: z.enum(['starttls', 'tls', 'none']),
      from: z.string(),
      /** Whether Latchkey signs in to the server (the user name is shown, the password never). */
      user: z.string().nullable(),
    })
    .nullable(),
  /** Messages waiting to be sent or being sent now, on any node. */
  queueDepth: z.number().int(),
  /** Messages that could not be delivered, ever. */
  failedCount: z.number().int(),
  recent: z.array(EmailMessageSchema),
});
export type EmailStatus = z.infer<typeof EmailStatusSchema>;
