/**
 * withRandomReadsPricedForSsd (db/portable.ts): the users search counts its substring matches with
 * random page reads priced as on SSDs (PostgreSQL's default made it read the table from its start:
 * "son" at a million accounts, 41-48 ms instead of 9). The price holds for that transaction only:
 * the pooled connection goes back with PostgreSQL's own, so no other query's plan moves. PostgreSQL only.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRandomReadsPricedForSsd } from '../../src/server/db/portable.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { createTestApp, signInAs, usingPostgres, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  if (usingPostgres) t = await createTestApp();
});
afterAll(async () => t?.close());

const randomPageCost = async (db: TestApp['db']) =>
  (await sql<{ cost: string }>`select current_setting('random_page_cost') as cost`.execute(db)).rows[0]!.cost;

describe.skipIf(!usingPostgres)('random page reads priced as on SSDs, for one transaction', () => {
  it('holds inside the transaction and nowhere after it, on any pooled connection', async () => {
    const outside = await randomPageCost(t.db);
    expect(outside).not.toBe('1.1');
    expect(await withRandomReadsPricedForSsd(t.db, randomPageCost)).toBe('1.1');
    // The pool hands back the connection it was just given first; ask a few to be sure.
    const after = await Promise.all(Array.from({ length: 5 }, () => randomPageCost(t.db)));
    expect(after).toEqual(Array(5).fill(outside));
  });

  it('a users search by substring counts and pages as before, and leaves the setting as it was', async () => {
    const { user, caller } = await signInAs(t, SYSTEM_GROUP_IDS.administrator);
    // A piece from inside the address: matched by the trigram index, not as a prefix.
    const piece = user.email.slice(2, 9);
    const before = await randomPageCost(t.db);
    const response = await caller.request({ method: 'GET', url: `/api/v1/users?search=${encodeURIComponent(piece)}` });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{ total: { count: number; exact: boolean }; users: { email: string }[] }>();
    expect(body.total).toEqual({ count: 1, exact: true });
    expect(body.users.map((found) => found.email)).toEqual([user.email]);
    expect(await randomPageCost(t.db)).toBe(before);
  });
});
