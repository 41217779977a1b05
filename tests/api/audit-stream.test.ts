/**
 * LATCHKEY_AUDIT_STDOUT: every audit entry is also written to stdout as a JSON line (the log's own
 * stream, under the key "audit"), once its transaction has committed: a change rolled back never
 * appears. The same fields as the stored entry, plus the request id, and never a secret.
 * SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieFor } from '../../src/server/app.js';
import { createSession } from '../../src/server/auth/sessions.js';
import { recordAudit, type StreamedAuditEntry } from '../../src/server/services/audit.js';
import { presentAuditEvent } from '../../src/server/presenters/logs.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { quickSession, quickUser } from '../helpers/fixtures.js';
import { captureLog } from '../helpers/log-capture.js';
import { createTestApp, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let log: string[];
let admin: Caller;

/** The audit lines written since the last call. */
function takeAuditLines(): Array<Record<string, unknown> & { audit: StreamedAuditEntry }> {
  const lines = log
    .splice(0)
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return lines.filter((line): line is Record<string, unknown> & { audit: StreamedAuditEntry } => 'audit' in line);
}

async function auditRowCount(action: string): Promise<number> {
  const rows = await t.db.selectFrom('audit_events').select('id').where('action', '=', action).execute();
  return rows.length;
}

describe('the audit log streamed to stdout', () => {
  beforeAll(async () => {
    // LOG_LEVEL stays silent: the audit stream is a setting of its own.
    t = await createTestApp({ LATCHKEY_AUDIT_STDOUT: 'true' });
    log = captureLog(t.app);
    admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
  });
  // Closing the app stops the stream (one app streams per process, as in a real one).
  afterAll(async () => t?.close());

  it('writes one line per entry with the stored fields, the request id and no secret', async () => {
    takeAuditLines();
    const password = 'a streamed passphrase that must not leak 7';
    const response = await admin.request({
      method: 'POST',
      url: '/api/v1/users',
      headers: { 'x-request-id': 'shipper-test-1' },
      payload: {
        email: 'streamed.person@example.test',
        firstName: 'Streamed',
        lastName: 'Person',
        password,
        confirmPassword: password,
        securityGroupId: SYSTEM_GROUP_IDS.regularUser,
        sessionTimeoutMinutes: 60,
      },
    });
    expect(response.statusCode, response.body).toBe(201);

    const lines = takeAuditLines();
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line!.msg).toBe('audit entry');
    const stored = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'user.created')
      .where('target_email', '=', 'streamed.person@example.test')
      .executeTakeFirstOrThrow();
    const shown = presentAuditEvent(stored);
    expect(line!.audit).toEqual({
      occurredAt: shown.occurredAt,
      action: shown.action,
      actorUserId: shown.actorUserId,
      actorEmail: shown.actorEmail,
      actorGroup: shown.actorGroup,
      targetUserId: shown.targetUserId,
      targetEmail: shown.targetEmail,
      details: shown.details,
      ip: shown.ip,
      requestId: 'shipper-test-1',
    });
    expect(JSON.stringify(line)).not.toContain(password);
    expect(JSON.stringify(line)).not.toMatch(/password_hash|\$argon2/);
  });

  it('knows the request id over a real connection, for a body that arrives in many packets', async () => {
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const session = await createSession(t.db, user.id, { ip: '127.0.0.1', userAgent: 'vitest' });
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    takeAuditLines();
    const response = await fetch(`${url}/api/v1/me`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        'x-latchkey-csrf': '1',
        'x-request-id': 'over-a-socket',
        cookie: `${sessionCookieFor(t.config.publicUrl).name}=${session.id}`,
      },
      // Valid JSON of 600 kB (white space), read by the server in many chunks.
      body: `{"title": "Streamed"${' '.repeat(600_000)}}`,
    });
    expect(response.status, await response.text()).toBe(200);
    expect(takeAuditLines().map((line) => [line.audit.action, line.audit.requestId])).toEqual([
      ['user.updated', 'over-a-socket'],
    ]);
  });

  it('writes nothing for a change that is rolled back', async () => {
    takeAuditLines();
    const before = await auditRowCount('demo.loaded');
    await expect(
      t.db.transaction().execute(async (trx) => {
        await recordAudit(trx, { actor: null, action: 'demo.loaded', ip: 'cli' });
        throw new Error('something later in the change failed');
      }),
    ).rejects.toThrow('something later in the change failed');
    expect(await auditRowCount('demo.loaded')).toBe(before);
    expect(takeAuditLines()).toEqual([]);
  });

  it('writes an entry only once its transaction has committed', async () => {
    takeAuditLines();
    await t.db.transaction().execute(async (trx) => {
      await recordAudit(trx, { actor: null, action: 'demo.loaded', details: { step: 'inside' }, ip: 'cli' });
      expect(takeAuditLines(), 'written before the commit').toEqual([]);
    });
    const lines = takeAuditLines();
    expect(lines.map((line) => [line.audit.action, line.audit.details, line.audit.requestId])).toEqual([
      ['demo.loaded', { step: 'inside' }, null],
    ]);
  });

  it('drops what a rollback to a savepoint undid, and keeps the rest of the transaction', async () => {
    takeAuditLines();
    const trx = await t.db.startTransaction().execute();
    await recordAudit(trx, { actor: null, action: 'demo.loaded', details: { step: 'kept' }, ip: 'cli' });
    const savepoint = await trx.savepoint('before_undone').execute();
    await recordAudit(savepoint, { actor: null, action: 'demo.loaded', details: { step: 'undone' }, ip: 'cli' });
    await savepoint.rollbackToSavepoint('before_undone').execute();
    await trx.commit().execute();
    expect(takeAuditLines().map((line) => line.audit.details)).toEqual([{ step: 'kept' }]);
  });

  it('writes an entry written outside any transaction at once', async () => {
    takeAuditLines();
    await recordAudit(t.db, { actor: null, action: 'demo.loaded', details: { step: 'alone' }, ip: 'cli' });
    expect(takeAuditLines().map((line) => line.audit.details)).toEqual([{ step: 'alone' }]);
  });
});

describe('without LATCHKEY_AUDIT_STDOUT (the default)', () => {
  it('writes no audit line', async () => {
    const quiet = await createTestApp({ LOG_LEVEL: 'info', LATCHKEY_ACCESS_LOG: 'all' });
    try {
      const quietLog = captureLog(quiet.app);
      const caller = await quickSession(quiet, await quickUser(quiet, SYSTEM_GROUP_IDS.administrator));
      const response = await caller.request({ method: 'PATCH', url: '/api/v1/me', payload: { title: 'Quiet' } });
      expect(response.statusCode, response.body).toBe(200);
      expect(await quiet.db.selectFrom('audit_events').select('id').execute()).not.toHaveLength(0);
      const lines = quietLog.join('').split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(0); // the access log
      expect(lines.filter((line) => 'audit' in (JSON.parse(line) as object))).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});
