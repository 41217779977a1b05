/**
 * The User Accounts list: prefix search, sort by every column both ways, pagination, and the CSV
 * export. Each describe has a database of its own, so the expected rows are exactly the ones made here.
 */
import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportUserBatches, listUsers } from '../../src/server/services/user-list.js';
import { ListUsersQuerySchema, USER_SORT_COLUMNS, type UserSortColumn } from '../../src/shared/schemas/users.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import type { UserTable } from '../../src/server/db/schema.js';
import { errorOf, quickSession, quickUser, setMaxSessionTimeout } from '../helpers/fixtures.js';
import { createTestApp, type Caller, type TestApp } from '../helpers/test-app.js';

interface Person {
  email: string;
  first: string;
  last: string;
  group: string;
  status?: 'enabled' | 'disabled';
  sso?: boolean;
  lastLogin?: string | null;
  timeout?: number;
  title?: string;
  telephone?: string;
  functionalGroup?: string;
  /** Marked "User Must Change Password at Next Login". */
  mustChange?: boolean;
}

const PEOPLE: Person[] = [
  {
    email: 'alice.archer@example.test',
    first: 'Alice',
    last: 'Archer',
    group: SYSTEM_GROUP_IDS.regularUser,
    lastLogin: '2024-03-01T10:00:00.000Z',
    timeout: 30,
    title: 'engineer',
    telephone: '+1 555 0100',
    functionalGroup: 'Finance',
  },
  {
    email: 'bob.baker@example.test',
    first: 'Bob',
    last: 'Baker',
    group: SYSTEM_GROUP_IDS.readOnlyUser,
    lastLogin: null,
    timeout: 60,
    mustChange: true,
    title: 'Engineer',
    telephone: '+1 555 0100',
    functionalGroup: 'finance',
  },
  {
    email: 'carol.cole@example.test',
    first: 'Carol',
    last: 'Cole',
    group: SYSTEM_GROUP_IDS.orchestrationUser,
    status: 'disabled',
    mustChange: true,
    lastLogin: '2024-01-15T08:30:00.000Z',
    timeout: 120,
    title: 'Analyst',
    telephone: '(020) 7946 0000',
    functionalGroup: 'Operations',
  },
  {
    email: 'dave.dunn@sso.example.test',
    first: 'Dave',
    last: 'Dunn',
    group: SYSTEM_GROUP_IDS.regularUserNoDelete,
    sso: true,
    lastLogin: '2024-02-20T12:00:00.000Z',
    timeout: 45,
    title: 'analyst',
    telephone: '020 7946 0001',
  },
  {
    email: 'erin.alvarez@example.test',
    first: 'Erin',
    last: 'Alvarez',
    group: SYSTEM_GROUP_IDS.regularUser,
    lastLogin: null,
    timeout: 15,
    functionalGroup: 'Zeta',
  },
  {
    email: 'under_score@example.test',
    first: 'Under_score',
    last: 'Wild',
    group: SYSTEM_GROUP_IDS.readOnlyUser,
    lastLogin: '2023-12-31T23:59:59.000Z',
    timeout: 600,
    title: 'Zoologist',
    telephone: '+44 20 7946 0958',
    functionalGroup: 'zeta',
  },
  {
    email: 'underxscore@example.test',
    first: 'Underxscore',
    last: 'Tame',
    group: SYSTEM_GROUP_IDS.readOnlyUser,
    lastLogin: '2024-03-02T00:00:00.000Z',
    timeout: 90,
    title: 'Éclair Maker',
    telephone: '555-0199',
    functionalGroup: 'Ökonomie',
  },
  {
    email: 'percent@example.test',
    first: 'Penny',
    last: '100% Sure',
    group: SYSTEM_GROUP_IDS.regularUser,
    timeout: 20,
    title: 'éclair taster',
    telephone: '555.0199',
    functionalGroup: 'Operations',
  },
  {
    email: 'percentx@example.test',
    first: 'Percy',
    last: '100x Sure',
    group: SYSTEM_GROUP_IDS.regularUser,
    timeout: 25,
    title: 'Bassist',
    telephone: '+1 555 0100 x12',
    functionalGroup: 'Finance',
  },
  {
    email: 'elodie@example.test',
    first: 'Élodie',
    last: 'Éclair',
    group: SYSTEM_GROUP_IDS.regularUser,
    timeout: 35,
    title: 'bassist',
    telephone: '+1 555 0100 X12',
  },
  {
    email: 'asa@example.test',
    first: 'Åsa',
    last: 'Ångström',
    group: SYSTEM_GROUP_IDS.readOnlyUser,
    sso: true,
    timeout: 40,
  },
  {
    email: 'joerg@example.test',
    first: 'Jörg',
    last: 'Strauß',
    group: SYSTEM_GROUP_IDS.orchestrationUser,
    status: 'disabled',
    timeout: 40,
  },
];

async function makePeople(t: TestApp, people: Person[]): Promise<void> {
  // Some people have timeouts above the default maximum (60), to sort by them.
  await setMaxSessionTimeout(t, 720);
  for (const person of people) {
    const user = await quickUser(t, person.group, {
      email: person.email,
      firstName: person.first,
      lastName: person.last,
      sessionTimeoutMinutes: person.timeout ?? 60,
      title: person.title ?? '',
      telephone: person.telephone ?? '',
      functionalGroup: person.functionalGroup ?? '',
    });
    await t.db
      .updateTable('users')
      .set({
        status: person.status ?? 'enabled',
        last_login_at: person.lastLogin ?? null,
        must_change_password: person.mustChange ? 1 : 0,
        ...(person.sso ? { user_type: 'sso', sso_provider: 'Okta', password_hash: null } : {}),
      })
      .where('id', '=', user.id)
      .execute();
  }
}

interface ListedUser {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  title: string;
  telephone: string;
  functionalGroup: string;
  securityGroup: { id: string; name: string };
  accountStatus: string;
  userType: string;
  lastLoginAt: string | null;
  sessionTimeoutMinutes: number;
  mustChangePassword: boolean;
  createdAt: string;
}

interface ListAnswer {
  users: ListedUser[];
  pageSize: number;
  next: string | null;
  previous: string | null;
  total: { count: number; exact: boolean };
}

async function list(caller: Caller, query: Record<string, string | number | undefined>): Promise<ListAnswer> {
  const search = new URLSearchParams(
    Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
  );
  const response = await caller.request({ method: 'GET', url: `/api/v1/users?${search}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ListAnswer>();
}

/** Every account, page by page: following `next` from the first page, or `previous` from the last. */
async function walk(caller: Caller, query: Record<string, string | number>, backward = false): Promise<string[]> {
  const pages: string[][] = [];
  let cursor: string | undefined = backward ? 'last' : undefined;
  for (let guard = 0; guard < 200; guard++) {
    const page = await list(caller, { ...query, cursor });
    pages.push(page.users.map((u) => u.email));
    const following = backward ? page.previous : page.next;
    if (following === null) break;
    cursor = following;
  }
  if (backward) pages.reverse();
  return pages.flat();
}

/** Lower-cases A–Z only, as SQL's lower() does on both databases for the sorts that use it. */
const lowerAscii = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * The sort key of each column as the product defines it (case-insensitive text; no last login =
 * oldest). Title and Functional Group fold A–Z only; all text then compares by code point.
 */
const SORT_KEYS: Record<UserSortColumn, (u: ListedUser) => string | number | null> = {
  email: (u) => u.email.toLowerCase(),
  firstName: (u) => u.firstName.toLowerCase(),
  lastName: (u) => u.lastName.toLowerCase(),
  title: (u) => lowerAscii(u.title),
  telephone: (u) => u.telephone,
  securityGroup: (u) => u.securityGroup.name,
  functionalGroup: (u) => lowerAscii(u.functionalGroup),
  accountStatus: (u) => u.accountStatus,
  userType: (u) => u.userType,
  lastLoginAt: (u) => u.lastLoginAt,
  sessionTimeoutMinutes: (u) => u.sessionTimeoutMinutes,
  createdAt: (u) => u.createdAt,
};

function expectedOrder(users: ListedUser[], column: UserSortColumn, order: 'asc' | 'desc'): string[] {
  const key = SORT_KEYS[column];
  const compare = (a: ListedUser, b: ListedUser) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) {
      // An account that never signed in sorts as the oldest Last Login: first ascending, last descending.
      if (ka === null) return order === 'asc' ? -1 : 1;
      if (kb === null) return order === 'asc' ? 1 : -1;
      const base = ka < kb ? -1 : 1;
      return order === 'asc' ? base : -base;
    }
    // Ties: by ID in the sort's direction, so paging is stable (and reads straight from an index).
    const byId = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return order === 'asc' ? byId : -byId;
  };
  return [...users].sort(compare).map((u) => u.email);
}

describe('GET /api/v1/users', () => {
  let t: TestApp;
  let admin: Caller;
  let everyone: ListedUser[];

  beforeAll(async () => {
    t = await createTestApp();
    const me = await quickUser(t, SYSTEM_GROUP_IDS.administrator, {
      email: 'zed.admin@example.test',
      firstName: 'Zed',
      lastName: 'Admin',
    });
    admin = await quickSession(t, me);
    await makePeople(t, PEOPLE);
    everyone = (await list(admin, { pageSize: 500 })).users;
  });
  afterAll(async () => t?.close());

  describe('search', () => {
    const emailsFor = async (search: string, more: Record<string, string> = {}) =>
      (await list(admin, { search, pageSize: 500, ...more })).users.map((u) => u.email).sort();

    it('matches the email, case-insensitively', async () => {
      expect(await emailsFor('bob.b')).toEqual(['bob.baker@example.test']);
      expect(await emailsFor('BOB.BAKER@EXAMPLE')).toEqual(['bob.baker@example.test']);
    });

    it('matches the first name or the last name, case-insensitively', async () => {
      expect(await emailsFor('carol')).toEqual(['carol.cole@example.test']);
      expect(await emailsFor('COLE')).toEqual(['carol.cole@example.test']);
    });

    it('from three characters on, matches anywhere in the email or the name', async () => {
      expect(await emailsFor('lice')).toEqual(['alice.archer@example.test']);
      expect(await emailsFor('ARCH')).toEqual(['alice.archer@example.test']);
      expect(await emailsFor('@sso.')).toEqual(['dave.dunn@sso.example.test']);
      expect((await emailsFor('example.test')).length).toBe(PEOPLE.length + 1);
    });

    it('shorter than three characters, matches only the start of the email, first or last name', async () => {
      expect(await emailsFor('al')).toEqual(['alice.archer@example.test', 'erin.alvarez@example.test']);
      expect(await emailsFor('li')).toEqual([]);
      expect(await emailsFor('E')).toEqual(['elodie@example.test', 'erin.alvarez@example.test']);
    });

    it('matches "first last" across the two names', async () => {
      expect(await emailsFor('alice arch')).toEqual(['alice.archer@example.test']);
      expect(await emailsFor('Alice   ARCHER')).toEqual(['alice.archer@example.test']);
      expect(await emailsFor('ice arc')).toEqual(['alice.archer@example.test']);
      expect(await emailsFor('alice baker')).toEqual([]);
    });

    it('treats LIKE and FTS syntax literally: "_", "%", quotes and operators match only themselves', async () => {
      expect(await emailsFor('under_')).toEqual(['under_score@example.test']);
      expect(await emailsFor('r_s')).toEqual(['under_score@example.test']);
      expect(await emailsFor('100%')).toEqual(['percent@example.test']);
      expect(await emailsFor('0% s')).toEqual(['percent@example.test']);
      for (const literal of ['%', '_', '\\', '%%%', '___', '"a"', 'a OR b', 'NEAR(', '*', 'x" OR "y'])
        expect(await emailsFor(literal), literal).toEqual([]);
    });

    it('folds the case of non-ASCII letters (Å, É, ß) and finds them anywhere', async () => {
      expect(await emailsFor('ÉLO')).toEqual(['elodie@example.test']);
      expect(await emailsFor('éclair')).toEqual(['elodie@example.test']);
      expect(await emailsFor('ÅSA')).toEqual(['asa@example.test']);
      expect(await emailsFor('ngström')).toEqual(['asa@example.test']);
      expect(await emailsFor('NGSTRÖM')).toEqual(['asa@example.test']);
      expect(await emailsFor('strauß')).toEqual(['joerg@example.test']);
      expect(await emailsFor('auß')).toEqual(['joerg@example.test']);
      expect(await emailsFor('å')).toEqual(['asa@example.test']);
      // Letters are not their accented cousins: "e" is not "é".
      expect(await emailsFor('eclair')).toEqual([]);
    });

    it('ignores an empty or blank search, and reports the total of the matches', async () => {
      expect((await list(admin, { search: '   ' })).total).toEqual({ count: PEOPLE.length + 1, exact: true });
      expect((await list(admin, { search: 'under' })).total).toEqual({ count: 2, exact: true });
    });

    it('pages through many matches in every sort (the sort index walked) as through few', async () => {
      for (const sort of ['lastName', 'createdAt', 'securityGroup'] as const) {
        const matching = everyone.filter((u) => u.email.includes('example.test'));
        expect(await walk(admin, { search: 'example.test', sort, pageSize: 4 })).toEqual(
          expectedOrder(matching, sort, 'asc'),
        );
        expect(await walk(admin, { search: 'example.test', sort, order: 'desc', pageSize: 4 }, true)).toEqual(
          expectedOrder(matching, sort, 'desc'),
        );
      }
    });
  });

  describe('filters', () => {
    const emailsWhere = async (query: Record<string, string>) =>
      (await list(admin, { ...query, pageSize: 500 })).users.map((u) => u.email).sort();
    const expected = (keep: (u: ListedUser) => boolean) =>
      everyone
        .filter(keep)
        .map((u) => u.email)
        .sort();

    it('by security group, account status, user type and MFA, alone and together', async () => {
      expect(await emailsWhere({ securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser })).toEqual(
        expected((u) => u.securityGroup.id === SYSTEM_GROUP_IDS.readOnlyUser),
      );
      expect(await emailsWhere({ accountStatus: 'disabled' })).toEqual(expected((u) => u.accountStatus === 'disabled'));
      expect(await emailsWhere({ accountStatus: 'enabled' })).toEqual(expected((u) => u.accountStatus === 'enabled'));
      expect(await emailsWhere({ userType: 'sso' })).toEqual(['asa@example.test', 'dave.dunn@sso.example.test']);
      expect(await emailsWhere({ userType: 'native' })).toEqual(expected((u) => u.userType === 'native'));
      expect(await emailsWhere({ mfa: 'off' })).toEqual(expected(() => true));
      expect(await emailsWhere({ mfa: 'on' })).toEqual([]);
      expect(await emailsWhere({ mustChangePassword: 'yes' })).toEqual([
        'bob.baker@example.test',
        'carol.cole@example.test',
      ]);
      expect(await emailsWhere({ mustChangePassword: 'no' })).toEqual(expected((u) => !u.mustChangePassword));
      expect(await emailsWhere({ mustChangePassword: 'yes', accountStatus: 'enabled' })).toEqual([
        'bob.baker@example.test',
      ]);
      expect(await emailsWhere({ mustChangePassword: 'yes', search: 'car' })).toEqual(['carol.cole@example.test']);
      expect(
        await emailsWhere({
          securityGroupId: SYSTEM_GROUP_IDS.orchestrationUser,
          accountStatus: 'disabled',
          userType: 'native',
        }),
      ).toEqual(['carol.cole@example.test', 'joerg@example.test']);
      expect(await emailsWhere({ securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser, search: 'under' })).toEqual([
        'under_score@example.test',
        'underxscore@example.test',
      ]);
      expect(await emailsWhere({ securityGroupId: 'no-such-group' })).toEqual([]);
    });

    it('pages a filtered list in every direction and counts only its matches', async () => {
      const query = { securityGroupId: SYSTEM_GROUP_IDS.regularUser, sort: 'lastName', pageSize: 2 };
      const matching = everyone.filter((u) => u.securityGroup.id === SYSTEM_GROUP_IDS.regularUser);
      expect(await walk(admin, query)).toEqual(expectedOrder(matching, 'lastName', 'asc'));
      expect(await walk(admin, query, true)).toEqual(expectedOrder(matching, 'lastName', 'asc'));
      expect((await list(admin, query)).total).toEqual({ count: matching.length, exact: true });

      // One filter in the default order (Email), read as a range of the filter's own index.
      const enabled = everyone.filter((u) => u.accountStatus === 'enabled');
      for (const order of ['asc', 'desc'] as const) {
        const byEmail = { accountStatus: 'enabled', order, pageSize: 2 };
        expect(await walk(admin, byEmail)).toEqual(expectedOrder(enabled, 'email', order));
        expect(await walk(admin, byEmail, true)).toEqual(expectedOrder(enabled, 'email', order));
        expect((await list(admin, byEmail)).total).toEqual({ count: enabled.length, exact: true });
      }
    });

    it('refuses an unknown status, user type, MFA or must-change value with 400 naming the field', async () => {
      for (const [query, field] of [
        ['accountStatus=locked', 'accountStatus'],
        ['userType=robot', 'userType'],
        ['mfa=maybe', 'mfa'],
        ['mustChangePassword=true', 'mustChangePassword'],
        ['mustChangePassword=', 'mustChangePassword'],
        ['securityGroupId=', 'securityGroupId'],
      ] as const) {
        const response = await admin.request({ method: 'GET', url: `/api/v1/users?${query}` });
        expect(response.statusCode, query).toBe(400);
        expect(errorOf(response).fields?.[field], query).toBeTruthy();
      }
    });
  });

  describe('sort', () => {
    for (const column of USER_SORT_COLUMNS) {
      for (const order of ['asc', 'desc'] as const) {
        it(`sorts by ${column} ${order === 'asc' ? 'ascending' : 'descending'}, every account once forward and backward`, async () => {
          const expected = expectedOrder(everyone, column, order);
          expect((await list(admin, { sort: column, order, pageSize: 500 })).users.map((u) => u.email)).toEqual(
            expected,
          );
          // Pages of 3 end inside runs of ties (same title, same timeout…): the ID breaks them.
          expect(await walk(admin, { sort: column, order, pageSize: 3 })).toEqual(expected);
          expect(await walk(admin, { sort: column, order, pageSize: 3 }, true)).toEqual(expected);
        });
      }
    }

    it('sorts by email ascending when no sort is given', async () => {
      const { users } = await list(admin, { pageSize: 500 });
      expect(users.map((u) => u.email)).toEqual(expectedOrder(everyone, 'email', 'asc'));
    });

    it('refuses an unknown sort column or order with 400', async () => {
      for (const query of ['sort=password_hash', 'sort=email;drop table users', 'order=sideways']) {
        const response = await admin.request({ method: 'GET', url: `/api/v1/users?${query}` });
        expect(response.statusCode).toBe(400);
        expect(errorOf(response).code).toBe('validation_failed');
      }
    });
  });

  describe('paging', () => {
    it('gives next and previous cursors, and none past either end', async () => {
      const first = await list(admin, { sort: 'lastName', pageSize: 5 });
      expect(first.previous).toBeNull();
      expect(first.next).not.toBeNull();
      expect(first.total).toEqual({ count: PEOPLE.length + 1, exact: true });
      const second = await list(admin, { sort: 'lastName', pageSize: 5, cursor: first.next! });
      expect(second.previous).not.toBeNull();
      const back = await list(admin, { sort: 'lastName', pageSize: 5, cursor: second.previous! });
      expect(back.users.map((u) => u.email)).toEqual(first.users.map((u) => u.email));
      const last = await list(admin, { sort: 'lastName', pageSize: 5, cursor: 'last' });
      expect(last.next).toBeNull();
      expect(last.users.map((u) => u.email)).toEqual(expectedOrder(everyone, 'lastName', 'asc').slice(-5));
    });

    it('neither repeats nor skips an account when accounts are added or deleted between pages', async () => {
      const before = (await list(admin, { sort: 'firstName', pageSize: 4 })).users;
      const first = await list(admin, { sort: 'firstName', pageSize: 4 });
      // One deleted from the page shown, one added before it, one added after it.
      const gone = first.users[1]!;
      await t.db.deleteFrom('users').where('id', '=', gone.id).execute();
      await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser, {
        email: 'aaron.early@example.test',
        firstName: 'Aaron',
        lastName: 'Early',
      });
      await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser, {
        email: 'yves.late@example.test',
        firstName: 'Yves',
        lastName: 'Late',
      });
      const rest: string[] = [];
      for (let cursor = first.next; cursor;) {
        const page = await list(admin, { sort: 'firstName', pageSize: 4, cursor });
        rest.push(...page.users.map((u) => u.email));
        cursor = page.next;
      }
      const now = (await list(admin, { sort: 'firstName', pageSize: 500 })).users.map((u) => u.email);
      // Exactly the accounts after the first page, as they are now: the new later one included.
      expect(rest).toEqual(now.slice(now.indexOf(first.users[3]!.email) + 1));
      expect(rest).toContain('yves.late@example.test');
      expect(before.map((u) => u.email)).toEqual(first.users.map((u) => u.email));
      // Put things back for the other tests.
      await t.db
        .deleteFrom('users')
        .where('email_normalized', 'in', ['aaron.early@example.test', 'yves.late@example.test'])
        .execute();
      await makePeople(
        t,
        PEOPLE.filter((p) => p.email === gone.email),
      );
      everyone = (await list(admin, { pageSize: 500 })).users;
    });

    it('uses 25 rows per page by default', async () => {
      expect((await list(admin, {})).pageSize).toBe(25);
    });

    it('refuses a made-up or foreign cursor, and a page size outside 1..500, with 400 naming the field', async () => {
      const lastNameCursor = (await list(admin, { sort: 'lastName', pageSize: 2 })).next!;
      for (const [query, field] of [
        ['pageSize=0', 'pageSize'],
        ['pageSize=501', 'pageSize'],
        ['pageSize=2.5', 'pageSize'],
        ['pageSize=ten', 'pageSize'],
        ['cursor=not-a-cursor', 'cursor'],
        ['cursor=' + Buffer.from('["a","email:asc",1,2]').toString('base64url'), 'cursor'],
        ['cursor=%2F%2F', 'cursor'],
        [`sort=email&cursor=${lastNameCursor}`, 'cursor'],
        [`sort=lastName&order=desc&cursor=${lastNameCursor}`, 'cursor'],
      ] as const) {
        const response = await admin.request({ method: 'GET', url: `/api/v1/users?${query}` });
        expect(response.statusCode, query).toBe(400);
        expect(errorOf(response).code, query).toBe('validation_failed');
        expect(errorOf(response).fields?.[field], query).toBeTruthy();
      }
    });

    it('refuses the old page numbers (a page is a cursor now)', async () => {
      const response = await admin.request({ method: 'GET', url: '/api/v1/users?page=2' });
      expect(response.statusCode).toBe(400);
    });

    it('accepts the largest page size, 500', async () => {
      expect((await list(admin, { pageSize: 500 })).pageSize).toBe(500);
    });
  });

  it('never shows a password hash', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/users?pageSize=500' });
    expect(response.body).not.toMatch(/argon2|password_?hash|passwordHash/i);
  });
});

/** A users row as an insert may write it: without the columns only the database writes (migration 0014). */
function insertable(row: UserTable): UserTable {
  const { mfa_status: _status, mfa_factor_confirmed: _confirmed, ...rest } = row as UserTable & Record<string, unknown>;
  return rest;
}

/** Adds `count` accounts (bulkNNNNN@example.test) by SQL, quickly: the big-list tests need thousands. */
async function addBulkAccounts(t: TestApp, count: number, prefix = 'bulk'): Promise<void> {
  const template = insertable(await t.db.selectFrom('users').selectAll().limit(1).executeTakeFirstOrThrow());
  for (let i = 0; i < count; i += 500) {
    const rows = Array.from({ length: Math.min(500, count - i) }, (_, j) => {
      const email = `${prefix}${String(i + j).padStart(5, '0')}@example.test`;
      return {
        ...template,
        id: randomUUID(),
        email,
        email_normalized: email,
        security_group_id: SYSTEM_GROUP_IDS.readOnlyUser,
      };
    });
    await t.db.insertInto('users').values(rows).execute();
  }
}

describe('totals and plans with more than 10,000 accounts', () => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator, { email: 'admin@example.test' }));
    await addBulkAccounts(t, 10_050);
    if (t.databaseKind === 'postgres') await sql`analyze users`.execute(t.db);
    else await sql`analyze`.execute(t.db);
  }, 120_000);
  afterAll(async () => t?.close());

  it('counts every account exactly unfiltered, and a filter exactly when it is narrow', async () => {
    const accounts = Number(
      (
        await t.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(accounts).toBeGreaterThan(10_000);
    expect((await list(admin, {})).total).toEqual({ count: accounts, exact: true });
    expect((await list(admin, { securityGroupId: SYSTEM_GROUP_IDS.administrator })).total).toEqual({
      count: 1,
      exact: true,
    });
  });

  it('counts a filter exactly up to 5,000 matches, and pages many matches by walking the sort', async () => {
    const readOnly = { securityGroupId: SYSTEM_GROUP_IDS.readOnlyUser, pageSize: 3 };
    expect((await list(admin, readOnly)).total).toEqual({ count: 5_000, exact: false });
    const first = await list(admin, { ...readOnly, sort: 'email', order: 'desc' });
    expect(first.users.map((u) => u.email)).toEqual([
      'bulk10049@example.test',
      'bulk10048@example.test',
      'bulk10047@example.test',
    ]);
    const second = await list(admin, { ...readOnly, sort: 'email', order: 'desc', cursor: first.next! });
    expect(second.users.map((u) => u.email)).toEqual([
      'bulk10046@example.test',
      'bulk10045@example.test',
      'bulk10044@example.test',
    ]);
  });

  it('counts a search exactly up to 5,000 matches, and pages it either way', async () => {
    expect((await list(admin, { search: 'bulk' })).total).toEqual({ count: 5_000, exact: false });
    expect((await list(admin, { search: 'bulk0' })).total).toEqual({ count: 5_000, exact: false });
    expect((await list(admin, { search: 'bulk09' })).total).toEqual({ count: 1_000, exact: true });
    expect((await list(admin, { search: 'k1002' })).total).toEqual({ count: 10, exact: true });
    // Many matches (the sort's index walked) and few (the trigram index read): the same pages.
    const many = await list(admin, { search: 'bulk1', sort: 'email', order: 'desc', cursor: 'last', pageSize: 3 });
    expect(many.users.map((u) => u.email)).toEqual([
      'bulk10002@example.test',
      'bulk10001@example.test',
      'bulk10000@example.test',
    ]);
    const few = await list(admin, { search: 'bulk1000', sort: 'email', order: 'desc', cursor: 'last', pageSize: 3 });
    expect(few.users.map((u) => u.email)).toEqual(many.users.map((u) => u.email));
    // A cursor from one is good in the other: it is a position in the same order.
    const next = await list(admin, {
      search: 'bulk1000',
      sort: 'email',
      order: 'desc',
      cursor: many.previous!,
      pageSize: 3,
    });
    expect(next.users.map((u) => u.email)).toEqual([
      'bulk10005@example.test',
      'bulk10004@example.test',
      'bulk10003@example.test',
    ]);
  });

  it('pages many matches that cluster late in the sort (the walk gives up, the matches are read and sorted): each once, both ways, ties too', async () => {
    // 5,100 "zulk" accounts (more than a count says exactly) after 10,050 "bulk" ones in email
    // order: a walk of the first rows in email order finds none of them.
    await addBulkAccounts(t, 5_100, 'zulk');
    const zulk = Array.from({ length: 5_100 }, (_, i) => `zulk${String(i).padStart(5, '0')}@example.test`);
    try {
      const many = { search: 'zulk', pageSize: 500 };
      expect((await list(admin, many)).total).toEqual({ count: 5_000, exact: false });
      expect(await walk(admin, { ...many, sort: 'email', order: 'asc' })).toEqual(zulk);
      expect(await walk(admin, { ...many, sort: 'email', order: 'asc' }, true)).toEqual(zulk);
      expect(await walk(admin, { ...many, sort: 'email', order: 'desc' }, true)).toEqual([...zulk].reverse());
      // Every one tied on its status: ordered by ID, each once forward and backward.
      const tied = await walk(admin, { ...many, sort: 'accountStatus', order: 'desc' });
      expect([...tied].sort()).toEqual(zulk);
      expect(await walk(admin, { ...many, sort: 'accountStatus', order: 'desc' }, true)).toEqual(tied);
      // A step back from a page in the middle gives exactly the page before.
      const first = await list(admin, { ...many, pageSize: 7 });
      const second = await list(admin, { ...many, pageSize: 7, cursor: first.next! });
      expect(second.users.map((u) => u.email)).toEqual(zulk.slice(7, 14));
      const back = await list(admin, { ...many, pageSize: 7, cursor: second.previous! });
      expect(back.users.map((u) => u.email)).toEqual(zulk.slice(0, 7));
      expect(back.previous).toBeNull();
    } finally {
      await t.db.deleteFrom('users').where('email_normalized', 'like', 'zulk%').execute();
    }
  }, 120_000);

  it('filters by "must change password" through its index (migration 0026), and pages either answer both ways', async () => {
    const marked = ['bulk00007@example.test', 'bulk05000@example.test', 'bulk10001@example.test'];
    await t.db.updateTable('users').set({ must_change_password: 1 }).where('email_normalized', 'in', marked).execute();
    try {
      if (t.databaseKind === 'postgres') await sql`analyze users`.execute(t.db);
      else await sql`analyze`.execute(t.db);
      const yes = { mustChangePassword: 'yes', pageSize: 2 };
      expect((await list(admin, yes)).total).toEqual({ count: 3, exact: true });
      expect(await walk(admin, yes)).toEqual(marked);
      expect(await walk(admin, { ...yes, order: 'desc' }, true)).toEqual([...marked].reverse());
      for (const sort of ['email', 'lastLoginAt'] as const) {
        const plans = await plansOf(t, { mustChangePassword: 'yes', sort, pageSize: 25 });
        // The count, and the page's matches (before their rows are read by ID).
        for (const read of [
          plans.find((p) => /count\(/.test(p.sql))!,
          plans.find((p) => p.sql.includes('"sort_key"'))!,
        ])
          expect(read.plan, `${sort}:\n${read.sql}\n${read.plan}`).toMatch(/users_must_change_password_email_idx/);
      }
      // Many accounts need no change: counted up to the limit, a page walked from the sort's index.
      const no = await list(admin, { mustChangePassword: 'no', sort: 'email', order: 'desc', pageSize: 3 });
      expect(no.total).toEqual({ count: 5_000, exact: false });
      expect(no.users.map((u) => u.email)).toEqual([
        'bulk10049@example.test',
        'bulk10048@example.test',
        'bulk10047@example.test',
      ]);
      const after = await list(admin, { mustChangePassword: 'no', sort: 'email', pageSize: 3, cursor: 'last' });
      expect(after.users.map((u) => u.email)).toEqual([
        'bulk10047@example.test',
        'bulk10048@example.test',
        'bulk10049@example.test',
      ]);
      expect(
        (await walk(admin, { mustChangePassword: 'no', search: 'bulk0000', pageSize: 4 })).filter((e) =>
          marked.includes(e),
        ),
      ).toEqual([]);
    } finally {
      await t.db
        .updateTable('users')
        .set({ must_change_password: 0 })
        .where('email_normalized', 'in', marked)
        .execute();
    }
  });

  it('reads every sort, both ways, from its index: no sorting step, at page 1, a middle page and the last', async () => {
    const postgres = t.databaseKind === 'postgres';
    for (const sort of USER_SORT_COLUMNS) {
      for (const order of ['asc', 'desc'] as const) {
        const middle = (await list(admin, { sort, order, pageSize: 500 })).next!;
        for (const cursor of [undefined, middle, 'last']) {
          const plans = await plansOf(t, { sort, order, cursor, pageSize: 25 });
          const page = plans.find((p) => p.sql.includes('"sort_key"'))!;
          expect(page.plan, `${sort} ${order} ${cursor}:\n${page.plan}`).not.toMatch(
            postgres ? /\bSort\b|Seq Scan on users/ : /TEMP B-TREE|SCAN u\b(?! USING)/,
          );
        }
      }
    }
  });
});

/** The plans of the queries one list request runs (EXPLAIN, the PostgreSQL planner kept off a sort or full scan where an index can do). */
async function plansOf(t: TestApp, query: Record<string, string | number | undefined>) {
  const recorded: CompiledQuery[] = [];
  const spy = t.db.withPlugin({
    transformQuery: ({ node, queryId }) => {
      recorded.push(t.db.getExecutor().compileQuery(node, queryId));
      return node;
    },
    transformResult: ({ result }) => Promise.resolve(result),
  });
  await listUsers(spy, ListUsersQuerySchema.parse(query));
  const postgres = t.databaseKind === 'postgres';
  return Promise.all(
    recorded.map(async (compiled) => {
      const explain = CompiledQuery.raw(`${postgres ? 'explain' : 'explain query plan'} ${compiled.sql}`, [
        ...compiled.parameters,
      ]);
      const result = await t.db.executeQuery<Record<string, string>>(explain);
      return { sql: compiled.sql, plan: result.rows.map((row) => row['QUERY PLAN'] ?? row.detail ?? '').join('\n') };
    }),
  );
}

/** Parses our CSV (RFC 4180: quoted cells, doubled quotes, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

const CSV_HEADER = [
  'Email',
  'First Name',
  'Last Name',
  'Title',
  'Telephone',
  'Security Group',
  'Functional Group',
  'Account Status',
  'MFA',
  'User Type',
  'Last Login (ISO 8601 UTC)',
  'Timeout',
];

describe('GET /api/v1/users/export.csv', () => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await quickSession(
      t,
      await quickUser(t, SYSTEM_GROUP_IDS.administrator, {
        email: 'aaa.admin@example.test',
        firstName: 'Ada',
        lastName: 'Admin',
      }),
    );
    await makePeople(t, [
      {
        email: 'formula@example.test',
        first: '=HYPERLINK("http://evil.example","x")',
        last: '-2+3',
        group: SYSTEM_GROUP_IDS.regularUser,
        title: '+SUM(A1)',
        functionalGroup: '@cmd',
        telephone: '+1 555 0100',
        lastLogin: '2024-03-01T10:00:00.000Z',
        timeout: 45,
      },
      {
        email: 'plain@example.test',
        first: 'Plain',
        last: 'Person, Jr.',
        group: SYSTEM_GROUP_IDS.readOnlyUser,
        title: 'Line\nbreak',
        status: 'disabled',
        sso: true,
        timeout: 30,
      },
    ]);
  });
  afterAll(async () => t?.close());

  it('answers a CSV attachment with a header row and one row per account, in the list order', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/users/export.csv' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="latchkey-users-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows = parseCsv(response.body);
    expect(rows[0]).toEqual(CSV_HEADER);
    expect(rows.slice(1).map((r) => r[0])).toEqual([
      'aaa.admin@example.test',
      'formula@example.test',
      'plain@example.test',
    ]);
  });

  it("prefixes cells that start with = + - @ with ' so spreadsheets show them as text", async () => {
    const rows = parseCsv(
      (await admin.request({ method: 'GET', url: '/api/v1/users/export.csv?search=formula' })).body,
    );
    expect(rows).toHaveLength(2);
    const cells = Object.fromEntries(CSV_HEADER.map((h, i) => [h, rows[1]![i]]));
    expect(cells).toEqual({
      Email: 'formula@example.test',
      'First Name': `'=HYPERLINK("http://evil.example","x")`,
      'Last Name': "'-2+3",
      Title: "'+SUM(A1)",
      Telephone: "'+1 555 0100",
      'Security Group': 'Regular User',
      'Functional Group': "'@cmd",
      'Account Status': 'Enabled',
      MFA: 'Off',
      'User Type': 'Native',
      'Last Login (ISO 8601 UTC)': '2024-03-01T10:00:00.000Z',
      Timeout: '45',
    });
  });

  it('quotes commas, quotes and line breaks, and shows status and user type in words', async () => {
    const response = await admin.request({ method: 'GET', url: '/api/v1/users/export.csv?search=plain' });
    expect(response.body).toContain('"Person, Jr."');
    const rows = parseCsv(response.body);
    expect(rows[1]).toEqual([
      'plain@example.test',
      'Plain',
      'Person, Jr.',
      'Line\nbreak',
      '',
      'Read Only User',
      '',
      'Disabled',
      'Off',
      'SSO',
      '',
      '30',
    ]);
  });

  it('applies the search and sort of the list', async () => {
    const rows = parseCsv(
      (await admin.request({ method: 'GET', url: '/api/v1/users/export.csv?sort=email&order=desc' })).body,
    );
    expect(rows.slice(1).map((r) => r[0])).toEqual([
      'plain@example.test',
      'formula@example.test',
      'aaa.admin@example.test',
    ]);
    const none = parseCsv((await admin.request({ method: 'GET', url: '/api/v1/users/export.csv?search=nobody' })).body);
    expect(none).toEqual([CSV_HEADER]);
  });

  it('refuses paging parameters and unknown parameters with 400', async () => {
    for (const query of ['page=2', 'pageSize=5', 'cursor=last', 'format=xlsx', 'mfa=maybe']) {
      const response = await admin.request({ method: 'GET', url: `/api/v1/users/export.csv?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(errorOf(response).code).toBe('validation_failed');
    }
  });

  it('exports every account, past the first 1000 (it reads the list in pages)', async () => {
    const template = insertable(
      await t.db
        .selectFrom('users')
        .selectAll()
        .where('email_normalized', '=', 'plain@example.test')
        .executeTakeFirstOrThrow(),
    );
    const extra = Array.from({ length: 1001 }, (_, i) => {
      const email = `bulk-${String(i).padStart(4, '0')}@example.test`;
      return { ...template, id: randomUUID(), email, email_normalized: email };
    });
    for (let i = 0; i < extra.length; i += 200)
      await t.db
        .insertInto('users')
        .values(extra.slice(i, i + 200))
        .execute();
    const rows = parseCsv((await admin.request({ method: 'GET', url: '/api/v1/users/export.csv' })).body);
    expect(rows.length).toBe(1 + 3 + 1001);
    const emails = rows.slice(1).map((r) => r[0]);
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails).toContain('bulk-1000@example.test');
  });
  it('exports the accounts as they were when it started: none twice, none missing, while others change them', async () => {
    await addBulkAccounts(t, 1500, 'snap');
    const atStart = (await t.db.selectFrom('users').select('email').execute()).map((u) => u.email).sort();
    const batches = exportUserBatches(t.db, { sort: 'email', order: 'asc' });
    const exported: string[] = [];
    const first = await batches.next();
    exported.push(...(first.value as Array<{ email: string }>).map((u) => u.email));
    // Meanwhile, on the app's own connection: accounts deleted, added (before and after the
    // export's position) and renamed (moved from after its position to before it, and back).
    const later = atStart.filter((email) => !exported.includes(email));
    await t.db.deleteFrom('users').where('email', 'in', later.slice(0, 5)).execute();
    await addBulkAccounts(t, 30, 'aaa-new');
    await addBulkAccounts(t, 30, 'zzz-new');
    for (const email of later.slice(10, 15)) {
      const moved = `0-moved-${email}`;
      await t.db
        .updateTable('users')
        .set({ email: moved, email_normalized: moved })
        .where('email', '=', email)
        .execute();
    }
    for await (const batch of batches) exported.push(...batch.map((u) => u.email));
    expect(exported.length).toBe(atStart.length);
    expect([...exported].sort()).toEqual(atStart);
    // The export's connection is closed and the app's writes went through.
    expect(await t.db.selectFrom('users').select('id').where('email', 'like', 'zzz-new%').execute()).toHaveLength(30);
  });
});

/**
 * The text sorts give one order, written out here, on SQLite and on PostgreSQL alike (this file
 * runs on both): A–Z folded (so "Alpha" is next to "alpine", not before every lower-case title),
 * everything else by code point ("(", "+" and digits before letters, "É" and "é" after "z").
 */
describe('sorting by Title, Telephone and Functional Group: the same order on both databases', () => {
  let t: TestApp;
  let admin: Caller;

  // Every value differs from the others even folded, so no tie can leave the order to the IDs.
  const SAMPLE = [
    ['(Acting) Head', '555.0199', 'Finance'],
    ['10 Downing', '+1 555 0100 X12', 'finance EU'],
    ['9 Elms', '+1 555 0100', 'operations'],
    ['Alpha', '(020) 7946 0000', ''],
    ['alpine', '555-0199', 'Ökonomie'],
    ['beta', '+1 555 0100 x12', 'öko'],
    ['zebra', '020 7946 0001', 'yankee'],
    ['Zulu', '+44 20 7946 0958', 'Zeta'],
    ['Éclair', '07700 900123', 'Yodel'],
    ['éclair-2', '(0)1632 960000', 'Alpha Team'],
  ] as const;

  const EXPECTED_ASCENDING = {
    title: ['(Acting) Head', '10 Downing', '9 Elms', 'Alpha', 'alpine', 'beta', 'zebra', 'Zulu', 'Éclair', 'éclair-2'],
    telephone: [
      '(0)1632 960000',
      '(020) 7946 0000',
      '+1 555 0100',
      '+1 555 0100 X12',
      '+1 555 0100 x12',
      '+44 20 7946 0958',
      '020 7946 0001',
      '07700 900123',
      '555-0199',
      '555.0199',
    ],
    functionalGroup: [
      '',
      'Alpha Team',
      'Finance',
      'finance EU',
      'operations',
      'yankee',
      'Yodel',
      'Zeta',
      'Ökonomie',
      'öko',
    ],
  } as const;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
    for (const [i, [title, telephone, functionalGroup]] of SAMPLE.entries()) {
      await quickUser(t, SYSTEM_GROUP_IDS.regularUser, {
        email: `sample${i}@example.test`,
        firstName: 'Sample',
        lastName: `Person ${i}`,
        title,
        telephone,
        functionalGroup,
      });
    }
  });
  afterAll(async () => t?.close());

  for (const column of ['title', 'telephone', 'functionalGroup'] as const) {
    it(`sorts by ${column} in the order written here, both ways`, async () => {
      const values = async (order: 'asc' | 'desc') =>
        (await list(admin, { search: 'sample', sort: column, order, pageSize: 500 })).users.map(
          (u) => (u as unknown as Record<string, string>)[column],
        );
      expect(await values('asc')).toEqual(EXPECTED_ASCENDING[column]);
      expect(await values('desc')).toEqual([...EXPECTED_ASCENDING[column]].reverse());
    });
  }
});
