/**
 * The exact totals of the unfiltered Users, Records and Tasks lists come from counters that
 * triggers keep (migration 0016), not from counting: they must follow every insert and delete,
 * by the API or by hand, and stay exact past the 10,000 a filtered list counts up to. SQLite and
 * PostgreSQL.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOTAL_COUNT_LIMIT } from '../../src/server/db/paging.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { quickSession, quickUser } from '../helpers/fixtures.js';
import { quickRecord } from '../helpers/records-fixtures.js';
import { makeTask } from '../helpers/tasks-fixtures.js';
import { createTestApp, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
});
afterAll(() => t.close());

const LISTS = { users: '/api/v1/users', records: '/api/v1/records', tasks: '/api/v1/tasks' } as const;

async function rowsIn(table: keyof typeof LISTS): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(t.db);
  return Number(rows[0]!.n);
}

/** Every unfiltered list says exactly how many rows its table holds. */
async function expectTotalsExact(): Promise<void> {
  for (const [table, url] of Object.entries(LISTS) as [keyof typeof LISTS, string][]) {
    const response = await admin.request({ method: 'GET', url });
    expect(response.statusCode, url).toBe(200);
    expect(response.json<{ total: unknown }>().total, url).toEqual({ count: await rowsIn(table), exact: true });
  }
}

describe('unfiltered list totals', () => {
  it('follow creates and deletes through the API', async () => {
    await expectTotalsExact();
    const user = await quickUser(t, SYSTEM_GROUP_IDS.regularUser);
    const record = await quickRecord(t);
    const task = await makeTask(t, { title: 'Counted task' });
    await expectTotalsExact();
    for (const url of [`/api/v1/users/${user.id}`, `/api/v1/records/${record.id}`, `/api/v1/tasks/${task}`]) {
      const response = await admin.request({ method: 'DELETE', url });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(204);
    }
    await expectTotalsExact();
  });

  it('follow writes by hand, many rows in one statement, and a failed transaction changes nothing', async () => {
    const before = await rowsIn('records');
    await sql`insert into records (id, type_id, name, name_normalized, owner, properties, created_at, updated_at)
      select 'hand-' || n, 'computer', 'Hand ' || n, 'hand ' || n, '', '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
      from (select 1 as n union all select 2 union all select 3) as three`.execute(t.db);
    await expectTotalsExact();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`delete from records where id like 'hand-%'`.execute(trx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await rowsIn('records')).toBe(before + 3);
    await expectTotalsExact();
    await sql`delete from records where id like 'hand-%'`.execute(t.db);
    await expectTotalsExact();
  });

  it(`stay exact past ${TOTAL_COUNT_LIMIT.toLocaleString('en')}, where a filtered list says "more than"`, async () => {
    const many = TOTAL_COUNT_LIMIT + 25;
    await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${many})
      insert into records (id, type_id, name, name_normalized, owner, properties, created_at, updated_at)
      select 'bulk-' || i, 'computer', 'Bulk ' || i, 'bulk ' || i, '', '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
      from n`.execute(t.db);
    await expectTotalsExact();
    const all = await admin.request({ method: 'GET', url: '/api/v1/records' });
    expect(all.json<{ total: { count: number } }>().total.count).toBeGreaterThanOrEqual(many);
    const filtered = await admin.request({ method: 'GET', url: '/api/v1/records?search=bulk' });
    expect(filtered.json<{ total: unknown }>().total).toEqual({ count: TOTAL_COUNT_LIMIT, exact: false });
  });
});
