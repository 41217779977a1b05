/**
 * The keyset paging core (db/paging.ts) on a table of its own, on both databases: walking every
 * page forward and backward yields every row exactly once in order, ties in the sort key included;
 * rows inserted or deleted between pages neither repeat nor vanish; made-up cursors are a 400.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/app-error.js';
import { countUpTo, keysetPage, type KeysetSort } from '../../src/server/db/paging.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

interface Row {
  id: number;
  name: string;
}
type ProbeDb = { paging_probe: Row };

let t: TestApp;
let db: Kysely<ProbeDb>;

function sortBy(order: 'asc' | 'desc'): KeysetSort<Row> {
  return {
    name: `name:${order}`,
    key: sql`name`,
    keyKind: 'text',
    keyOf: (row) => row.name,
    id: sql`id`,
    idKind: 'integer',
    idOf: (row) => row.id,
    order,
  };
}

const probe = () => db.selectFrom('paging_probe').select(['id', 'name']);

/** Every row reached by following `next` from the first page (or `previous` from the last). */
async function walk(order: 'asc' | 'desc', pageSize: number, backward = false): Promise<Row[]> {
  const pages: Row[][] = [];
  let cursor: string | undefined = backward ? 'last' : undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await keysetPage(probe(), sortBy(order), { cursor, pageSize });
    pages.push(page.rows);
    const following = backward ? page.previous : page.next;
    if (following === null) break;
    cursor = following;
  }
  if (backward) pages.reverse();
  return pages.flat();
}

function expected(order: 'asc' | 'desc', rows: Row[]): Row[] {
  const sorted = [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
  return order === 'asc' ? sorted : sorted.reverse();
}

async function allRows(): Promise<Row[]> {
  return probe().execute();
}

beforeAll(async () => {
  t = await createTestApp();
  db = t.db as unknown as Kysely<ProbeDb>;
  await db.schema
    .createTable('paging_probe')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('paging_probe_name_idx').on('paging_probe').columns(['name', 'id']).execute();
  // Names repeat (ties the ID must break), and some pages end in the middle of a run of ties.
  const rows = Array.from({ length: 53 }, (_, i) => ({ id: i + 1, name: `n${String((i * 7) % 11).padStart(2, '0')}` }));
  await db.insertInto('paging_probe').values(rows).execute();
});

afterAll(async () => {
  await t?.close();
});

describe('keysetPage', () => {
  for (const order of ['asc', 'desc'] as const) {
    for (const pageSize of [1, 5, 10, 53, 60]) {
      it(`walks every row once, ${order}, ${pageSize} a page, forward and backward`, async () => {
        const want = expected(order, await allRows());
        expect(await walk(order, pageSize)).toEqual(want);
        expect(await walk(order, pageSize, true)).toEqual(want);
      });
    }
  }

  it('gives no previous page on the first page and no next page on the last', async () => {
    const first = await keysetPage(probe(), sortBy('asc'), { pageSize: 10 });
    expect(first.previous).toBeNull();
    expect(first.next).not.toBeNull();
    const last = await keysetPage(probe(), sortBy('asc'), { cursor: 'last', pageSize: 10 });
    expect(last.next).toBeNull();
    expect(last.previous).not.toBeNull();
    expect(last.rows).toEqual(expected('asc', await allRows()).slice(-10));
  });

  it('goes back to exactly the page before after a step forward', async () => {
    const first = await keysetPage(probe(), sortBy('desc'), { pageSize: 7 });
    const second = await keysetPage(probe(), sortBy('desc'), { cursor: first.next!, pageSize: 7 });
    const back = await keysetPage(probe(), sortBy('desc'), { cursor: second.previous!, pageSize: 7 });
    expect(back.rows).toEqual(first.rows);
    expect(back.previous).toBeNull();
  });

  it('neither repeats nor skips a row when rows are inserted and deleted between pages', async () => {
    const first = await keysetPage(probe(), sortBy('asc'), { pageSize: 10 });
    // Insert before the cursor (must not appear later), delete the next row the walk would show,
    // and insert past the cursor (must appear).
    await db.insertInto('paging_probe').values({ id: 1000, name: 'a-before-everything' }).execute();
    const victim = (await keysetPage(probe(), sortBy('asc'), { cursor: first.next!, pageSize: 1 })).rows[0]!;
    await db.deleteFrom('paging_probe').where('id', '=', victim.id).execute();
    await db.insertInto('paging_probe').values({ id: 1001, name: 'zz-after-everything' }).execute();
    try {
      const rest: Row[] = [];
      let cursor: string | null = first.next;
      while (cursor !== null) {
        const page = await keysetPage(probe(), sortBy('asc'), { cursor, pageSize: 10 });
        rest.push(...page.rows);
        cursor = page.next;
      }
      const seen = [...first.rows, ...rest].map((r) => r.id);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).not.toContain(1000);
      expect(seen).not.toContain(victim.id);
      expect(seen).toContain(1001);
      expect(seen.length).toBe(53 - 1 + 1);
    } finally {
      await db.deleteFrom('paging_probe').where('id', 'in', [1000, 1001]).execute();
      await db.insertInto('paging_probe').values(victim).execute();
    }
  });

  it('answers an empty page past the end with the way back', async () => {
    const last = await keysetPage(probe(), sortBy('asc'), { cursor: 'last', pageSize: 3 });
    const lastRows = [...last.rows];
    await db
      .deleteFrom('paging_probe')
      .where(
        'id',
        'in',
        lastRows.map((r) => r.id),
      )
      .execute();
    try {
      // A cursor just past the (now deleted) last rows: nothing there, but a previous page exists.
      const cursorAtDeleted = (await keysetPage(probe(), sortBy('asc'), { cursor: last.previous!, pageSize: 100 }))
        .next;
      expect(cursorAtDeleted).toBeNull();
      const beyondEnd = await keysetPage(probe(), sortBy('asc'), {
        cursor: Buffer.from(JSON.stringify(['a', 'name:asc', 'zzzz', 1])).toString('base64url'),
        pageSize: 3,
      });
      expect(beyondEnd.rows).toEqual([]);
      expect(beyondEnd.next).toBeNull();
      // The way back is the last page: the rows just before the emptied position, none left over.
      expect(beyondEnd.previous).toBe('last');
      const back = await keysetPage(probe(), sortBy('asc'), { cursor: beyondEnd.previous!, pageSize: 3 });
      expect(back.rows).toEqual(expected('asc', await allRows()).slice(-3));
      expect(back.next).toBeNull();
    } finally {
      await db.insertInto('paging_probe').values(lastRows).execute();
    }
  });

  it('refuses made-up and mismatched cursors with a 400, never a database error', async () => {
    const page = await keysetPage(probe(), sortBy('asc'), { pageSize: 5 });
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      'not-base64-json',
      forged(['a', 'name:asc', 'x', 'not-an-integer']),
      forged(['a', 'name:asc', 5, 1]),
      forged(['x', 'name:asc', 'x', 1]),
      forged(['a', 'name:asc', 'x', 1e300]),
      forged({ a: 1 }),
      forged(['a', 'name:asc', 'x'.repeat(600), 1]),
      page.next!.slice(0, -3),
    ];
    for (const cursor of bad) {
      await expect(keysetPage(probe(), sortBy('asc'), { cursor, pageSize: 5 }), cursor).rejects.toSatisfy(
        (error: unknown) => error instanceof AppError && error.status === 400,
      );
    }
    // A cursor of the ascending list is not one of the descending list.
    await expect(keysetPage(probe(), sortBy('desc'), { cursor: page.next!, pageSize: 5 })).rejects.toBeInstanceOf(
      AppError,
    );
  });
});

describe('countUpTo', () => {
  it('is exact up to its limit and a lower bound past it', async () => {
    expect(await countUpTo(db, db.selectFrom('paging_probe'), 100)).toEqual({ count: 53, exact: true });
    expect(await countUpTo(db, db.selectFrom('paging_probe'), 53)).toEqual({ count: 53, exact: true });
    expect(await countUpTo(db, db.selectFrom('paging_probe'), 52)).toEqual({ count: 52, exact: false });
    expect(await countUpTo(db, db.selectFrom('paging_probe').where('name', '=', 'n00'), 100)).toEqual({
      count: 5,
      exact: true,
    });
  });
});
