import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.js';

let dataDir: string;
beforeEach(() => {
  dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'latchkey-config-')), 'data');
});
afterEach(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }));

const KEY = randomBytes(32).toString('hex');
const load = (env: Record<string, string>) =>
  loadConfig({ LATCHKEY_DATA_DIR: dataDir, LATCHKEY_SECRET_KEY: KEY, ...env });

/** Loads and returns the ConfigError thrown (failing the test if none is). */
function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has safe laptop defaults: SQLite under the data directory, port 3000 on 127.0.0.1', () => {
    const config = load({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.database).toEqual({ kind: 'sqlite', file: path.join(dataDir, 'latchkey.db') });
    expect(config.publicUrl.href).toBe('http://127.0.0.1:3000/');
    expect(config.bootstrapAdmin).toBeNull();
    expect(config.trustProxy).toBe(false);
    expect(config.logLevel).toBe('info');
    expect(config.accessLog).toBe('failures');
    expect(config.auditStdout).toBe(false);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  for (const port of ['abc', '-1', '65536', '80.5', '3e3', ' 80']) {
    it(`refuses PORT=${JSON.stringify(port)}, naming PORT`, () => {
      const error = configErrorOf({ PORT: port });
      expect(error.key).toBe('PORT');
      expect(error.message).toContain('PORT');
    });
  }

  it('accepts PORT 0 (any free port) and 65535', () => {
    expect(load({ PORT: '0' }).port).toBe(0);
    expect(load({ PORT: '65535' }).port).toBe(65535);
  });

  for (const url of [
    'mysql://db.example/latchkey',
    'postgres://exa mple/db',
    'sqlite:',
    'latchkey.db',
    'http://db.example',
  ]) {
    it(`refuses DATABASE_URL=${JSON.stringify(url)}, naming DATABASE_URL`, () => {
      const error = configErrorOf({ DATABASE_URL: url });
      expect(error.key).toBe('DATABASE_URL');
      expect(error.message).toContain('DATABASE_URL');
    });
  }

  it('switches to PostgreSQL for postgres:// and postgresql:// URLs', () => {
    expect(load({ DATABASE_URL: 'postgres://latchkey@db.example:5432/latchkey' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://latchkey@db.example:5432/latchkey',
    });
    expect(load({ DATABASE_URL: 'postgresql://db.example/latchkey' }).database.kind).toBe('postgres');
  });

  it('uses the SQLite file a sqlite: URL names', () => {
    const file = path.join(path.dirname(dataDir), 'elsewhere.db');
    expect(load({ DATABASE_URL: `sqlite:${file}` }).database).toEqual({ kind: 'sqlite', file });
  });

  for (const url of [
    'not a url',
    'ftp://latchkey.example.com',
    'https://latchkey.example.com/app',
    'https://latchkey.example.com/?x=1',
    'https://latchkey.example.com/#top',
  ]) {
    it(`refuses LATCHKEY_PUBLIC_URL=${JSON.stringify(url)}, naming LATCHKEY_PUBLIC_URL`, () => {
      expect(configErrorOf({ LATCHKEY_PUBLIC_URL: url }).key).toBe('LATCHKEY_PUBLIC_URL');
    });
  }

  it('takes an https public URL as given (it decides cookie security and the allowed origin)', () => {
    expect(load({ LATCHKEY_PUBLIC_URL: 'https://latchkey.example.com' }).publicUrl.origin).toBe(
      'https://latchkey.example.com',
    );
  });

  it('shows localhost, not 0.0.0.0, as the public URL when bound to every interface', () => {
    expect(load({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl.href).toBe('http://localhost:8080/');
  });

  for (const [label, key] of [
    ['too short', 'abc'],
    ['63 hex characters', 'a'.repeat(63)],
    ['base64 of 16 bytes', randomBytes(16).toString('base64')],
    ['base64 of 48 bytes', randomBytes(48).toString('base64')],
    ['not hex or base64 at all', '!!!!!!!!'],
  ] as const) {
    it(`refuses a LATCHKEY_SECRET_KEY that is ${label}, naming LATCHKEY_SECRET_KEY`, () => {
      const error = configErrorOf({ LATCHKEY_SECRET_KEY: key });
      expect(error.key).toBe('LATCHKEY_SECRET_KEY');
      expect(error.message).not.toContain(key);
    });
  }

  it('accepts a secret key as 64 hex characters or as base64 of 32 bytes', () => {
    const bytes = randomBytes(32);
    expect(load({ LATCHKEY_SECRET_KEY: bytes.toString('hex') }).secretKey.equals(bytes)).toBe(true);
    expect(load({ LATCHKEY_SECRET_KEY: bytes.toString('base64') }).secretKey.equals(bytes)).toBe(true);
  });

  it('refuses LATCHKEY_BOOTSTRAP_ADMIN_EMAIL without the password, naming the missing key and never echoing values', () => {
    const error = configErrorOf({ LATCHKEY_BOOTSTRAP_ADMIN_EMAIL: 'boot@example.test' });
    expect(error.key).toBe('LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD');
    expect(error.message).toContain('LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD');
  });

  it('refuses LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD without the email, and never prints the password', () => {
    const error = configErrorOf({ LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD: 'hunter2 hunter2 hunter2' });
    expect(error.key).toBe('LATCHKEY_BOOTSTRAP_ADMIN_EMAIL');
    expect(error.message).not.toContain('hunter2');
  });

  it('takes the bootstrap pair when both are set', () => {
    expect(
      load({
        LATCHKEY_BOOTSTRAP_ADMIN_EMAIL: 'boot@example.test',
        LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD: 'long enough pass 1',
      }).bootstrapAdmin,
    ).toEqual({
      email: 'boot@example.test',
      password: 'long enough pass 1',
    });
  });

  for (const [key, value] of [
    ['LOG_LEVEL', 'verbose'],
    ['LATCHKEY_ACCESS_LOG', 'yes'],
    ['LATCHKEY_TRUST_PROXY', 'yes'],
    ['LATCHKEY_AUDIT_STDOUT', '1'],
    ['LATCHKEY_LOGIN_DELAY_STEP_MS', '-1'],
    ['LATCHKEY_LOGIN_DELAY_STEP_MS', 'fast'],
  ] as const) {
    it(`refuses ${key}=${value}, naming ${key}`, () => {
      expect(configErrorOf({ [key]: value }).key).toBe(key);
    });
  }

  it('streams the audit log to stdout only when LATCHKEY_AUDIT_STDOUT is true', () => {
    expect(load({ LATCHKEY_AUDIT_STDOUT: 'true' }).auditStdout).toBe(true);
    expect(load({ LATCHKEY_AUDIT_STDOUT: 'false' }).auditStdout).toBe(false);
    expect(load({ LATCHKEY_AUDIT_STDOUT: '' }).auditStdout).toBe(false);
  });

  describe('the secret key file (no LATCHKEY_SECRET_KEY)', () => {
    const loadWithoutKey = () => loadConfig({ LATCHKEY_DATA_DIR: dataDir });
    const keyFile = () => path.join(dataDir, 'secret.key');

    it('is created on first load, readable by the owner only (0600), holding 32 random bytes as hex', () => {
      const config = loadWithoutKey();
      expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
      expect(readFileSync(keyFile(), 'utf8')).toBe(`${config.secretKey.toString('hex')}\n`);
      expect(config.secretKey).toHaveLength(32);
    });

    it('is reused on the next load, not replaced', () => {
      const first = loadWithoutKey().secretKey;
      const second = loadWithoutKey().secretKey;
      expect(second.equals(first)).toBe(true);
    });

    it('is refused when other users can read it, naming LATCHKEY_SECRET_KEY and the fix', () => {
      loadWithoutKey();
      chmodSync(keyFile(), 0o644);
      const error = (() => {
        try {
          loadWithoutKey();
        } catch (e) {
          return e as ConfigError;
        }
        throw new Error('a world-readable key file was accepted');
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.key).toBe('LATCHKEY_SECRET_KEY');
      expect(error.message).toContain('chmod 600');
    });

    it('is refused when it does not hold a 32-byte key', () => {
      loadWithoutKey();
      writeFileSync(keyFile(), 'short\n', { mode: 0o600 });
      expect(() => loadWithoutKey()).toThrow(ConfigError);
    });

    it('is not needed (nor created) when LATCHKEY_SECRET_KEY is set', () => {
      load({});
      expect(() => statSync(keyFile())).toThrow();
    });
  });
  describe('SMTP', () => {
    const smtp = { LATCHKEY_SMTP_HOST: 'smtp.example.com', LATCHKEY_SMTP_FROM: 'Latchkey <latchkey@example.com>' };

    it('is off unless LATCHKEY_SMTP_HOST is set', () => {
      expect(load({}).smtp).toBeNull();
    });

    it('defaults to required STARTTLS on port 587, without signing in', () => {
      expect(load(smtp).smtp).toEqual({
        host: 'smtp.example.com',
        port: 587,
        tls: 'starttls',
        user: null,
        password: null,
        from: 'Latchkey <latchkey@example.com>',
        timeoutMs: 30_000,
      });
      expect(load({ ...smtp, LATCHKEY_SMTP_TLS: 'tls' }).smtp?.port).toBe(465);
      expect(
        load({ ...smtp, LATCHKEY_SMTP_PORT: '2525', LATCHKEY_SMTP_USER: 'u', LATCHKEY_SMTP_PASSWORD: 'p' }).smtp,
      ).toMatchObject({ port: 2525, user: 'u', password: 'p' });
    });

    it('refuses unencrypted SMTP to another machine unless explicitly allowed', () => {
      expect(configErrorOf({ ...smtp, LATCHKEY_SMTP_TLS: 'none' }).key).toBe('LATCHKEY_SMTP_TLS');
      expect(load({ ...smtp, LATCHKEY_SMTP_TLS: 'none', LATCHKEY_SMTP_ALLOW_UNENCRYPTED: 'true' }).smtp?.port).toBe(25);
      for (const host of ['localhost', '127.0.0.1', '::1', '[::1]'])
        expect(load({ ...smtp, LATCHKEY_SMTP_HOST: host, LATCHKEY_SMTP_TLS: 'none' }).smtp?.tls).toBe('none');
    });

    for (const [env, key] of [
      [{ LATCHKEY_SMTP_HOST: 'smtp.example.com' }, 'LATCHKEY_SMTP_FROM'],
      [{ ...smtp, LATCHKEY_SMTP_FROM: 'not an address' }, 'LATCHKEY_SMTP_FROM'],
      [{ ...smtp, LATCHKEY_SMTP_FROM: 'a@example.com\r\nBcc: b@example.com' }, 'LATCHKEY_SMTP_FROM'],
      [{ ...smtp, LATCHKEY_SMTP_TLS: 'ssl' }, 'LATCHKEY_SMTP_TLS'],
      [{ ...smtp, LATCHKEY_SMTP_PORT: '0' }, 'LATCHKEY_SMTP_PORT'],
      [{ ...smtp, LATCHKEY_SMTP_PORT: '65536' }, 'LATCHKEY_SMTP_PORT'],
      [{ ...smtp, LATCHKEY_SMTP_USER: 'u' }, 'LATCHKEY_SMTP_PASSWORD'],
      [{ ...smtp, LATCHKEY_SMTP_PASSWORD: 'p' }, 'LATCHKEY_SMTP_USER'],
      [{ ...smtp, LATCHKEY_SMTP_ALLOW_UNENCRYPTED: 'yes' }, 'LATCHKEY_SMTP_ALLOW_UNENCRYPTED'],
      [{ ...smtp, LATCHKEY_SMTP_TIMEOUT_SECONDS: '0' }, 'LATCHKEY_SMTP_TIMEOUT_SECONDS'],
      [{ LATCHKEY_SMTP_PASSWORD: 'p' }, 'LATCHKEY_SMTP_PASSWORD'],
    ] as const) {
      it(`refuses ${JSON.stringify(env)}, naming ${key}`, () => {
        const error = configErrorOf(env);
        expect(error.key).toBe(key);
        // The password is never repeated in a message.
        expect(error.message).not.toContain(': p');
      });
    }
  });
});
