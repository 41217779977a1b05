/**
 * First run: no default password. The first Administrator comes from a one-time setup link (or
 * LATCHKEY_BOOTSTRAP_ADMIN_*), and only while no account exists.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetClockForTests, shiftClockForTests } from '../../src/server/clock.js';
import { hashSecret } from '../../src/server/security/secrets.js';
import { issueSetupLink } from '../../src/server/services/setup.js';
import { start, type Started } from '../../src/server/start.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { auditSince, errorOf, quickUser, stateSnapshot } from '../helpers/fixtures.js';
import { createTestApp, signIn, UI_HEADERS, usingPostgres, type TestApp } from '../helpers/test-app.js';

const STRONG = 'first light over the harbour 7';

function tokenOf(link: string): string {
  const match = /#token=([A-Za-z0-9_-]+)$/.exec(link);
  if (!match) throw new Error(`not a setup link: ${link}`);
  return match[1]!;
}

function setupBody(token: string, overrides: Record<string, unknown> = {}) {
  return {
    token,
    email: 'first.admin@example.test',
    firstName: 'First',
    lastName: 'Admin',
    password: STRONG,
    confirmPassword: STRONG,
    ...overrides,
  };
}

describe('setup through the one-time link', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());
  // Every test starts from a fresh installation: no account, no link, empty logs.
  beforeEach(async () => {
    for (const table of [
      'sessions',
      'api_tokens',
      'users',
      'setup_tokens',
      'audit_events',
      'login_history',
      'login_throttle',
    ] as const) {
      await t.db.deleteFrom(table).execute();
    }
  });
  afterEach(() => resetClockForTests());

  const postSetup = (body: unknown, headers: Record<string, string> = UI_HEADERS) =>
    t.app.inject({ method: 'POST', url: '/api/v1/setup', headers, payload: body as object });

  it('reports setupRequired while no account exists, and not once one does', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ setupRequired: true });
    await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ setupRequired: false });
  });

  it('gives a link on the public URL with the token in the fragment, storing only its hash', async () => {
    const link = await issueSetupLink(t.db, t.config.publicUrl);
    expect(link).toMatch(new RegExp(`^${t.config.publicUrl.origin}/setup#token=[A-Za-z0-9_-]{43}$`));
    const token = tokenOf(link!);
    const rows = await t.db.selectFrom('setup_tokens').selectAll().execute();
    expect(rows.map((r) => r.token_hash)).toEqual([hashSecret(token)]);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('creates the first Administrator with the link (201), who can then sign in; one audit entry, no actor', async () => {
    const token = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    const response = await postSetup(setupBody(token));
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({
      email: 'first.admin@example.test',
      securityGroup: { id: SYSTEM_GROUP_IDS.administrator, name: 'Administrator' },
      accountStatus: 'enabled',
      userType: 'native',
    });
    expect(response.body).not.toContain('argon2');
    const audit = await auditSince(t, 0);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'setup.first_administrator_created',
      actor_user_id: null,
      target_email: 'first.admin@example.test',
    });
    expect(JSON.stringify(audit)).not.toContain(STRONG);
    const admin = await signIn(t, 'first.admin@example.test', STRONG);
    expect((await admin.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(200);
  });

  it('works exactly once: the same link again gets 409 setup_not_available and no token is left', async () => {
    const token = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    expect((await postSetup(setupBody(token))).statusCode).toBe(201);
    const before = await stateSnapshot(t);
    const again = await postSetup(setupBody(token, { email: 'second.admin@example.test' }));
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('setup_not_available');
    expect(await stateSnapshot(t)).toEqual(before);
    expect(await t.db.selectFrom('setup_tokens').selectAll().execute()).toEqual([]);
    expect(await issueSetupLink(t.db, t.config.publicUrl)).toBeNull();
  });

  it('refuses a wrong token with 403 setup_link_invalid, creating nothing and keeping the real link usable', async () => {
    const token = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    const before = await stateSnapshot(t);
    for (const wrong of ['wrong-token', `${token}x`, token.slice(0, -1)]) {
      const response = await postSetup(setupBody(wrong));
      expect(response.statusCode).toBe(403);
      expect(errorOf(response).code).toBe('setup_link_invalid');
    }
    expect(await stateSnapshot(t)).toEqual(before);
    expect((await postSetup(setupBody(token))).statusCode).toBe(201);
  });

  it('refuses a weak password with 400 and keeps the link working', async () => {
    const token = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    for (const [overrides, field] of [
      [{ password: 'short pass', confirmPassword: 'short pass' }, 'password'],
      [{ password: 'password1234', confirmPassword: 'password1234' }, 'password'],
      [{ password: 'first.admin@example.test', confirmPassword: 'first.admin@example.test' }, 'password'],
      [{ confirmPassword: `${STRONG}?` }, 'confirmPassword'],
    ] as const) {
      const response = await postSetup(setupBody(token, overrides));
      expect(response.statusCode, response.body).toBe(400);
      expect(errorOf(response).fields?.[field]).toEqual(expect.any(String));
    }
    expect(await t.db.selectFrom('users').select('id').execute()).toEqual([]);
    expect((await postSetup(setupBody(token))).statusCode).toBe(201);
  });

  it('refuses malformed bodies (bad email, unknown fields, a chosen group) with 400, creating nothing', async () => {
    const token = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    for (const [overrides, field] of [
      [{ email: 'nope' }, 'email'],
      [{ firstName: '' }, 'firstName'],
      [{ securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser }, 'securityGroupId'],
      [{ token: undefined }, 'token'],
    ] as const) {
      const response = await postSetup(setupBody(token, overrides));
      expect(response.statusCode, response.body).toBe(400);
      expect(errorOf(response).fields?.[field]).toEqual(expect.any(String));
    }
    expect(await t.db.selectFrom('users').select('id').execute()).toEqual([]);
  });

  it('answers 409 setup_not_available once an account exists some other way (CLI, bootstrap), even with a live link', async () => {
    const token = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    await quickUser(t, SYSTEM_GROUP_IDS.administrator);
    const before = await stateSnapshot(t);
    const response = await postSetup(setupBody(token));
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).code).toBe('setup_not_available');
    expect(await stateSnapshot(t)).toEqual(before);
  });

  it('replaces the previous link when a new one is issued (a restart prints a new link)', async () => {
    const first = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    const second = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    expect(first).not.toBe(second);
    expect((await postSetup(setupBody(first))).statusCode).toBe(403);
    expect((await postSetup(setupBody(second))).statusCode).toBe(201);
  });

  it('stops accepting a link after 24 hours', async () => {
    const token = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    shiftClockForTests(24 * 60 * 60 * 1000 + 60_000);
    const response = await postSetup(setupBody(token));
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).code).toBe('setup_link_invalid');
  });

  it('creates exactly one Administrator when the link is used twice at once', async () => {
    const token = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    const answers = await Promise.all([
      postSetup(setupBody(token, { email: 'one@example.test' })),
      postSetup(setupBody(token, { email: 'two@example.test' })),
    ]);
    expect(answers.map((a) => a.statusCode).filter((s) => s === 201)).toHaveLength(1);
    for (const answer of answers.filter((a) => a.statusCode !== 201)) expect([403, 409]).toContain(answer.statusCode);
    expect(await t.db.selectFrom('users').select('id').execute()).toHaveLength(1);
  });

  it('refuses a setup request from another site (no CSRF header) with 403 csrf_failed', async () => {
    const token = tokenOf((await issueSetupLink(t.db, t.config.publicUrl))!);
    const response = await postSetup(setupBody(token), { origin: 'https://evil.example' });
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).code).toBe('csrf_failed');
    expect(await t.db.selectFrom('users').select('id').execute()).toEqual([]);
  });
});

describe.skipIf(usingPostgres)('start() with LATCHKEY_BOOTSTRAP_ADMIN_EMAIL / PASSWORD (SQLite)', () => {
  let dataDir: string;
  const running: Started[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'latchkey-start-'));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const started of running.splice(0)) await started.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    PORT: '0',
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    ...extra,
  });
  async function startWith(extra: Record<string, string>): Promise<Started> {
    const started = await start({ env: env(extra) });
    running.push(started);
    return started;
  }
  const printed = () =>
    (vi.mocked(process.stdout.write).mock.calls as unknown[][]).map((call) => String(call[0])).join('');

  it('creates the Administrator while no account exists, and prints no setup link', async () => {
    const started = await startWith({
      LATCHKEY_BOOTSTRAP_ADMIN_EMAIL: 'boot@example.test',
      LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD: STRONG,
    });
    const users = await started.db.selectFrom('users').select(['email', 'security_group_id']).execute();
    expect(users).toEqual([{ email: 'boot@example.test', security_group_id: SYSTEM_GROUP_IDS.administrator }]);
    expect(printed()).not.toContain('#token=');
    expect(printed()).not.toContain(STRONG);
    const signedIn = await started.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: UI_HEADERS,
      payload: { email: 'boot@example.test', password: STRONG },
    });
    expect(signedIn.statusCode).toBe(200);
  });

  it('does nothing on a later start once an account exists (no second Administrator, no password change)', async () => {
    const first = await startWith({
      LATCHKEY_BOOTSTRAP_ADMIN_EMAIL: 'boot@example.test',
      LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD: STRONG,
    });
    await first.app.close();
    running.splice(0);
    const second = await startWith({
      LATCHKEY_BOOTSTRAP_ADMIN_EMAIL: 'other@example.test',
      LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD: 'another strong passphrase 8',
    });
    expect((await second.db.selectFrom('users').select('email').execute()).map((u) => u.email)).toEqual([
      'boot@example.test',
    ]);
    const oldPassword = await second.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: UI_HEADERS,
      payload: { email: 'boot@example.test', password: STRONG },
    });
    expect(oldPassword.statusCode).toBe(200);
  });

  it('prints a one-time setup link (that works) when no account exists and no bootstrap is set', async () => {
    const started = await startWith({});
    const link = /(http:\/\/\S+#token=[A-Za-z0-9_-]+)/.exec(printed())?.[1];
    expect(link).toBeDefined();
    const response = await started.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      headers: UI_HEADERS,
      payload: setupBody(tokenOf(link!)),
    });
    expect(response.statusCode, response.body).toBe(201);
  });
});
