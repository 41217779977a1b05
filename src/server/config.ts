/**
 * The only reader of process.env. Configuration is validated once at start; anything wrong stops
 * the program with one message that names the key and what is wrong with it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `sqlite` uses `<dataDir>/latchkey.db`; `postgres` uses `databaseUrl`. */
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  /** Where people reach Latchkey; decides cookie security (`__Host-` + Secure over HTTPS) and the Origin check. */
  publicUrl: URL;
  /** False when publicUrl was derived from HOST and PORT (so a PORT of 0 is replaced by the real port). */
  publicUrlConfigured: boolean;
  /** 32-byte key for encrypting secrets at rest (TOTP secrets, SSO client secrets). */
  secretKey: Buffer;
  bootstrapAdmin: { email: string; password: string } | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Which answers get an access-log line: every one, only failures (status 400 or above) and slow
   * ones, or none. Errors are logged whatever this says.
   */
  accessLog: (typeof ACCESS_LOG_MODES)[number];
  /** Extra delay added per failed sign-in after the first few, in ms (0 disables the slow-down). */
  loginDelayStepMs: number;
  /** Trust X-Forwarded-For from a reverse proxy when deciding the client address. */
  trustProxy: boolean;
  /**
   * The bearer token a Prometheus scraper sends to GET /metrics; null (the default) serves no
   * metrics at all: request rates and sign-in failures are not for everyone to read.
   */
  metricsToken: string | null;
  /** SCIM requests one identity provider's token may make per minute, per node (0: no limit). */
  scimRequestsPerMinute: number;
  /** Also write each committed audit entry to stdout as a JSON line, for a log shipper. */
  auditStdout: boolean;
  /** The mail server security emails go through; null (LATCHKEY_SMTP_HOST unset): no email is sent at all. */
  smtp: SmtpConfig | null;
}

export const SMTP_TLS_MODES = ['starttls', 'tls', 'none'] as const;

export interface SmtpConfig {
  host: string;
  port: number;
  /**
   * `starttls` (the default): plain connection upgraded with STARTTLS, which is required (a server
   * or a man in the middle that does not offer it gets nothing); `tls`: TLS from the first byte
   * (port 465); `none`: no encryption at all (see readSmtp for when that is allowed).
   */
  tls: (typeof SMTP_TLS_MODES)[number];
  /** Both or neither: the server may accept mail without signing in. */
  user: string | null;
  /** Never logged, never shown (the Administrators' email page shows whether one is set, not it). */
  password: string | null;
  /** The From header: an address, or `Name <address>`. */
  from: string;
  /** How long connecting, the greeting and each later exchange with the server may take. */
  timeoutMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`Configuration error: ${key} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function readPort(env: Env): number {
  const raw = env.PORT || '3000';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `must be a whole number from 0 to 65535 (got "${raw}").`);
  }
  return port;
}

function readNonNegativeInt(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(key, `must be a whole number of 0 or more (got "${raw}").`);
  return Number(raw);
}

function readDatabase(env: Env, dataDir: string): Config['database'] {
  const url = env.DATABASE_URL;
  if (url === undefined || url === '') return { kind: 'sqlite', file: path.join(dataDir, 'latchkey.db') };
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid URL.');
    }
    return { kind: 'postgres', url };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (file === '') throw new ConfigError('DATABASE_URL', 'must name a file after "sqlite:".');
    return { kind: 'sqlite', file: path.resolve(file) };
  }
  throw new ConfigError('DATABASE_URL', 'must start with postgres:// (PostgreSQL) or sqlite: (a SQLite file).');
}

function readPublicUrl(env: Env, host: string, port: number): URL {
  const raw = env.LATCHKEY_PUBLIC_URL;
  if (raw === undefined || raw === '') {
    const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    return new URL(`http://${shownHost}:${port}`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('LATCHKEY_PUBLIC_URL', `is not a valid URL (got "${raw}").`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('LATCHKEY_PUBLIC_URL', 'must start with http:// or https://.');
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError('LATCHKEY_PUBLIC_URL', 'must be an origin only, such as https://latchkey.example.com.');
  }
  return url;
}

/**
 * The secret key comes from LATCHKEY_SECRET_KEY (64 hex characters or base64 of 32 bytes), or from
 * `<dataDir>/secret.key`, which is created on first start readable by the owner only.
 */
function readSecretKey(env: Env, dataDir: string): Buffer {
  const raw = env.LATCHKEY_SECRET_KEY;
  if (raw !== undefined && raw !== '') return decodeKey(raw, 'LATCHKEY_SECRET_KEY');
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o077;
    if (mode !== 0) {
      throw new ConfigError(
        'LATCHKEY_SECRET_KEY',
        `file ${file} can be read by other users; run: chmod 600 ${JSON.stringify(file)}`,
      );
    }
    return decodeKey(readFileSync(file, 'utf8').trim(), `LATCHKEY_SECRET_KEY (file ${file})`);
  }
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

function decodeKey(raw: string, key: string): Buffer {
  const decoded = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (decoded.length !== 32) {
    throw new ConfigError(key, 'must be 32 bytes: 64 hex characters or 44 base64 characters.');
  }
  return decoded;
}

function readBootstrapAdmin(env: Env): Config['bootstrapAdmin'] {
  const email = env.LATCHKEY_BOOTSTRAP_ADMIN_EMAIL;
  const password = env.LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD;
  const hasEmail = email !== undefined && email !== '';
  const hasPassword = password !== undefined && password !== '';
  if (hasEmail !== hasPassword) {
    throw new ConfigError(
      hasEmail ? 'LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD' : 'LATCHKEY_BOOTSTRAP_ADMIN_EMAIL',
      'must be set together with ' +
        (hasEmail ? 'LATCHKEY_BOOTSTRAP_ADMIN_EMAIL.' : 'LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD.'),
    );
  }
  return hasEmail && hasPassword ? { email, password } : null;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ACCESS_LOG_MODES = ['all', 'failures', 'off'] as const;

/**
 * Reads and validates the configuration. An empty value means "not set" for every key. The demo
 * (`--demo`) keeps its example accounts out of a real installation: it defaults to `data/demo`.
 */
export function loadConfig(env: Env = process.env, options: { demo?: boolean } = {}): Config {
  const port = readPort(env);
  const host = env.HOST || '127.0.0.1';
  const dataDir = path.resolve(env.LATCHKEY_DATA_DIR || (options.demo ? 'data/demo' : 'data'));
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // The directory holds the database (password hashes) and the secret key: owner only.
    if ((statSync(dataDir).mode & 0o077) !== 0) chmodSync(dataDir, 0o700);
  } catch (error) {
    throw new ConfigError('LATCHKEY_DATA_DIR', `cannot be created or secured: ${(error as Error).message}`);
  }
  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}.`);
  }
  // Failures only by default, as Keycloak does (its access log is off unless enabled): a line per
  // successful call repeats what the reverse proxy in front already logs, and cost a fifth of the
  // CPU of an authenticated API call. Sign-ins and every change are in the audit log regardless.
  const accessLog = (env.LATCHKEY_ACCESS_LOG || 'failures') as Config['accessLog'];
  if (!ACCESS_LOG_MODES.includes(accessLog)) {
    throw new ConfigError('LATCHKEY_ACCESS_LOG', `must be one of ${ACCESS_LOG_MODES.join(', ')}.`);
  }
  const trustProxy = env.LATCHKEY_TRUST_PROXY || 'false';
  if (trustProxy !== 'true' && trustProxy !== 'false') {
    throw new ConfigError('LATCHKEY_TRUST_PROXY', 'must be true or false.');
  }
  return {
    port,
    host,
    dataDir,
    database: readDatabase(env, dataDir),
    publicUrl: readPublicUrl(env, host, port),
    publicUrlConfigured: Boolean(env.LATCHKEY_PUBLIC_URL),
    secretKey: readSecretKey(env, dataDir),
    bootstrapAdmin: readBootstrapAdmin(env),
    logLevel,
    accessLog,
    loginDelayStepMs: readNonNegativeInt(env, 'LATCHKEY_LOGIN_DELAY_STEP_MS', 250),
    trustProxy: trustProxy === 'true',
    metricsToken: readMetricsToken(env),
    scimRequestsPerMinute: readNonNegativeInt(env, 'LATCHKEY_SCIM_REQUESTS_PER_MINUTE', 600),
    auditStdout: readAuditStdout(env),
    smtp: readSmtp(env),
  };
}

const DEFAULT_SMTP_PORTS: Record<SmtpConfig['tls'], number> = { starttls: 587, tls: 465, none: 25 };

/** A host name or address that can only be this machine: mail sent there never crosses a network. */
function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * SMTP is off unless LATCHKEY_SMTP_HOST is set. Unencrypted SMTP (`none`) carries the messages
 * and the SMTP password in clear, so it is accepted for a loopback host only (a local relay such as
 * Postfix on the same machine, the tests' server), or anywhere with
 * LATCHKEY_SMTP_ALLOW_UNENCRYPTED=true, a deliberate choice for a relay on a trusted network.
 */
function readSmtp(env: Env): SmtpConfig | null {
  const host = env.LATCHKEY_SMTP_HOST;
  if (host === undefined || host === '') {
    for (const key of ['LATCHKEY_SMTP_USER', 'LATCHKEY_SMTP_PASSWORD', 'LATCHKEY_SMTP_FROM']) {
      if (env[key]) throw new ConfigError(key, 'is set but LATCHKEY_SMTP_HOST is not: set the host to send email.');
    }
    return null;
  }
  if (/[\s/]/.test(host))
    throw new ConfigError('LATCHKEY_SMTP_HOST', `must be a host name or address (got "${host}").`);
  const tls = (env.LATCHKEY_SMTP_TLS || 'starttls') as SmtpConfig['tls'];
  if (!SMTP_TLS_MODES.includes(tls)) {
    throw new ConfigError('LATCHKEY_SMTP_TLS', `must be one of ${SMTP_TLS_MODES.join(', ')}.`);
  }
  const allowUnencrypted = env.LATCHKEY_SMTP_ALLOW_UNENCRYPTED || 'false';
  if (allowUnencrypted !== 'true' && allowUnencrypted !== 'false') {
    throw new ConfigError('LATCHKEY_SMTP_ALLOW_UNENCRYPTED', 'must be true or false.');
  }
  if (tls === 'none' && !isLoopbackHost(host) && allowUnencrypted !== 'true') {
    throw new ConfigError(
      'LATCHKEY_SMTP_TLS',
      'is "none" for a host that is not this machine: messages and the SMTP password would cross the network ' +
        'unencrypted. Use starttls or tls, or set LATCHKEY_SMTP_ALLOW_UNENCRYPTED=true to accept that.',
    );
  }
  const rawPort = env.LATCHKEY_SMTP_PORT;
  let port = DEFAULT_SMTP_PORTS[tls];
  if (rawPort !== undefined && rawPort !== '') {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) {
      throw new ConfigError('LATCHKEY_SMTP_PORT', `must be a whole number from 1 to 65535 (got "${rawPort}").`);
    }
  }
  const user = env.LATCHKEY_SMTP_USER || null;
  const password = env.LATCHKEY_SMTP_PASSWORD || null;
  if ((user === null) !== (password === null)) {
    throw new ConfigError(
      user === null ? 'LATCHKEY_SMTP_USER' : 'LATCHKEY_SMTP_PASSWORD',
      'must be set together with ' + (user === null ? 'LATCHKEY_SMTP_PASSWORD.' : 'LATCHKEY_SMTP_USER.'),
    );
  }
  const from = env.LATCHKEY_SMTP_FROM;
  if (from === undefined || from === '') {
    throw new ConfigError('LATCHKEY_SMTP_FROM', 'must be set when LATCHKEY_SMTP_HOST is (e.g. latchkey@example.com).');
  }
  // An address, or "Name <address>"; no line breaks (they would add headers).
  if (!/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(from)) {
    throw new ConfigError(
      'LATCHKEY_SMTP_FROM',
      'must be an email address or "Name <address>" (e.g. Latchkey <latchkey@example.com>).',
    );
  }
  const timeoutSeconds = readNonNegativeInt(env, 'LATCHKEY_SMTP_TIMEOUT_SECONDS', 30);
  if (timeoutSeconds < 1) throw new ConfigError('LATCHKEY_SMTP_TIMEOUT_SECONDS', 'must be at least 1.');
  return { host, port, tls, user, password, from, timeoutMs: timeoutSeconds * 1000 };
}

/** At least 32 characters: the token guards the only route that needs no account. */
function readMetricsToken(env: Env): string | null {
  const token = env.LATCHKEY_METRICS_TOKEN;
  if (token === undefined || token === '') return null;
  if (token.length < 32 || /\s/.test(token))
    throw new ConfigError(
      'LATCHKEY_METRICS_TOKEN',
      'must be at least 32 characters without spaces (e.g. openssl rand -hex 32).',
    );
  return token;
}

function readAuditStdout(env: Env): boolean {
  const raw = env.LATCHKEY_AUDIT_STDOUT || 'false';
  if (raw !== 'true' && raw !== 'false') throw new ConfigError('LATCHKEY_AUDIT_STDOUT', 'must be true or false.');
  return raw === 'true';
}
