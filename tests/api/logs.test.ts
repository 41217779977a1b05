/**
 * The Logs API: system events and login history. Real actions write the rows (a failed then a
 * successful sign-in, creating an account); rows seeded at fixed times in 2001 prove each filter,
 * their combinations, paging, order and the time bounds. Then bad input, the CSV exports (with the
 * formula-injection guard) and that no secret ever shows.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, LoginAttempt } from '../../src/shared/schemas/logs.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { errorOf, uniqueEmail } from '../helpers/fixtures.js';
import {
  createTestApp,
  makeUser,
  signInAs,
  TEST_PASSWORD,
  UI_HEADERS,
  type Caller,
  type TestApp,
} from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;
const tag = randomBytes(3).toString('hex');

interface AuditPage {
  events: AuditEvent[];
  total: number;
  page: number;
  pageSize: number;
}
interface LoginPage {
  attempts: LoginAttempt[];
  total: number;
  page: number;
  pageSize: number;
}

async function audit(query: Record<string, string>): Promise<AuditPage> {
  const response = await admin.request({ method: 'GET', url: '/api/v1/logs/audit', query });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<AuditPage>();
}

async function logins(query: Record<string, string>): Promise<LoginPage> {
  const response = await admin.request({ method: 'GET', url: '/api/v1/logs/logins', query });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<LoginPage>();
}

// Seeded rows: an hour apart from 2001-01-01T00:00Z, emails stored as typed (mixed case).
const ACTOR_A = `Ann.Actor-${tag}@Example.test`;
const ACTOR_B = `bob.actor-${tag}@example.test`;
const TARGET_X = `Xena.Target-${tag}@example.test`;
const TARGET_Y = `yuri.target-${tag}@EXAMPLE.test`;
const hour = (h: number) => new Date(Date.UTC(2001, 0, 1, h)).toISOString();
const SEEDED_AUDIT = [
  { h: 0, actor: ACTOR_A, target: TARGET_X, action: `test.alpha.${tag}` },
  { h: 1, actor: ACTOR_A, target: TARGET_Y, action: `test.beta.${tag}` },
  { h: 2, actor: ACTOR_B, target: TARGET_X, action: `test.beta.${tag}` },
  { h: 3, actor: ACTOR_B, target: TARGET_Y, action: `test.alpha.${tag}` },
  { h: 4, actor: ACTOR_A, target: TARGET_X, action: `test.beta.${tag}` },
];
const LOGIN_EMAIL_A = `Lena.Login-${tag}@Example.test`;
const LOGIN_EMAIL_B = `lars.login-${tag}@example.test`;
const SEEDED_LOGINS = [
  { h: 0, email: LOGIN_EMAIL_A, success: 1, reason: null },
  { h: 1, email: LOGIN_EMAIL_A, success: 0, reason: 'wrong_password' },
  { h: 2, email: LOGIN_EMAIL_B, success: 0, reason: 'unknown_account' },
  { h: 3, email: LOGIN_EMAIL_B, success: 1, reason: null },
];
const IN_2001 = { from: '2001-01-01T00:00:00Z', to: '2001-01-01T23:59:59Z' };

beforeAll(async () => {
  t = await createTestApp();
  admin = (await signInAs(t, SYSTEM_GROUP_IDS.administrator)).caller;
  for (const row of SEEDED_AUDIT) {
    await t.db
      .insertInto('audit_events')
      .values({
        occurred_at: hour(row.h),
        actor_user_id: null,
        actor_email: row.actor,
        actor_group_name: 'Auditors',
        target_user_id: null,
        target_email: row.target,
        action: row.action,
        details: JSON.stringify({ hour: row.h }),
        ip: '192.0.2.1',
      })
      .execute();
  }
  for (const row of SEEDED_LOGINS) {
    await t.db
      .insertInto('login_history')
      .values({
        occurred_at: hour(row.h),
        user_id: null,
        email: row.email,
        success: row.success,
        reason: row.reason,
        method: 'password',
        ip: '192.0.2.2',
        user_agent: 'seed-agent',
      })
      .execute();
  }
});
afterAll(async () => t.close());

describe('real actions write the logs', () => {
  it('a wrong then a right sign-in appear in the login history, newest first, with the reason', async () => {
    const user = await makeUser(t);
    const headers = { ...UI_HEADERS, 'user-agent': `agent-${tag}` };
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers,
      payload: { email: user.email.toUpperCase(), password: 'not the password at all' },
    });
    expect(wrong.statusCode).not.toBe(200);
    const right = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers,
      payload: { email: user.email, password: TEST_PASSWORD },
    });
    expect(right.statusCode).toBe(200);

    const page = await logins({ email: user.email.toUpperCase() });
    expect(page.total).toBe(2);
    const [newest, older] = page.attempts;
    expect(newest).toMatchObject({ userId: user.id, success: true, reason: null, method: 'password' });
    expect(newest!.userAgent).toBe(`agent-${tag}`);
    expect(typeof newest!.ip).toBe('string');
    expect(older).toMatchObject({ success: false, reason: 'wrong_password', method: 'password' });
    expect(older!.email).toBe(user.email.toUpperCase());
    expect(newest!.occurredAt >= older!.occurredAt).toBe(true);

    const failures = await logins({ email: user.email, result: 'failure' });
    expect(failures.attempts.map((a) => a.success)).toEqual([false]);
  });

  it('creating an account through the API writes a user.created event naming actor and target', async () => {
    const { user: actor, caller } = await signInAs(t, SYSTEM_GROUP_IDS.administrator);
    const email = uniqueEmail('logged');
    const created = await caller.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        email,
        firstName: 'Logged',
        lastName: 'Person',
        password: TEST_PASSWORD,
        confirmPassword: TEST_PASSWORD,
        securityGroupId: SYSTEM_GROUP_IDS.regularUser,
        sessionTimeoutMinutes: 30,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const page = await audit({ target: email, action: 'user.created' });
    expect(page.total).toBe(1);
    expect(page.events[0]).toMatchObject({
      actorUserId: actor.id,
      actorEmail: actor.email,
      actorGroup: 'Administrator',
      targetUserId: created.json<{ id: string }>().id,
      targetEmail: email,
      action: 'user.created',
    });
    expect(page.events[0]!.details).toMatchObject({ securityGroup: SYSTEM_GROUP_IDS.regularUser });
  });
});

describe('system event filters', () => {
  const hours = (page: AuditPage) => page.events.map((e) => e.details.hour);

  it('lists newest first, with total and paging', async () => {
    const first = await audit({ ...IN_2001, pageSize: '2' });
    expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(hours(first)).toEqual([4, 3]);
    expect(hours(await audit({ ...IN_2001, pageSize: '2', page: '2' }))).toEqual([2, 1]);
    expect(hours(await audit({ ...IN_2001, pageSize: '2', page: '3' }))).toEqual([0]);
    const beyond = await audit({ ...IN_2001, pageSize: '2', page: '4' });
    expect(beyond.events).toEqual([]);
    expect(beyond.total).toBe(5);
  });

  it('actor and target match a prefix of the email in any letter case', async () => {
    expect(hours(await audit({ actor: `ANN.ACTOR-${tag}` }))).toEqual([4, 1, 0]);
    expect(hours(await audit({ actor: `ann.actor-${tag}@example.TEST` }))).toEqual([4, 1, 0]);
    expect(hours(await audit({ target: `yuri.TARGET-${tag}` }))).toEqual([3, 1]);
    expect((await audit({ actor: `nn.actor-${tag}` })).total).toBe(0);
    // LIKE wildcards are literal.
    expect((await audit({ actor: `%actor-${tag}` })).total).toBe(0);
    expect((await audit({ actor: `___.actor-${tag}` })).total).toBe(0);
  });

  it('action matches exactly', async () => {
    expect(hours(await audit({ action: `test.alpha.${tag}` }))).toEqual([3, 0]);
    expect((await audit({ action: `test.alpha` })).total).toBe(0);
  });

  it('filters combine', async () => {
    expect(hours(await audit({ actor: `ann.`, target: `xena.target-${tag}`, action: `test.beta.${tag}` }))).toEqual([
      4,
    ]);
    expect(hours(await audit({ actor: `bob.actor-${tag}`, from: hour(3), to: hour(4) }))).toEqual([3]);
  });

  it('from and to are inclusive, and offsets are converted to UTC', async () => {
    expect(hours(await audit({ from: hour(1), to: hour(3) }))).toEqual([3, 2, 1]);
    // 2001-01-01T02:00+02:00 is 00:00Z; 03:00+02:00 is 01:00Z.
    expect(hours(await audit({ from: '2001-01-01T02:00:00+02:00', to: '2001-01-01T03:00:00+02:00' }))).toEqual([1, 0]);
    expect((await audit({ from: hour(4), to: hour(3) })).total).toBe(0);
  });
});

describe('login history filters', () => {
  const emails = (page: LoginPage) => page.attempts.map((a) => `${a.email}|${a.success}`);

  it('filters by email prefix, result and time, newest first', async () => {
    expect(emails(await logins({ ...IN_2001 }))).toEqual([
      `${LOGIN_EMAIL_B}|true`,
      `${LOGIN_EMAIL_B}|false`,
      `${LOGIN_EMAIL_A}|false`,
      `${LOGIN_EMAIL_A}|true`,
    ]);
    expect(emails(await logins({ email: `LENA.login-${tag}` }))).toEqual([
      `${LOGIN_EMAIL_A}|false`,
      `${LOGIN_EMAIL_A}|true`,
    ]);
    const failures = await logins({ ...IN_2001, result: 'failure' });
    expect(failures.attempts.map((a) => a.reason)).toEqual(['unknown_account', 'wrong_password']);
    expect(emails(await logins({ ...IN_2001, result: 'success', email: 'lars.' }))).toEqual([`${LOGIN_EMAIL_B}|true`]);
    expect(emails(await logins({ from: hour(1), to: hour(2) }))).toEqual([
      `${LOGIN_EMAIL_B}|false`,
      `${LOGIN_EMAIL_A}|false`,
    ]);
    const paged = await logins({ ...IN_2001, pageSize: '3', page: '2' });
    expect(paged).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(emails(paged)).toEqual([`${LOGIN_EMAIL_A}|true`]);
  });
});

describe('bad input', () => {
  it.each([
    ['/api/v1/logs/audit', { from: 'yesterday' }],
    ['/api/v1/logs/audit', { to: '2001-01-01' }],
    ['/api/v1/logs/audit', { unknown: 'x' }],
    ['/api/v1/logs/audit', { pageSize: '0' }],
    ['/api/v1/logs/audit', { pageSize: '501' }],
    ['/api/v1/logs/audit', { page: '0' }],
    ['/api/v1/logs/logins', { result: 'maybe' }],
    ['/api/v1/logs/logins', { actor: 'x' }],
    ['/api/v1/logs/logins', { pageSize: '0' }],
    ['/api/v1/logs/logins/export.csv', { from: 'not-a-date' }],
    ['/api/v1/logs/audit/export.csv', { page: '1' }],
  ])('%s %j is refused with 400', async (url, query) => {
    const response = await admin.request({ method: 'GET', url, query });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBeTruthy();
  });
});

describe('CSV exports', () => {
  it('exports system events with headers, filtered, newest first', async () => {
    const response = await admin.request({
      method: 'GET',
      url: '/api/v1/logs/audit/export.csv',
      query: { actor: 'ann.actor-' + tag },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="latchkey-.*\.csv"/);
    const lines = response.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('Time (UTC),Actor,Actor Group,Target,Action,Details,IP');
    expect(lines.slice(1)).toEqual([
      `${hour(4)},${ACTOR_A},Auditors,${TARGET_X},test.beta.${tag},"{""hour"":4}",192.0.2.1`,
      `${hour(1)},${ACTOR_A},Auditors,${TARGET_Y},test.beta.${tag},"{""hour"":1}",192.0.2.1`,
      `${hour(0)},${ACTOR_A},Auditors,${TARGET_X},test.alpha.${tag},"{""hour"":0}",192.0.2.1`,
    ]);
  });

  it('exports login history with headers and filters', async () => {
    const response = await admin.request({
      method: 'GET',
      url: '/api/v1/logs/logins/export.csv',
      query: { ...IN_2001, result: 'failure' },
    });
    expect(response.statusCode).toBe(200);
    const lines = response.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('Time (UTC),Email,Result,Reason,Method,IP,User Agent');
    expect(lines.slice(1)).toEqual([
      `${hour(2)},${LOGIN_EMAIL_B},Failure,unknown_account,password,192.0.2.2,seed-agent`,
      `${hour(1)},${LOGIN_EMAIL_A},Failure,wrong_password,password,192.0.2.2,seed-agent`,
    ]);
  });

  it('cells that would run as spreadsheet formulas are written as text', async () => {
    await t.db
      .insertInto('login_history')
      .values({
        occurred_at: '2002-06-01T00:00:00.000Z',
        user_id: null,
        email: `=HYPERLINK("http://evil.test","${tag}")`,
        success: 0,
        reason: 'unknown_account',
        method: 'password',
        ip: '192.0.2.3',
        user_agent: '@SUM(1+1)',
      })
      .execute();
    const response = await admin.request({
      method: 'GET',
      url: '/api/v1/logs/logins/export.csv',
      query: { from: '2002-06-01T00:00:00Z', to: '2002-06-01T00:00:00Z' },
    });
    const lines = response.body.trimEnd().split('\r\n');
    expect(lines[1]).toBe(
      `2002-06-01T00:00:00.000Z,"'=HYPERLINK(""http://evil.test"",""${tag}"")",Failure,unknown_account,password,192.0.2.3,'@SUM(1+1)`,
    );
  });
});

describe('no secret appears', () => {
  it('passwords typed at sign-in or account creation are nowhere in the logs, JSON or CSV', async () => {
    const secret = `Sekret-${tag}-Passw0rd!`;
    const user = await makeUser(t);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: UI_HEADERS,
      payload: { email: user.email, password: secret },
    });
    expect(wrong.statusCode).not.toBe(200);
    const created = await admin.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        email: uniqueEmail('secretive'),
        firstName: 'Secret',
        lastName: 'Keeper',
        password: secret,
        confirmPassword: secret,
        securityGroupId: SYSTEM_GROUP_IDS.regularUser,
        sessionTimeoutMinutes: 30,
      },
    });
    expect(created.statusCode, created.body).toBe(201);

    const bodies = await Promise.all(
      [
        '/api/v1/logs/audit?pageSize=500',
        '/api/v1/logs/logins?pageSize=500',
        '/api/v1/logs/audit/export.csv',
        '/api/v1/logs/logins/export.csv',
      ].map(async (url) => {
        const response = await admin.request({ method: 'GET', url });
        expect(response.statusCode).toBe(200);
        return response.body;
      }),
    );
    expect(bodies[1]).toContain(user.email); // the failed attempt is there...
    for (const body of bodies) {
      expect(body).not.toContain(secret); // ...but never what was typed as the password
      expect(body).not.toContain(TEST_PASSWORD);
    }
  });
});
