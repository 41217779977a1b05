/**
 * A real SMTP server for tests (the smtp-server package) on a free loopback port, keeping every
 * message delivered to it: recipients, subject and plain text, decoded as a mail client would.
 * It can be told to refuse (temporarily, 4xx, or for good, 5xx) or to stall (accept the connection
 * and never answer), to test retries and that a slow server never slows a request.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface DeliveredEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** The whole message as received (headers and encoded body). */
  raw: string;
  /** The SMTP user it was sent with (null without authentication). */
  user: string | null;
}

export type SmtpBehaviour = 'accept' | 'refuse-temporarily' | 'refuse-permanently' | 'stall';

export interface TestSmtpServer {
  host: string;
  port: number;
  delivered: DeliveredEmail[];
  /** Connections opened so far (a stalled or refused delivery is one too). */
  connections: number;
  behave(behaviour: SmtpBehaviour): void;
  /** Waits until at least `count` messages were delivered (default 5 s), and returns them all. */
  waitForDelivered(count: number, timeoutMs?: number): Promise<DeliveredEmail[]>;
  /** LATCHKEY_SMTP_* settings for an app that sends through this server. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=) in a header. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_whole, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_whole, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function parseMessage(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headerText = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : body;
  return { subject: decodeHeader(headers.get('subject') ?? ''), text: text.replace(/\r\n/g, '\n').trimEnd() };
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

export async function startTestSmtpServer(options: { user?: string; password?: string } = {}): Promise<TestSmtpServer> {
  let behaviour: SmtpBehaviour = 'accept';
  const delivered: DeliveredEmail[] = [];
  const waiters = new Set<() => void>();
  const stalled = new Set<() => void>();
  const state = { connections: 0 };

  const serverOptions: SMTPServerOptions = {
    disabledCommands: options.user ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !options.user,
    logger: false,
    onConnect(_session, callback) {
      state.connections++;
      // Stalled: the greeting never comes (the client's greeting timeout ends it).
      if (behaviour === 'stall') stalled.add(() => callback(smtpError('Closing', 421)));
      else callback();
    },
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) callback(null, { user: auth.username });
      else callback(smtpError('Invalid username or password', 535));
    },
    onMailFrom(_address, _session, callback) {
      if (behaviour === 'refuse-temporarily') return callback(smtpError('Try again later', 451));
      if (behaviour === 'refuse-permanently') return callback(smtpError('Relaying denied', 550));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        delivered.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((address) => address.address),
          ...parseMessage(raw),
          raw,
          user: typeof session.user === 'string' ? session.user : null,
        });
        for (const wake of waiters) wake();
        callback();
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // Errors of single connections (a client that timed out and left) are expected here.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    delivered,
    get connections() {
      return state.connections;
    },
    behave(next) {
      behaviour = next;
      if (next !== 'stall') {
        for (const release of stalled) release();
        stalled.clear();
      }
    },
    async waitForDelivered(count, timeoutMs = 5_000) {
      if (delivered.length >= count) return delivered;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} delivered email(s) within ${timeoutMs} ms, got ${delivered.length}`));
        }, timeoutMs);
        const check = () => {
          if (delivered.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
      return delivered;
    },
    env(extra = {}) {
      return {
        LATCHKEY_SMTP_HOST: '127.0.0.1',
        LATCHKEY_SMTP_PORT: String(port),
        LATCHKEY_SMTP_TLS: 'none',
        LATCHKEY_SMTP_FROM: 'Latchkey <latchkey@example.test>',
        ...(options.user ? { LATCHKEY_SMTP_USER: options.user, LATCHKEY_SMTP_PASSWORD: options.password ?? '' } : {}),
        ...extra,
      };
    },
    async close() {
      for (const release of stalled) release();
      stalled.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
