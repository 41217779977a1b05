/**
 * Every connection Latchkey reads its data through — the app's pool and an export's snapshot
 * connection — plans with random_page_cost = 1.1 and stays in its schema (connection.ts,
 * postgresConnectionOptions). With PostgreSQL's default 4, counting a common search's matches at a
 * million accounts read 100,000 rows instead of the trigram index (45-70 ms against 9). PostgreSQL only.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inSnapshot } from '../../src/server/db/snapshot-stream.js';
import { createTestApp, usingPostgres, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  if (usingPostgres) t = await createTestApp();
});
afterAll(async () => t?.close());

interface Settings {
  random_page_cost: string;
  schema: string;
}
const settingsQuery = sql<Settings>`select current_setting('random_page_cost') as random_page_cost, current_schema() as schema`;

describe.skipIf(!usingPostgres)('PostgreSQL connection settings', () => {
  it("the app's connections and an export's snapshot connection plan with random_page_cost 1.1, in the app's schema", async () => {
    const { rows: app } = await settingsQuery.execute(t.db);
    expect(app[0]!.random_page_cost).toBe('1.1');
    // The test's own schema, not public: the schema option is kept beside the planner's.
    expect(app[0]!.schema).not.toBe('public');

    const snapshot: Settings[] = [];
    for await (const row of inSnapshot(t.db, async function* (reader) {
      yield* (await settingsQuery.execute(reader)).rows;
    }))
      snapshot.push(row);
    expect(snapshot).toEqual(app);
  });
});
