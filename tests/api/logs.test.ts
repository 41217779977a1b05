/**
 * The Logs API: system events and login history. Real actions write the rows (a failed then a
 * successful sign-in, creating an account); rows seeded at fixed times in 2001 prove each filter,
 * their combinations, the time bounds and the keyset paging contract (every entry exactly once
 * forward and backward, ties in the time, entries added or removed between pages), and that every
 * filtered page is read from an index. Then bad input, the CSV exports (with the formula-injection
 * guard) and that no secret ever shows.
 */
import { randomBytes } from 'node:crypto';
import { CompiledQuery, sql, type Kysely, type KyselyPlugin, type QueryResult, type UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/server/db/schema.js';
import {
  auditEventPage,
  auditNamesFor,
  listAuditEvents,
  listLoginAttempts,
  loginAttemptPage,
} from '../../src/server/services/logs.js';
import type { AuditEvent, AuditFilter, LoginAttempt, LoginHistoryFilter } from '../../src/shared/schemas/logs.js';
import type { PageInfo } from '../../src/shared/schemas/paging.js';
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

interface AuditPage extends PageInfo {
  events: AuditEvent[];
}
interface LoginPage extends PageInfo {
  attempts: LoginAttempt[];
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
    expect(page.total).toEqual({ count: 2, exact: true });
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
    expect(page.total).toEqual({ count: 1, exact: true });
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

  it('lists newest first, with an honest total and cursors to the neighbouring pages', async () => {
    const first = await audit({ ...IN_2001, pageSize: '2' });
    expect(first).toMatchObject({ total: { count: 5, exact: true }, pageSize: 2, previous: null });
    expect(hours(first)).toEqual([4, 3]);
    const second = await audit({ ...IN_2001, pageSize: '2', cursor: first.next! });
    expect(hours(second)).toEqual([2, 1]);
    const third = await audit({ ...IN_2001, pageSize: '2', cursor: second.next! });
    expect(hours(third)).toEqual([0]);
    expect(third.next).toBeNull();
    expect(hours(await audit({ ...IN_2001, pageSize: '2', cursor: 'last' }))).toEqual([1, 0]);
    expect(hours(await audit({ ...IN_2001, pageSize: '2', cursor: third.previous! }))).toEqual([2, 1]);
  });

  it('actor and target match the whole email in any letter case, and nothing less', async () => {
    expect(hours(await audit({ actor: `ANN.ACTOR-${tag}@EXAMPLE.TEST` }))).toEqual([4, 1, 0]);
    expect(hours(await audit({ actor: `ann.actor-${tag}@example.test` }))).toEqual([4, 1, 0]);
    expect(hours(await audit({ target: `yuri.TARGET-${tag}@example.test` }))).toEqual([3, 1]);
    expect((await audit({ actor: `ann.actor-${tag}` })).total.count).toBe(0);
    // LIKE wildcards mean nothing.
    expect((await audit({ actor: `%actor-${tag}@example.test` })).total.count).toBe(0);
    expect((await audit({ actor: `___.actor-${tag}@example.test` })).total.count).toBe(0);
  });

  it('action matches exactly', async () => {
    expect(hours(await audit({ action: `test.alpha.${tag}` }))).toEqual([3, 0]);
    expect((await audit({ action: `test.alpha` })).total.count).toBe(0);
  });

  it('filters combine', async () => {
    expect(
      hours(await audit({ actor: ACTOR_A, target: `xena.target-${tag}@example.test`, action: `test.beta.${tag}` })),
    ).toEqual([4]);
    expect(hours(await audit({ actor: ACTOR_B, from: hour(3), to: hour(4) }))).toEqual([3]);
    expect(hours(await audit({ actor: ACTOR_A, action: `test.beta.${tag}`, from: hour(1), to: hour(1) }))).toEqual([1]);
  });

  it('from and to are inclusive, and offsets are converted to UTC', async () => {
    expect(hours(await audit({ from: hour(1), to: hour(3) }))).toEqual([3, 2, 1]);
    // 2001-01-01T02:00+02:00 is 00:00Z; 03:00+02:00 is 01:00Z.
    expect(hours(await audit({ from: '2001-01-01T02:00:00+02:00', to: '2001-01-01T03:00:00+02:00' }))).toEqual([1, 0]);
    expect(hours(await audit({ from: hour(3), to: hour(3) }))).toEqual([3]);
  });
});

describe('categories, words and names', () => {
  // Real actions of several categories, in 2002 (apart from every other row), one hour apart.
  const at = (h: number) => new Date(Date.UTC(2002, 0, 1, h)).toISOString();
  const IN_2002 = { from: '2002-01-01T00:00:00Z', to: '2002-01-01T23:59:59Z' };
  let named: { id: string; email: string };
  const goneId = 'f0000000-0000-4000-8000-000000000000';
  const goneEmail = `gone-${tag}@example.test`;

  beforeAll(async () => {
    const user = await makeUser(t, SYSTEM_GROUP_IDS.administrator, { firstName: 'Nadia', lastName: 'Named' });
    named = { id: user.id, email: user.email };
    const rows: [number, string, Record<string, unknown>][] = [
      [0, 'user.created', { securityGroup: SYSTEM_GROUP_IDS.regularUser, userType: 'native' }],
      [
        1,
        'user.security_updated',
        {
          changes: {
            must_change_password: { from: 0, to: 1 },
            security_group_id: { from: SYSTEM_GROUP_IDS.regularUser, to: SYSTEM_GROUP_IDS.administrator },
          },
        },
      ],
      [2, 'mfa.factor_enrolled', { kind: 'totp' }],
      [3, 'task.deleted', { taskId: 't', title: 'Patch' }],
      [4, 'api_token.revoked', { masked: 'lk_…abcd' }],
      [5, 'demo.loaded', {}],
    ];
    for (const [h, action, details] of rows) {
      await t.db
        .insertInto('audit_events')
        .values({
          occurred_at: at(h),
          actor_user_id: named.id,
          actor_email: named.email,
          actor_group_name: 'Administrator',
          // The target's account is deleted since: its email as recorded then still shows.
          target_user_id: goneId,
          target_email: goneEmail,
          action,
          details: JSON.stringify(details),
          ip: '192.0.2.3',
        })
        .execute();
    }
  });

  const actions = (page: AuditPage) => page.events.map((e) => e.action);

  it('a category lists its actions only, newest first, paged forward and back across its actions', async () => {
    const security = await audit({ ...IN_2002, category: 'security' });
    expect(actions(security)).toEqual(['api_token.revoked', 'mfa.factor_enrolled', 'user.security_updated']);
    expect(security.total).toEqual({ count: 3, exact: true });
    expect(actions(await audit({ ...IN_2002, category: 'accounts' }))).toEqual(['user.created']);
    expect(actions(await audit({ ...IN_2002, category: 'system' }))).toEqual(['demo.loaded']);
    expect(actions(await audit({ ...IN_2002, category: 'security', actor: named.email.toUpperCase() }))).toHaveLength(
      3,
    );
    expect((await audit({ ...IN_2002, category: 'security', action: 'task.deleted' })).total.count).toBe(0);
    // One at a time: each page merges the actions' runs at the cursor.
    const seen: string[] = [];
    let page = await audit({ ...IN_2002, category: 'security', pageSize: '1' });
    seen.push(...actions(page));
    while (page.next) {
      page = await audit({ ...IN_2002, category: 'security', pageSize: '1', cursor: page.next });
      seen.push(...actions(page));
    }
    expect(seen).toEqual(actions(security));
    const back = await audit({ ...IN_2002, category: 'security', pageSize: '1', cursor: page.previous! });
    expect(actions(back)).toEqual(['mfa.factor_enrolled']);
    expect(actions(await audit({ ...IN_2002, category: 'security', pageSize: '2', cursor: 'last' }))).toEqual([
      'mfa.factor_enrolled',
      'user.security_updated',
    ]);
    const refused = await admin.request({ method: 'GET', url: '/api/v1/logs/audit', query: { category: 'nope' } });
    expect(refused.statusCode).toBe(400);
  });

  it('each event says its action and changes in words, and names the accounts next to their emails', async () => {
    const page = await audit({ ...IN_2002, category: 'security', action: 'user.security_updated' });
    expect(page.events[0]).toMatchObject({
      actionLabel: 'Password & Security changed',
      category: 'security',
      actorUserId: named.id,
      actorName: 'Nadia Named',
      actorEmail: named.email,
      targetUserId: goneId,
      targetName: null,
      targetEmail: goneEmail,
      summary: ['Must change password: off → on', 'Security Group: Regular User → Administrator'],
    });
    const demo = (await audit({ ...IN_2002, category: 'system' })).events[0]!;
    expect(demo).toMatchObject({ actionLabel: 'Demo data loaded', summary: [] });
    const csv = await admin.request({
      method: 'GET',
      url: '/api/v1/logs/audit/export.csv',
      query: { ...IN_2002, category: 'security' },
    });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toContain(
      `Nadia Named,Administrator,${goneEmail},,Password & Security,Password & Security changed,user.security_updated,Must change password: off → on; Security Group: Regular User → Administrator`,
    );
  });

  it('names a page of accounts and groups in one query', async () => {
    const queries = await queriesOf(async (db) => {
      const { rows } = await listAuditEvents(db, { ...IN_2002, pageSize: 50 });
      await auditNamesFor(db, rows);
    });
    expect(queries.filter((q) => /from users/i.test(q.sql) || /security_groups/.test(q.sql))).toHaveLength(1);
    // Accounts only, groups only, neither: each still one query (or none).
    const { rows } = await listAuditEvents(t.db, { ...IN_2002, category: 'system', pageSize: 50 });
    expect((await auditNamesFor(t.db, rows)).accounts.get(named.id)?.name).toBe('Nadia Named');
    const groupOnly = {
      ...rows[0]!,
      actor_user_id: null,
      target_user_id: null,
      details: '{"securityGroup":"administrator"}',
    };
    expect((await auditNamesFor(t.db, [groupOnly])).groups.get('administrator')).toBe('Administrator');
    expect(await auditNamesFor(t.db, [{ ...groupOnly, details: '{}' }])).toEqual({
      accounts: new Map(),
      groups: new Map(),
    });
  });
});

describe('login history filters', () => {
  const emails = (page: LoginPage) => page.attempts.map((a) => `${a.email}|${a.success}`);

  it('filters by email (whole, any letter case), result and time, newest first', async () => {
    expect(emails(await logins({ ...IN_2001 }))).toEqual([
      `${LOGIN_EMAIL_B}|true`,
      `${LOGIN_EMAIL_B}|false`,
      `${LOGIN_EMAIL_A}|false`,
      `${LOGIN_EMAIL_A}|true`,
    ]);
    expect(emails(await logins({ email: `LENA.login-${tag}@example.TEST` }))).toEqual([
      `${LOGIN_EMAIL_A}|false`,
      `${LOGIN_EMAIL_A}|true`,
    ]);
    expect((await logins({ email: `lena.login-${tag}` })).total.count).toBe(0);
    const failures = await logins({ ...IN_2001, result: 'failure' });
    expect(failures.attempts.map((a) => a.reason)).toEqual(['unknown_account', 'wrong_password']);
    expect(emails(await logins({ ...IN_2001, result: 'success', email: LOGIN_EMAIL_B }))).toEqual([
      `${LOGIN_EMAIL_B}|true`,
    ]);
    expect(emails(await logins({ from: hour(1), to: hour(2) }))).toEqual([
      `${LOGIN_EMAIL_B}|false`,
      `${LOGIN_EMAIL_A}|false`,
    ]);
    const first = await logins({ ...IN_2001, pageSize: '3' });
    expect(first).toMatchObject({ total: { count: 4, exact: true }, pageSize: 3, previous: null });
    const second = await logins({ ...IN_2001, pageSize: '3', cursor: first.next! });
    expect(emails(second)).toEqual([`${LOGIN_EMAIL_A}|true`]);
    expect(second.next).toBeNull();
  });
});

/* ------------------------------------------------------------------------------------------------
 * The paging contract on both logs
 * ---------------------------------------------------------------------------------------------- */

interface Entry {
  id: number;
  occurredAt: string;
}
const newestFirst = (a: Entry, b: Entry) =>
  a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : b.id - a.id;

/** Every entry reached by following `next` from the first page, or `previous` from the last. */
async function walk(
  read: (cursor: string | undefined) => Promise<{ entries: Entry[]; next: string | null; previous: string | null }>,
  backward: boolean,
  between: (pageNumber: number) => Promise<void> = async () => {},
): Promise<Entry[]> {
  const pages: Entry[][] = [];
  let cursor: string | undefined = backward ? 'last' : undefined;
  for (let pageNumber = 1; pageNumber < 1000; pageNumber++) {
    const page = await read(cursor);
    pages.push(page.entries);
    const following = backward ? page.previous : page.next;
    if (following === null) break;
    await between(pageNumber);
    cursor = following;
  }
  if (backward) pages.reverse();
  return pages.flat();
}

const WALK_ACTION = `test.walk.${tag}`;
const WALK_EMAIL = `walker-${tag}@example.test`;
/** 23 entries in 2003, four or five to each time, so pages end inside runs of equal times. */
const walkTime = (i: number) => new Date(Date.UTC(2003, 0, 1, Math.floor(i / 5), 0, 0)).toISOString();

async function insertWalkEntries(times: string[], logs: ('audit' | 'logins')[] = ['audit', 'logins']): Promise<void> {
  for (const occurredAt of times) {
    if (logs.includes('audit'))
      await t.db
        .insertInto('audit_events')
        .values({
          occurred_at: occurredAt,
          actor_user_id: null,
          actor_email: WALK_EMAIL,
          actor_group_name: null,
          target_user_id: null,
          target_email: null,
          action: WALK_ACTION,
          details: '{}',
          ip: null,
        })
        .execute();
    if (logs.includes('logins'))
      await t.db
        .insertInto('login_history')
        .values({
          occurred_at: occurredAt,
          user_id: null,
          email: WALK_EMAIL,
          success: 0,
          reason: 'wrong_password',
          method: 'password',
          ip: '192.0.2.9',
          user_agent: 'walker',
        })
        .execute();
  }
}

const LOGS = {
  audit: {
    read: (query: Record<string, string>) => audit(query).then((p) => ({ ...p, entries: p.events })),
    filter: { action: WALK_ACTION },
    table: 'audit_events',
    stored: () =>
      t.db.selectFrom('audit_events').select(['id', 'occurred_at']).where('action', '=', WALK_ACTION).execute(),
  },
  logins: {
    read: (query: Record<string, string>) => logins(query).then((p) => ({ ...p, entries: p.attempts })),
    filter: { email: WALK_EMAIL },
    table: 'login_history',
    stored: () =>
      t.db.selectFrom('login_history').select(['id', 'occurred_at']).where('email', '=', WALK_EMAIL).execute(),
  },
} as const;

describe('the paging contract', () => {
  beforeAll(async () => insertWalkEntries(Array.from({ length: 23 }, (_, i) => walkTime(i))));

  async function storedNewestFirst(log: keyof typeof LOGS): Promise<Entry[]> {
    const rows = await LOGS[log].stored();
    return rows.map((row) => ({ id: Number(row.id), occurredAt: row.occurred_at })).sort(newestFirst);
  }
  const ids = (entries: Entry[]) => entries.map((entry) => entry.id);

  for (const log of ['audit', 'logins'] as const) {
    for (const pageSize of [1, 4, 5, 23, 50]) {
      it(`${log}: every entry exactly once, in order, forward and backward (page size ${pageSize})`, async () => {
        const expected = ids(await storedNewestFirst(log));
        expect(expected).toHaveLength(23);
        const read = (cursor: string | undefined) =>
          LOGS[log].read({ ...LOGS[log].filter, pageSize: String(pageSize), ...(cursor ? { cursor } : {}) });
        expect(ids(await walk(read, false))).toEqual(expected);
        expect(ids(await walk(read, true))).toEqual(expected);
      });
    }

    it(`${log}: within a time range, every entry in it exactly once, forward and backward`, async () => {
      // Hours 1 to 3 of the walk's day: entries 5 to 19, the range's ends inside runs of equal times.
      const range = { from: walkTime(5), to: walkTime(19) };
      const expected = ids(
        (await storedNewestFirst(log)).filter((e) => e.occurredAt >= range.from && e.occurredAt <= range.to),
      );
      expect(expected).toHaveLength(15);
      for (const pageSize of [2, 4, 15]) {
        const read = (cursor: string | undefined) =>
          LOGS[log].read({ ...LOGS[log].filter, ...range, pageSize: String(pageSize), ...(cursor ? { cursor } : {}) });
        expect(ids(await walk(read, false))).toEqual(expected);
        expect(ids(await walk(read, true))).toEqual(expected);
      }
    });

    it(`${log}: entries added or removed between pages neither repeat nor vanish`, async () => {
      const before = await storedNewestFirst(log);
      let seenFirstPage: Entry[] = [];
      const read = async (cursor: string | undefined) => {
        const page = await LOGS[log].read({ ...LOGS[log].filter, pageSize: '4', ...(cursor ? { cursor } : {}) });
        if (!cursor) seenFirstPage = page.entries;
        return page;
      };
      const removed = before[10]!;
      const walked = await walk(read, false, async (pageNumber) => {
        if (pageNumber !== 1) return;
        // Newer than every page still to come, at a time already shown, older than everything, and a
        // row ahead of the cursor deleted.
        await insertWalkEntries(['2003-06-01T00:00:00.000Z', before[2]!.occurredAt, '2002-06-01T00:00:00.000Z'], [log]);
        await t.db.deleteFrom(LOGS[log].table).where('id', '=', removed.id).execute();
      });
      const after = await storedNewestFirst(log);
      const firstPageEnd = seenFirstPage[seenFirstPage.length - 1]!;
      // Exactly the entries stored now that lie past the first page, once each, after that first page.
      const expected = [...seenFirstPage, ...after.filter((entry) => newestFirst(entry, firstPageEnd) > 0)];
      expect(ids(walked)).toEqual(ids(expected));
      expect(ids(walked)).not.toContain(removed.id);
      expect(walked[walked.length - 1]!.occurredAt).toBe('2002-06-01T00:00:00.000Z');
    });
  }

  it('a well-formed cursor naming an ID beyond any stored one is a page, never a database error', async () => {
    for (const url of ['/api/v1/logs/audit', '/api/v1/logs/logins']) {
      const cursor = Buffer.from(
        JSON.stringify(['a', 'occurredAt:desc', '2003-01-01T02:00:00.000Z', 2 ** 40]),
      ).toString('base64url');
      const response = await admin.request({ method: 'GET', url, query: { cursor } });
      expect(response.statusCode, response.body).toBe(200);
    }
  });

  it('a cursor that is not one the list gave is refused with 400 and says to start again', async () => {
    const made = Buffer.from(JSON.stringify(['a', 'lastName:asc', 'x', 1])).toString('base64url');
    for (const url of ['/api/v1/logs/audit', '/api/v1/logs/logins']) {
      for (const cursor of ['not-a-cursor', made, Buffer.from('["a","occurredAt:desc",5,"x"]').toString('base64url')]) {
        const response = await admin.request({ method: 'GET', url, query: { cursor } });
        expect(response.statusCode, `${url} ${cursor}`).toBe(400);
        expect(errorOf(response).fields?.cursor).toMatch(/first page/);
      }
      const response = await admin.request({ method: 'GET', url, query: { cursor: 'has spaces!' } });
      expect(response.statusCode).toBe(400);
    }
  });
});

/* ------------------------------------------------------------------------------------------------
 * Every filtered page is a range read of an index
 * ---------------------------------------------------------------------------------------------- */

/** The SQL each query sent through `db` compiles to, collected while `work` runs. */
async function queriesOf(work: (db: Kysely<Database>) => Promise<unknown>): Promise<CompiledQuery[]> {
  const compiled: CompiledQuery[] = [];
  const executor = t.db.getExecutor();
  const recorder: KyselyPlugin = {
    transformQuery: (args) => {
      compiled.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args): Promise<QueryResult<UnknownRow>> => args.result,
  };
  await work(t.db.withPlugin(recorder));
  return compiled;
}

async function planOf(query: CompiledQuery): Promise<string> {
  const postgres = t.databaseKind === 'postgres';
  return t.db.transaction().execute(async (trx) => {
    if (postgres) {
      // A few rows: left alone, PostgreSQL would rightly scan the table. Forbid that, and see
      // whether an index can give the order at all (if not, a Sort step appears anyway).
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local enable_sort = off`.execute(trx);
      await sql`set local enable_bitmapscan = off`.execute(trx);
    }
    const explain = CompiledQuery.raw(`${postgres ? 'explain' : 'explain query plan'} ${query.sql}`, [
      ...query.parameters,
    ]);
    const result = await trx.executeQuery<Record<string, string>>(explain);
    return result.rows.map((row) => row['QUERY PLAN'] ?? row.detail ?? '').join('\n');
  });
}

describe('query plans', () => {
  const BY_KEY = ['INTEGER PRIMARY KEY', 'audit_events_pkey'];
  const range = { from: '2001-01-01T00:00:00Z', to: '2001-12-31T23:59:59Z' };
  // Each filter combination the Logs page offers, with the index its pages must read.
  const AUDIT_CASES: [AuditFilter, string[] | null][] = [
    [{}, ['audit_events_time_idx']],
    [{ action: 'user.created' }, ['audit_events_action_time_idx']],
    [{ actor: ACTOR_A }, ['audit_events_actor_time_idx']],
    // SQLite without statistics may take the account's index and check the action (still no sort).
    [{ actor: ACTOR_A, action: 'user.created' }, ['audit_events_actor_action_time_idx', 'audit_events_actor_time_idx']],
    [{ target: TARGET_X }, ['audit_events_target_time_idx']],
    [{ target: TARGET_X, action: 'user.created' }, null],
    [{ actor: ACTOR_A, target: TARGET_X }, null],
    [{ actor: ACTOR_A, target: TARGET_X, action: 'user.created' }, null],
    // A category: each of its actions read from its own run of the action index, then merged, then
    // the page's rows by primary key.
    [{ category: 'security' }, ['audit_events_action_time_idx', ...BY_KEY]],
    [
      { category: 'security', actor: ACTOR_A },
      ['audit_events_actor_action_time_idx', 'audit_events_actor_time_idx', ...BY_KEY],
    ],
  ];
  const LOGIN_CASES: [LoginHistoryFilter, string[]][] = [
    [{}, ['login_history_time_idx']],
    [{ result: 'failure' }, ['login_history_result_time_idx']],
    [{ email: LOGIN_EMAIL_A }, ['login_history_email_time_idx']],
    [
      { email: LOGIN_EMAIL_A, result: 'success' },
      ['login_history_email_result_time_idx', 'login_history_email_time_idx'],
    ],
  ];

  function expectIndexRead(plan: string, indexes: string[] | null, label: string) {
    const postgres = t.databaseKind === 'postgres';
    if (indexes)
      expect(
        indexes.some((index) => plan.includes(index)),
        `${label}:\n${plan}`,
      ).toBe(true);
    else expect(plan, `${label}:\n${plan}`).toMatch(/_time_idx/);
    expect(plan, `${label}:\n${plan}`).not.toMatch(
      postgres ? /\bSort\b|Seq Scan/ : /TEMP B-TREE|SCAN (audit_events|login_history)(?! USING)/,
    );
  }

  for (const withRange of [false, true]) {
    it(`system events: first, deep and last pages and the total read an index${withRange ? ', within a time range' : ''}`, async () => {
      for (const [filter, index] of AUDIT_CASES) {
        const full = { ...filter, ...(withRange ? range : {}) };
        const first = await auditEventPage(t.db, full, { pageSize: 2 });
        const cursors = [undefined, 'last', ...(first.next ? [first.next] : [])];
        const queries = await queriesOf(async (db) => {
          for (const cursor of cursors) await auditEventPage(db, full, { pageSize: 2, ...(cursor ? { cursor } : {}) });
        });
        for (const query of queries)
          expectIndexRead(await planOf(query), index, `${JSON.stringify(full)} ${query.sql}`);
        const counted = await queriesOf((db) => listAuditEvents(db, { ...full, pageSize: 2 }));
        for (const query of counted)
          // A category page's last step reads its rows by primary key.
          expectIndexRead(
            await planOf(query),
            /"id" in \(/.test(query.sql) ? BY_KEY : null,
            `count ${JSON.stringify(full)} ${query.sql}`,
          );
      }
    });

    it(`login history: first, deep and last pages and the total read an index${withRange ? ', within a time range' : ''}`, async () => {
      for (const [filter, index] of LOGIN_CASES) {
        const full = { ...filter, ...(withRange ? range : {}) };
        const first = await loginAttemptPage(t.db, full, { pageSize: 2 });
        const cursors = [undefined, 'last', ...(first.next ? [first.next] : [])];
        const queries = await queriesOf(async (db) => {
          for (const cursor of cursors)
            await loginAttemptPage(db, full, { pageSize: 2, ...(cursor ? { cursor } : {}) });
        });
        for (const query of queries)
          expectIndexRead(await planOf(query), index, `${JSON.stringify(full)} ${query.sql}`);
        const counted = await queriesOf((db) => listLoginAttempts(db, { ...full, pageSize: 2 }));
        for (const query of counted) expectIndexRead(await planOf(query), null, `count ${JSON.stringify(full)}`);
      }
    });
  }
});

describe('bad input', () => {
  it.each([
    ['/api/v1/logs/audit', { from: 'yesterday' }],
    ['/api/v1/logs/audit', { to: '2001-01-01' }],
    ['/api/v1/logs/audit', { unknown: 'x' }],
    ['/api/v1/logs/audit', { pageSize: '0' }],
    ['/api/v1/logs/audit', { pageSize: '501' }],
    ['/api/v1/logs/audit', { page: '2' }],
    ['/api/v1/logs/logins', { result: 'maybe' }],
    ['/api/v1/logs/logins', { actor: 'x' }],
    ['/api/v1/logs/logins', { pageSize: '0' }],
    ['/api/v1/logs/logins/export.csv', { from: 'not-a-date' }],
    ['/api/v1/logs/audit/export.csv', { cursor: 'last' }],
  ])('%s %j is refused with 400', async (url, query) => {
    const response = await admin.request({ method: 'GET', url, query });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBeTruthy();
  });

  it.each([
    '/api/v1/logs/audit',
    '/api/v1/logs/logins',
    '/api/v1/logs/audit/export.csv',
    '/api/v1/logs/logins/export.csv',
  ])('%s refuses a time range that ends before it starts, naming the field', async (url) => {
    const response = await admin.request({ method: 'GET', url, query: { from: hour(4), to: hour(3) } });
    expect(response.statusCode, response.body).toBe(400);
    expect(errorOf(response).fields?.to).toBe('The end of the time range must not be before its start.');
    // The same instant at both ends, written in another offset, is a range of one instant.
    const same = await admin.request({ method: 'GET', url, query: { from: hour(3), to: '2001-01-01T05:00:00+02:00' } });
    expect(same.statusCode, same.body).toBe(200);
  });
});

describe('CSV exports', () => {
  it('exports system events with headers, filtered, newest first', async () => {
    const response = await admin.request({
      method: 'GET',
      url: '/api/v1/logs/audit/export.csv',
      query: { actor: ACTOR_A.toLowerCase() },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="latchkey-.*\.csv"/);
    const lines = response.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Time (ISO 8601 UTC),Actor,Actor Name,Actor Group,Target,Target Name,Category,Action,Action Code,Changes,Details (JSON),IP',
    );
    expect(lines.slice(1)).toEqual([
      `${hour(4)},${ACTOR_A},,Auditors,${TARGET_X},,,test.beta.${tag},test.beta.${tag},Hour: 4,"{""hour"":4}",192.0.2.1`,
      `${hour(1)},${ACTOR_A},,Auditors,${TARGET_Y},,,test.beta.${tag},test.beta.${tag},Hour: 1,"{""hour"":1}",192.0.2.1`,
      `${hour(0)},${ACTOR_A},,Auditors,${TARGET_X},,,test.alpha.${tag},test.alpha.${tag},Hour: 0,"{""hour"":0}",192.0.2.1`,
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
    expect(lines[0]).toBe('Time (ISO 8601 UTC),Email,Result,Reason,Method,IP,User Agent');
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
