/**
 * A PostgreSQL connection lost while a query is running (the network cut mid-query) fails that
 * query and nothing else: the process keeps running and the next query gets a fresh connection.
 * (Without an error listener on checked-out clients, pg's 'error' event ended the process: found
 * by the multi-node "database cannot be reached" test, as a crash of the node.) PostgreSQL only.
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/server/db/connection.js';
import { startDatabaseRelay, type DatabaseRelay } from '../helpers/nodes.js';
import { usingPostgres } from '../helpers/test-app.js';

let relay: DatabaseRelay | undefined;
let db: Db | undefined;
afterAll(async () => {
  await db?.destroy();
  relay?.close();
});

describe.skipIf(!usingPostgres)('a PostgreSQL connection lost mid-query', () => {
  it('fails that query, keeps the process running, and the next query reconnects', async () => {
    relay = await startDatabaseRelay(process.env.LATCHKEY_TEST_DATABASE_URL!);
    db = openDatabase({ kind: 'postgres', url: relay.url });
    await sql`select 1`.execute(db);

    const running = sql`select pg_sleep(5)`.execute(db);
    await new Promise((resolve) => setTimeout(resolve, 300));
    relay.cut();
    await expect(running).rejects.toThrow(/terminated|ECONNRESET|closed/i);
    // An unheard 'error' event would have thrown out of the event loop by now.
    await new Promise((resolve) => setTimeout(resolve, 100));

    await relay.restore();
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
