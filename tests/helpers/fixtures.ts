/**
 * Small factories and probes on top of test-app.ts, writing straight to the real database where the
 * API for it does not exist yet (custom groups, API tokens) or where a test needs a state no API
 * request can reach (a disabled account, a group holding exactly one permission).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { sessionCookieFor } from '../../src/server/app.js';
import { createSession } from '../../src/server/auth/sessions.js';
import { isoFromMs, nowIso, nowMs } from '../../src/server/clock.js';
import { RESET_LINK_LIFETIME_MS } from '../../src/server/services/password-reset-links.js';
import { hashPassword } from '../../src/server/security/password-hashing.js';
import { hashSecret } from '../../src/server/security/secrets.js';
import type { AuditEventTable, UserWithGroup } from '../../src/server/db/schema.js';
import { makeUser, sessionCaller, TEST_PASSWORD, type Caller, type TestApp } from './test-app.js';

let testPasswordHash: Promise<string> | undefined;

/**
 * Like makeUser (the real createUser service), but without paying for a fresh argon2 hash: the
 * account is created as SSO (no hash), then given one shared hash of TEST_PASSWORD. For tests that
 * need many native accounts as fixtures; tests about creating accounts use the API itself.
 */
export async function quickUser(
  t: TestApp,
  groupId: string,
  overrides: Partial<Parameters<typeof makeUser>[2]> = {},
): Promise<UserWithGroup> {
  const user = await makeUser(t, groupId, { ...overrides, userType: 'sso' });
  testPasswordHash ??= hashPassword(TEST_PASSWORD);
  const native = { user_type: 'native' as const, sso_provider: null, password_hash: await testPasswordHash };
  await t.db.updateTable('users').set(native).where('id', '=', user.id).execute();
  return { ...user, ...native };
}

/** A signed-in caller for `user`, made by the real session code without the (slow) password check. */
export async function quickSession(t: TestApp, user: { id: string }): Promise<Caller> {
  const session = await createSession(t.db, user.id, { ip: '127.0.0.1', userAgent: 'vitest' });
  return sessionCaller(t, `${sessionCookieFor(t.config.publicUrl).name}=${session.id}`);
}

/** Creates a custom (non-system) security group holding exactly `permissions`. */
export async function createCustomGroup(t: TestApp, permissions: readonly string[], name?: string): Promise<string> {
  const id = `custom-${randomBytes(4).toString('hex')}`;
  const now = nowIso();
  await t.db
    .insertInto('security_groups')
    .values({
      id,
      name: name ?? `Custom ${id}`,
      description: `Holds ${permissions.join(', ') || 'nothing'}`,
      is_system: 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
  if (permissions.length > 0) {
    await t.db
      .insertInto('group_permissions')
      .values(permissions.map((permission) => ({ group_id: id, permission })))
      .execute();
  }
  return id;
}

/** Gives an account an API token (stored only as its SHA-256, like the real thing) and returns the token. */
export async function giveApiToken(t: TestApp, userId: string): Promise<string> {
  const token = `lk_${randomBytes(32).toString('base64url')}`;
  await t.db.deleteFrom('api_tokens').where('user_id', '=', userId).execute();
  await t.db
    .insertInto('api_tokens')
    .values({
      user_id: userId,
      token_hash: hashSecret(token),
      masked: `${token.slice(0, 7)}…${token.slice(-4)}`,
      created_at: nowIso(),
      created_by: null,
      last_used_at: null,
      last_used_ip: null,
    })
    .execute();
  return token;
}

/**
 * Gives an account a "Forgot password" link, stored as the emailed one is (only its SHA-256), and
 * returns its secret (what follows `#` in the link). `expiresInMs` defaults to the real 30 minutes.
 */
export async function givePasswordResetLink(
  t: TestApp,
  userId: string,
  expiresInMs = RESET_LINK_LIFETIME_MS,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await t.db
    .insertInto('password_reset_links')
    .values({
      id: randomUUID(),
      user_id: userId,
      token_hash: hashSecret(token),
      created_at: nowIso(),
      expires_at: isoFromMs(nowMs() + expiresInMs),
      used_at: null,
      requested_ip: '127.0.0.1',
    })
    .execute();
  return token;
}

/**
 * Columns a request may legitimately touch while being authenticated, even when it is then refused:
 * "last seen" bookkeeping, written at most once a minute. Everything else must stay byte-for-byte.
 */
const BOOKKEEPING_COLUMNS: Record<string, readonly string[]> = {
  sessions: ['last_seen_at'],
  api_tokens: ['last_used_at', 'last_used_ip'],
};

/**
 * Tables that hold the application's data. Left out: Kysely's migration bookkeeping, and SQLite's
 * credential_change_counter and credential_change_log, signals that move with every change of the
 * tables they watch (migrations 0010, 0028), so they never say more than those do.
 */
export function isDataTable(name: string): boolean {
  return !name.startsWith('kysely_') && name !== 'credential_change_counter' && name !== 'credential_change_log';
}

/** The application tables, as the database itself lists them (tables added later are found too). */
export async function listTables(t: TestApp): Promise<string[]> {
  if (t.databaseKind === 'postgres') {
    const result = await sql<{
      name: string;
    }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(t.db);
    return result.rows.map((r) => r.name);
  }
  const result = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(t.db);
  return result.rows.map((r) => r.name);
}

/**
 * Every row of every application table (found in the database itself, so tables added later are
 * covered too), including audit_events, login_history, login_throttle and setup_tokens, which
 * test-app.ts's `snapshot` leaves out. Compare two of these to prove a refused request changed nothing.
 */
export async function stateSnapshot(t: TestApp): Promise<Record<string, string[]>> {
  const tables = (await listTables(t)).filter(isDataTable).sort();
  // In parallel: PostgreSQL answers them on several pooled connections at once.
  const contents = await Promise.all(
    tables.map(async (table) => {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.db);
      const skip = BOOKKEEPING_COLUMNS[table] ?? [];
      return rows.rows
        .map((row) => {
          for (const key of skip) delete row[key];
          return JSON.stringify(row);
        })
        .sort();
    }),
  );
  return Object.fromEntries(tables.map((table, i) => [table, contents[i]!]));
}

export type AuditRow = Omit<AuditEventTable, 'id' | 'details'> & { id: number; details: Record<string, unknown> };

/** Audit rows written after `afterId` (use `lastAuditId` before the request), oldest first. */
export async function auditSince(t: TestApp, afterId: number): Promise<AuditRow[]> {
  const rows = await t.db.selectFrom('audit_events').selectAll().where('id', '>', afterId).orderBy('id').execute();
  return rows.map((row) => ({
    ...row,
    id: Number(row.id),
    details: JSON.parse(row.details) as Record<string, unknown>,
  }));
}

export async function lastAuditId(t: TestApp): Promise<number> {
  const row = await t.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/**
 * The JSON error body every API error has: `{ error: { code, message, fields?, requestId } }`,
 * without its requestId (different for every request; tests/api/request-id.test.ts checks it).
 */
export function errorOf(response: LightMyRequestResponse): {
  code: string;
  message: string;
  fields?: Record<string, string>;
} {
  const body = response.json<{
    error?: { code?: unknown; message?: unknown; fields?: Record<string, string>; requestId?: unknown };
  }>();
  if (!body.error || typeof body.error.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an API error body: ${response.statusCode} ${response.body}`);
  }
  if (typeof body.error.requestId !== 'string')
    throw new Error(`an error body without its requestId: ${response.body}`);
  const { requestId: _requestId, ...error } = body.error;
  return error as { code: string; message: string; fields?: Record<string, string> };
}

/** A unique, valid email for a test account. */
export function uniqueEmail(prefix = 'person'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.test`;
}

/**
 * Sets the installation's Maximum Session Timeout straight in the database (the API for it is
 * tested in installation-settings.test.ts): for tests whose accounts need timeouts above the
 * default maximum of 60 minutes.
 */
export async function setMaxSessionTimeout(t: TestApp, minutes: number): Promise<void> {
  await t.db.updateTable('installation_settings').set({ max_session_timeout_minutes: minutes }).execute();
}

/**
 * A `can` with its Decisions ({ allowed, code?, message? }) as plain yes/no per action, for
 * comparing; other values (the Password & Security tab's resetPassword, say) stay as they are.
 */
export function allowedOf(can: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(can).map(([action, value]) => [
      action,
      value !== null && typeof value === 'object' && 'allowed' in value ? value.allowed : value,
    ]),
  );
}
