/**
 * The email outbox: every email Latchkey sends is a row of email_outbox, written in the same
 * transaction as the change it tells of (so a rolled-back change sends nothing) and delivered
 * later by the node's worker (mail/delivery.ts), so a slow or failing mail server never slows or
 * fails a request.
 *
 * The text may carry a secret (a forgot-password link): it is stored sealed with the installation
 * key and erased once the message is sent or has finally failed.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import { isoFromMs, nowIso, nowMs } from '../clock.js';
import { encryptSecret } from '../security/encryption.js';

/** One email to queue. */
export interface OutgoingEmail {
  /** The account it is about (null for an address with no account). */
  userId: string | null;
  to: string;
  /** What it is, for Administrators' list and the tests: 'password_changed', 'password_reset_link', … */
  kind: string;
  subject: string;
  /** The plain-text body. May contain a secret: it is stored encrypted, erased once sent. */
  text: string;
}

/**
 * What enqueueing needs from the running app (AppDeps.outbox, built with the app): whether SMTP is
 * configured, the key that seals bodies, and the worker to wake.
 */
export interface Outbox {
  /** False without LATCHKEY_SMTP_HOST: nothing is queued, nothing is sent. */
  readonly configured: boolean;
  readonly secretKey: Buffer;
  /** Tells this node's worker that a message was queued (it delivers it shortly after the commit). */
  wake(): void;
}

/**
 * The outbox of the app that runs on a database, found from any handle on it, a transaction
 * included (a transaction shares its database's adapter, one per opened database): recordAudit and
 * recordLoginAttempt, which every change and sign-in already call inside their transaction, queue
 * the account owner's notification (mail/notifications.ts) without each service being handed the
 * outbox. A database no app runs on (the CLI, a test's bare database) has none: nothing is sent.
 */
const outboxByDatabase = new WeakMap<object, Outbox>();

export function attachOutbox(db: Kysely<Database>, outbox: Outbox): void {
  outboxByDatabase.set(db.getExecutor().adapter, outbox);
}

export function outboxOf(db: Kysely<Database>): Outbox | null {
  return outboxByDatabase.get(db.getExecutor().adapter) ?? null;
}

/** Without SMTP configured, nothing is sent (and the sign-in page offers no "Forgot password?"). */
export function isEmailConfigured(config: Pick<Config, 'smtp'>): boolean {
  return config.smtp !== null;
}

/** The associated data that binds a sealed body to its own row. */
export function emailBodyAad(id: string): string {
  return `email_outbox:${id}:body`;
}

/** Refuses header injection: a recipient or subject with a line break would add headers. */
function assertSingleLine(name: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new Error(`An email's ${name} cannot contain a line break.`);
}

/**
 * Queues an email inside the caller's transaction; does nothing when SMTP is not configured
 * (nothing is queued, so nothing piles up waiting for a server that does not exist).
 */
export async function enqueueEmail(trx: Kysely<Database>, outbox: Outbox, email: OutgoingEmail): Promise<void> {
  if (!outbox.configured) return;
  assertSingleLine('recipient', email.to);
  assertSingleLine('subject', email.subject);
  const id = randomUUID();
  const now = nowIso();
  await trx
    .insertInto('email_outbox')
    .values({
      id,
      user_id: email.userId,
      recipient: email.to,
      kind: email.kind,
      subject: email.subject,
      body_encrypted: encryptSecret(outbox.secretKey, email.text, emailBodyAad(id)),
      status: 'queued',
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      created_at: now,
      sent_at: null,
    })
    .execute();
  outbox.wake();
}

/** How long a sent or failed message stays listed for Administrators (its text is already erased). */
export const FINISHED_EMAIL_KEPT_DAYS = 30;

/**
 * Forgets messages sent or failed more than FINISHED_EMAIL_KEPT_DAYS ago, so the outbox does not
 * grow for ever; a message still waiting is kept whatever its age. Called now and then, never on
 * the request path.
 */
export async function purgeFinishedEmails(db: Kysely<Database>): Promise<void> {
  await db
    .deleteFrom('email_outbox')
    .where('status', 'in', ['sent', 'failed'])
    .where('created_at', '<', isoFromMs(nowMs() - FINISHED_EMAIL_KEPT_DAYS * 24 * 60 * 60 * 1000))
    .execute();
}
