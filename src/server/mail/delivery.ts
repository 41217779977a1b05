/**
 * The delivery worker, one per node: takes due messages from email_outbox and sends them through
 * the configured SMTP server with nodemailer, one at a time, away from any request.
 *
 * Several nodes may share one PostgreSQL database: a node claims a message with a conditional
 * UPDATE (still due, still at the attempt count it read), so of two nodes reaching for the same
 * message only one gets it. The claim is a lease: a node that dies mid-send leaves the message to
 * be claimed again when the lease ends (the only way a message can go out twice).
 *
 * A failed delivery is retried later (1 minute, 5 minutes, 30 minutes, 2 hours, 6 hours), then the
 * message is marked failed; a permanent refusal (an SMTP 5xx answer: no such mailbox, relaying
 * denied) fails it at once. The body is erased when the message is sent or has failed.
 *
 * Woken in-process right after a message is queued, and by a poll for retries and for messages
 * queued by other nodes.
 */
import type { FastifyBaseLogger } from 'fastify';
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpConfig } from '../config.js';
import type { Db } from '../db/connection.js';
import type { EmailOutboxTable } from '../db/schema.js';
import { isoFromMs, nowIso, nowMs } from '../clock.js';
import { decryptSecret } from '../security/encryption.js';
import { emailBodyAad, type Outbox } from './outbox.js';

const MINUTE_MS = 60_000;
/** The wait after each failed attempt; one more failure than there are waits marks the message failed. */
export const RETRY_DELAYS_MS = [1, 5, 30, 120, 360].map((minutes) => minutes * MINUTE_MS);
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** How often each node looks for due messages it was not woken for (retries, other nodes' messages). */
const POLL_MS = 15_000;
/**
 * A wake-up comes from inside the enqueuing transaction, before its commit: on PostgreSQL another
 * connection sees the row only once committed. So a wake-up looks now and again a little later.
 */
const WAKE_LOOKS_MS = [0, 250, 2_000];
/** The longest shutdown waits for a delivery under way; its lease makes it safe to leave. */
const STOP_WAIT_MS = 1_000;
/** Kept of an SMTP server's error answer for Administrators. */
const MAX_ERROR_LENGTH = 500;

export interface MailDelivery extends Outbox {
  /** Starts the poll (nothing happens without SMTP configured). */
  start(): void;
  /** Stops polling and waits briefly for a delivery under way. */
  stop(): Promise<void>;
  /** Delivers every due message now; resolves once none is left (the poll's work; tests call it). */
  deliverDue(): Promise<void>;
}

function leaseMsFor(smtp: SmtpConfig): number {
  // Longer than the slowest delivery the timeouts allow (connect, greeting, a few exchanges).
  return Math.max(2 * MINUTE_MS, 6 * smtp.timeoutMs);
}

function transporterFor(smtp: SmtpConfig): Transporter {
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === 'tls',
    // starttls: refuse a server (or a man in the middle) that does not offer STARTTLS.
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    auth: smtp.user !== null && smtp.password !== null ? { user: smtp.user, pass: smtp.password } : undefined,
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    // Messages are plain text written here: nothing may make nodemailer read a file or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

/** 5xx: the server refuses for good (no such mailbox, relaying denied); trying again cannot help. */
function isPermanentRefusal(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > MAX_ERROR_LENGTH ? text.slice(0, MAX_ERROR_LENGTH - 1) + '…' : text;
}

type Claimed = Pick<EmailOutboxTable, 'id' | 'recipient' | 'subject' | 'body_encrypted' | 'attempts' | 'kind'>;

export function createMailDelivery(options: {
  db: Db;
  smtp: SmtpConfig | null;
  secretKey: Buffer;
  log: FastifyBaseLogger;
}): MailDelivery {
  const { db, smtp, secretKey, log } = options;
  let transporter: Transporter | null = null;
  let poll: NodeJS.Timeout | null = null;
  const wakeTimers = new Set<NodeJS.Timeout>();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  /** Claims the oldest due message; null when none is due, 'lost' when another node took it first. */
  async function claimNext(config: SmtpConfig): Promise<Claimed | 'lost' | null> {
    const now = nowIso();
    const due = await db
      .selectFrom('email_outbox')
      .select(['id', 'attempts'])
      // 'sending' whose lease has run out: the node sending it stopped.
      .where('status', 'in', ['queued', 'sending'])
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(1)
      .executeTakeFirst();
    if (!due) return null;
    const claim = await db
      .updateTable('email_outbox')
      .set({ status: 'sending', attempts: due.attempts + 1, next_attempt_at: isoFromMs(nowMs() + leaseMsFor(config)) })
      .where('id', '=', due.id)
      .where('attempts', '=', due.attempts)
      .where('status', 'in', ['queued', 'sending'])
      .where('next_attempt_at', '<=', now)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) return 'lost';
    const row = await db
      .selectFrom('email_outbox')
      .select(['id', 'recipient', 'subject', 'body_encrypted', 'attempts', 'kind'])
      .where('id', '=', due.id)
      .executeTakeFirstOrThrow();
    return row;
  }

  /** Records the outcome, if this node still holds the claim (same attempt count, still sending). */
  async function settle(message: Claimed, outcome: { sent: true } | { sent: false; error: string; final: boolean }) {
    const now = nowMs();
    const update = db
      .updateTable('email_outbox')
      .where('id', '=', message.id)
      .where('attempts', '=', message.attempts)
      .where('status', '=', 'sending');
    if (outcome.sent) {
      await update.set({ status: 'sent', sent_at: isoFromMs(now), body_encrypted: null, last_error: null }).execute();
    } else if (outcome.final) {
      await update.set({ status: 'failed', body_encrypted: null, last_error: outcome.error }).execute();
    } else {
      const delay = RETRY_DELAYS_MS[message.attempts - 1]!;
      await update
        .set({ status: 'queued', next_attempt_at: isoFromMs(now + delay), last_error: outcome.error })
        .execute();
    }
  }

  /** Delivers one due message; false when none is due. */
  async function deliverOne(config: SmtpConfig): Promise<boolean> {
    const message = await claimNext(config);
    if (message === null) return false;
    if (message === 'lost') return true;
    let text: string;
    try {
      if (message.body_encrypted === null) throw new Error('no body');
      text = decryptSecret(secretKey, message.body_encrypted, emailBodyAad(message.id));
    } catch {
      await settle(message, { sent: false, error: 'The message could not be decrypted.', final: true });
      return true;
    }
    try {
      transporter ??= transporterFor(config);
      await transporter.sendMail({
        from: config.from,
        to: message.recipient,
        subject: message.subject,
        text,
        // Tells mail systems not to answer it (out-of-office replies) (RFC 3834).
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      await settle(message, { sent: true });
    } catch (error) {
      const final = message.attempts >= MAX_ATTEMPTS || isPermanentRefusal(error);
      // The id and kind only: the recipient is personal, and the body is never logged.
      log.warn(
        { email: { id: message.id, kind: message.kind, attempt: message.attempts }, reason: errorText(error) },
        final ? 'Email could not be delivered; giving up' : 'Email could not be delivered; will retry',
      );
      await settle(message, { sent: false, error: errorText(error), final });
    }
    return true;
  }

  function deliverDue(): Promise<void> {
    if (!smtp || stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          while (!stopped && (await deliverOne(smtp)));
        } while (again && !stopped);
      } catch (error) {
        log.error({ err: error }, 'Email delivery stopped on an error; the next poll tries again');
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    configured: smtp !== null,
    secretKey,
    wake() {
      if (!smtp || stopped) return;
      for (const delay of WAKE_LOOKS_MS) {
        const timer = setTimeout(() => {
          wakeTimers.delete(timer);
          void deliverDue();
        }, delay);
        timer.unref();
        wakeTimers.add(timer);
      }
    },
    start() {
      if (!smtp || stopped || poll) return;
      poll = setInterval(() => void deliverDue(), POLL_MS);
      poll.unref();
      void deliverDue();
    },
    async stop() {
      stopped = true;
      if (poll) clearInterval(poll);
      for (const timer of wakeTimers) clearTimeout(timer);
      wakeTimers.clear();
      if (running) {
        let timeout: NodeJS.Timeout | undefined;
        await Promise.race([running, new Promise((resolve) => (timeout = setTimeout(resolve, STOP_WAIT_MS)))]);
        clearTimeout(timeout);
      }
      transporter?.close();
    },
    deliverDue,
  };
}
