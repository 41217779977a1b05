/**
 * The email outbox and its delivery worker, against a real SMTP server on loopback: a message is
 * queued in the caller's transaction (a rollback sends nothing), stored encrypted and erased once
 * sent, delivered once even when two nodes share the database, retried with backoff when the
 * server refuses for now, failed at once when it refuses for good, and a stalled server never
 * holds up the caller. Without SMTP configured nothing is queued at all.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetClockForTests, shiftClockForTests } from '../../src/server/clock.js';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS } from '../../src/server/mail/delivery.js';
import {
  enqueueEmail,
  FINISHED_EMAIL_KEPT_DAYS,
  purgeFinishedEmails,
  type OutgoingEmail,
} from '../../src/server/mail/outbox.js';
import { quickSession, quickUser, uniqueEmail } from '../helpers/fixtures.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import type { EmailStatus } from '../../src/shared/schemas/email.js';
import type { EmailOutboxTable } from '../../src/server/db/schema.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { anotherNode, createTestApp, usingPostgres, type TestApp } from '../helpers/test-app.js';

let smtp: TestSmtpServer;
let t: TestApp;

beforeAll(async () => {
  smtp = await startTestSmtpServer({ user: 'latchkey-relay', password: 'relay password 1234' });
  t = await createTestApp(smtp.env({ LATCHKEY_SMTP_TIMEOUT_SECONDS: '1', LATCHKEY_METRICS_TOKEN: METRICS_TOKEN }));
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});
beforeEach(() => {
  smtp.behave('accept');
  smtp.delivered.length = 0;
});
afterEach(async () => {
  resetClockForTests();
  await t.db.deleteFrom('email_outbox').execute();
});

const METRICS_TOKEN = 'metrics-token-for-the-email-tests-0123456789';
const SECRET_LINE = 'Your one-time code is 7d1f0c2a-secret';

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    userId: null,
    to: uniqueEmail('mail'),
    kind: 'test_message',
    subject: 'Latchkey: a test — ünïcode',
    text: `Hello,\n\n${SECRET_LINE}\n\nLatchkey`,
    ...overrides,
  };
}

async function queue(message: OutgoingEmail, app: TestApp = t): Promise<void> {
  await app.db.transaction().execute((trx) => enqueueEmail(trx, app.app.mail, message));
}

const rows = () => t.db.selectFrom('email_outbox').selectAll().orderBy('created_at').execute();

describe('the email outbox', () => {
  it('queues the body encrypted, delivers it, then erases it', async () => {
    const message = email();
    const queued = await t.db.transaction().execute(async (trx) => {
      await enqueueEmail(trx, t.app.mail, message);
      // Read before the commit: no worker can have taken it yet.
      return trx.selectFrom('email_outbox').selectAll().executeTakeFirstOrThrow();
    });
    expect(queued).toMatchObject({ recipient: message.to, kind: 'test_message', subject: message.subject });
    expect(queued.status).toBe('queued');
    expect(queued.body_encrypted).toBeTruthy();
    expect(queued.body_encrypted).not.toContain('7d1f0c2a');

    await t.app.mail.deliverDue();
    const [delivered] = await smtp.waitForDelivered(1);
    expect(delivered).toMatchObject({ to: [message.to], from: 'latchkey@example.test', subject: message.subject });
    expect(delivered!.text).toBe(message.text);
    expect(delivered!.user).toBe('latchkey-relay');
    expect(delivered!.raw).toMatch(/^Auto-Submitted: auto-generated/im);

    await expect.poll(async () => (await rows())[0]?.status).toBe('sent');
    const [sent] = await rows();
    expect(sent).toMatchObject({ status: 'sent', body_encrypted: null, last_error: null, attempts: 1 });
    expect(sent!.sent_at).toBeTruthy();
  });

  it('sends shortly after the commit without being asked (the worker is woken)', async () => {
    const message = email();
    await queue(message);
    const [delivered] = await smtp.waitForDelivered(1, 4_000);
    expect(delivered!.to).toEqual([message.to]);
  });

  it('sends nothing for a transaction that rolls back', async () => {
    const message = email();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await enqueueEmail(trx, t.app.mail, message);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await t.app.mail.deliverDue();
    expect(await rows()).toEqual([]);
    expect(smtp.delivered).toEqual([]);
  });

  it(`forgets sent and failed messages after ${FINISHED_EMAIL_KEPT_DAYS} days, never one still waiting`, async () => {
    await queue(email({ subject: 'sent long ago' }));
    await queue(email({ subject: 'failed long ago' }));
    await queue(email({ subject: 'waiting long' }));
    await queue(email({ subject: 'sent lately' }));
    const old = new Date(Date.now() - (FINISHED_EMAIL_KEPT_DAYS + 1) * 24 * 60 * 60 * 1000).toISOString();
    const set = (subject: string, status: EmailOutboxTable['status'], createdAt: string) =>
      t.db.updateTable('email_outbox').set({ status, created_at: createdAt }).where('subject', '=', subject).execute();
    await set('sent long ago', 'sent', old);
    await set('failed long ago', 'failed', old);
    await set('waiting long', 'queued', old);
    await set('sent lately', 'sent', new Date().toISOString());
    await purgeFinishedEmails(t.db);
    expect((await rows()).map((row) => row.subject).sort()).toEqual(['sent lately', 'waiting long']);
  });

  it('refuses a recipient or subject with a line break (header injection)', async () => {
    await expect(queue(email({ to: 'a@example.test\r\nBcc: b@example.test' }))).rejects.toThrow(/line break/);
    await expect(queue(email({ subject: 'Hi\nBcc: b@example.test' }))).rejects.toThrow(/line break/);
    expect(await rows()).toEqual([]);
  });

  it('retries a temporary refusal with growing waits, then marks the message failed', async () => {
    smtp.behave('refuse-temporarily');
    await queue(email());
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await t.app.mail.deliverDue();
      const [row] = await rows();
      expect(row!.attempts).toBe(attempt);
      expect(row!.last_error).toMatch(/451/);
      if (attempt < MAX_ATTEMPTS) {
        expect(row!.status).toBe('queued');
        const wait = Date.parse(row!.next_attempt_at) - Date.parse(row!.created_at);
        // Not due again before its wait is over...
        await t.app.mail.deliverDue();
        expect((await rows())[0]!.attempts).toBe(attempt);
        expect(wait).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[attempt - 1]!);
        shiftClockForTests(RETRY_DELAYS_MS[attempt - 1]! + 1000);
      } else {
        expect(row).toMatchObject({ status: 'failed', body_encrypted: null });
      }
    }
    expect(smtp.delivered).toEqual([]);
  });

  it('fails a message at once when the server refuses it for good (5xx)', async () => {
    smtp.behave('refuse-permanently');
    await queue(email());
    await t.app.mail.deliverDue();
    const [row] = await rows();
    expect(row).toMatchObject({ status: 'failed', attempts: 1, body_encrypted: null });
    expect(row!.last_error).toMatch(/550/);
  });

  it('does not make the caller wait for a stalled server; the attempt times out and is retried', async () => {
    smtp.behave('stall');
    const started = performance.now();
    await queue(email());
    expect(performance.now() - started).toBeLessThan(500);
    await t.app.mail.deliverDue(); // the 1-second greeting timeout ends the attempt
    const [row] = await rows();
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row!.last_error).toMatch(/timeout|greeting/i);
  });
});

describe('what Administrators see (GET /api/v1/email) and the queue-depth metric', () => {
  const queueGauge = async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const line = (status: string) =>
      Number(
        new RegExp(`^latchkey_email_queue_messages\\{status="${status}"\\} (\\d+)$`, 'm').exec(response.body)?.[1],
      );
    return { queued: line('queued'), sending: line('sending') };
  };

  it('shows the SMTP settings without the password, the queue, and messages without their text', async () => {
    const admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    smtp.behave('refuse-temporarily');
    const refused = email();
    await queue(refused);
    await t.app.mail.deliverDue();
    smtp.behave('stall');
    const waiting = email({ kind: 'password_changed', subject: 'Your Latchkey password was changed' });
    await t.db.transaction().execute((trx) => enqueueEmail(trx, { ...t.app.mail, wake: () => undefined }, waiting));
    expect(await queueGauge()).toEqual({ queued: 2, sending: 0 });

    const response = await admin.request({ method: 'GET', url: '/api/v1/email' });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<EmailStatus>();
    expect(body.smtp).toEqual({
      host: '127.0.0.1',
      port: smtp.port,
      tls: 'none',
      from: 'Latchkey <latchkey@example.test>',
      user: 'latchkey-relay',
    });
    expect(response.body).not.toContain('relay password 1234');
    expect(response.body).not.toContain('7d1f0c2a');
    expect(body.queueDepth).toBe(2);
    expect(body.recent.map((message) => message.recipient)).toEqual([waiting.to, refused.to]);
    expect(body.recent[1]).toMatchObject({ status: 'queued', attempts: 1, kind: 'test_message' });
    expect(body.recent[1]!.lastError).toMatch(/451/);
    expect(body.recent[1]!.nextAttemptAt).toBeTruthy();
    expect(Object.keys(body.recent[0]!).sort()).toEqual([
      'attempts',
      'createdAt',
      'id',
      'kind',
      'lastError',
      'nextAttemptAt',
      'recipient',
      'sentAt',
      'status',
      'subject',
    ]);

    const someone = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser));
    expect((await someone.request({ method: 'GET', url: '/api/v1/email' })).statusCode).toBe(403);
  });
});

describe('without SMTP configured', () => {
  it('queues nothing, sends nothing, and says so to Administrators', async () => {
    const plain = await createTestApp();
    try {
      expect(plain.config.smtp).toBeNull();
      expect(plain.app.mail.configured).toBe(false);
      await queue(email(), plain);
      expect(await plain.db.selectFrom('email_outbox').selectAll().execute()).toEqual([]);
      const admin = await quickSession(plain, await quickUser(plain, SYSTEM_GROUP_IDS.administrator));
      const response = await admin.request({ method: 'GET', url: '/api/v1/email' });
      expect(response.json()).toEqual({ smtp: null, queueDepth: 0, failedCount: 0, recent: [] });
    } finally {
      await plain.close();
    }
  });
});

describe.runIf(usingPostgres)('two nodes on one database', () => {
  it('deliver each message exactly once', async () => {
    const other = await anotherNode(t);
    try {
      // All committed at once, then both nodes reach for them together.
      const messages = Array.from({ length: 12 }, () => email());
      await t.db.transaction().execute(async (trx) => {
        for (const message of messages) await enqueueEmail(trx, t.app.mail, message);
      });
      await Promise.all([t.app.mail.deliverDue(), other.app.mail.deliverDue(), t.app.mail.deliverDue()]);
      await smtp.waitForDelivered(messages.length);
      await new Promise((resolve) => setTimeout(resolve, 300)); // any duplicate would arrive by now
      const recipients = smtp.delivered.flatMap((delivered) => delivered.to).sort();
      expect(recipients).toEqual(messages.map((message) => message.to).sort());
      expect((await rows()).every((row) => row.status === 'sent' && row.attempts === 1)).toBe(true);
    } finally {
      await other.close();
    }
  });
});
