/**
 * The User Accounts list: prefix search, sort by every column both ways, pagination, and the CSV
 * export. Each describe has a database of its own, so the expected rows are exactly the ones made here.
 */
import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectUserPage } from '../../src/server/services/users.js';
import { USER_SORT_COLUMNS, type UserSortColumn } from '../../src/shared/schemas/users.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
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
  createdAt: string;
}

async function list(caller: Caller, query: Record<string, string | number>) {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const response = await caller.request({ method: 'GET', url: `/api/v1/users?${search}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ users: ListedUser[]; total: number; page: number; pageSize: number }>();
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
    const emailsFor = async (search: string) =>
      (await list(admin, { search, pageSize: 500 })).users.map((u) => u.email).sort();

    it('matches the start of the email, case-insensitively', async () => {
      expect(await emailsFor('bob.b')).toEqual(['bob.baker@example.test']);
      expect(await emailsFor('BOB.BAKER@EXAMPLE')).toEqual(['bob.baker@example.test']);
    });

    it('matches the start of the first name or the last name, case-insensitively', async () => {
      expect(await emailsFor('carol')).toEqual(['carol.cole@example.test']);
      expect(await emailsFor('COLE')).toEqual(['carol.cole@example.test']);
      expect(await emailsFor('al')).toEqual(['alice.archer@example.test', 'erin.alvarez@example.test']);
    });

    it('matches "first last" (whole first name, start of the last name)', async () => {
      expect(await emailsFor('alice arch')).toEqual(['alice.archer@example.test']);
      expect(await emailsFor('Alice   ARCHER')).toEqual(['alice.archer@example.test']);
      expect(await emailsFor('alice baker')).toEqual([]);
    });

    it('matches only at the start, not in the middle', async () => {
      expect(await emailsFor('lice')).toEqual([]);
      expect(await emailsFor('example.test')).toEqual([]);
    });

    it('treats LIKE wildcards literally: "_" and "%" match only themselves', async () => {
      expect(await emailsFor('under_')).toEqual(['under_score@example.test']);
      expect(await emailsFor('100%')).toEqual(['percent@example.test']);
      expect(await emailsFor('%')).toEqual([]);
      expect(await emailsFor('_')).toEqual([]);
      expect(await emailsFor('\\')).toEqual([]);
    });

    it('folds the case of accented letters too', async () => {
      expect(await emailsFor('ÉLO')).toEqual(['elodie@example.test']);
      expect(await emailsFor('éclair')).toEqual(['elodie@example.test']);
    });

    it('ignores an empty or blank search, and reports the total of the matches', async () => {
      expect((await list(admin, { search: '   ' })).total).toBe(PEOPLE.length + 1);
      expect((await list(admin, { search: 'under' })).total).toBe(2);
    });
  });

  describe('sort', () => {
    for (const column of USER_SORT_COLUMNS) {
      for (const order of ['asc', 'desc'] as const) {
        it(`sorts by ${column} ${order === 'asc' ? 'ascending' : 'descending'}`, async () => {
          const { users } = await list(admin, { sort: column, order, pageSize: 500 });
          expect(users.map((u) => u.email)).toEqual(expectedOrder(everyone, column, order));
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

  describe('pagination', () => {
    it('pages through every account once, reporting total, page and pageSize', async () => {
      const seen: string[] = [];
      for (let page = 1; page <= 4; page++) {
        const body = await list(admin, { sort: 'lastName', pageSize: 3, page });
        expect(body.total).toBe(PEOPLE.length + 1);
        expect(body.page).toBe(page);
        expect(body.pageSize).toBe(3);
        expect(body.users.length).toBe(page < 4 ? 3 : (PEOPLE.length + 1) % 3 || 3);
        seen.push(...body.users.map((u) => u.email));
      }
      expect(seen).toEqual(expectedOrder(everyone, 'lastName', 'asc'));
    });

    it('answers a page past the end with no rows and the true total', async () => {
      const body = await list(admin, { page: 99, pageSize: 10 });
      expect(body.users).toEqual([]);
      expect(body.total).toBe(PEOPLE.length + 1);
    });

    it('uses 25 rows per page by default', async () => {
      const body = await list(admin, {});
      expect(body.pageSize).toBe(25);
      expect(body.page).toBe(1);
    });

    it('refuses pageSize outside 1..500 and page below 1 with 400 naming the field', async () => {
      for (const [query, field] of [
        ['pageSize=0', 'pageSize'],
        ['pageSize=501', 'pageSize'],
        ['pageSize=-5', 'pageSize'],
        ['pageSize=2.5', 'pageSize'],
        ['pageSize=ten', 'pageSize'],
        ['page=0', 'page'],
        ['page=-1', 'page'],
      ] as const) {
        const response = await admin.request({ method: 'GET', url: `/api/v1/users?${query}` });
        expect(response.statusCode, query).toBe(400);
        expect(errorOf(response).fields?.[field], query).toBeTruthy();
      }
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
  'Last Login',
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
      'Last Login': '2024-03-01T10:00:00.000Z',
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
    for (const query of ['page=2', 'pageSize=5', 'format=xlsx']) {
      const response = await admin.request({ method: 'GET', url: `/api/v1/users/export.csv?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(errorOf(response).code).toBe('validation_failed');
    }
  });

  it('exports every account, past the first 1000 (it reads the list in pages)', async () => {
    const template = await t.db
      .selectFrom('users')
      .selectAll()
      .where('email_normalized', '=', 'plain@example.test')
      .executeTakeFirstOrThrow();
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

  it('answers the Title, Telephone and Functional Group sorts from an index, both ways (no sorting step)', async () => {
    const postgres = t.databaseKind === 'postgres';
    for (const sort of ['title', 'telephone', 'functionalGroup'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const compiled = selectUserPage(t.db, { sort, order, page: 2, pageSize: 25 }).compile();
        const plan = await t.db.transaction().execute(async (trx) => {
          if (postgres) {
            // Ten rows: left alone, PostgreSQL would rightly scan the table. Forbid that, and see
            // whether an index can give the order at all (if not, a Sort step appears anyway).
            await sql`set local enable_seqscan = off`.execute(trx);
            await sql`set local enable_sort = off`.execute(trx);
          }
          const explain = CompiledQuery.raw(`${postgres ? 'explain' : 'explain query plan'} ${compiled.sql}`, [
            ...compiled.parameters,
          ]);
          const result = await trx.executeQuery<Record<string, string>>(explain);
          return result.rows.map((row) => row['QUERY PLAN'] ?? row.detail ?? '').join('\n');
        });
        const index = {
          title: 'users_title_sort_idx',
          telephone: 'users_telephone_sort_idx',
          functionalGroup: 'users_functional_group_sort_idx',
        }[sort];
        expect(plan, `${sort} ${order}:\n${plan}`).toContain(index);
        expect(plan, `${sort} ${order}:\n${plan}`).not.toMatch(postgres ? /\bSort\b/ : /TEMP B-TREE/);
      }
    }
  });
});
