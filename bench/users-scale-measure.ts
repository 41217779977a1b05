/**
 * The User Accounts list on a database filled by bench/users-scale-seed.ts: p50/p99 of listUsers
 * (the service, in process: the SQL a request runs, without HTTP) for each sort both ways at page
 * 1, a deep page and the last page, each filter, prefix and substring searches; then the CSV export
 * through the real route (time to first byte, whole file, RSS).
 *
 *   node --import tsx bench/users-scale-measure.ts sqlite /tmp/scale.db
 *   node --import tsx bench/users-scale-measure.ts postgres postgres://postgres@127.0.0.1:5432/scratch
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/server/db/connection.js';
import { migrateToLatest } from '../src/server/db/migrate.js';
import { exportUserBatches, listUsers } from '../src/server/services/users.js';
import { csvStream } from '../src/server/routes/csv.js';
import { ListUsersQuerySchema, USER_SORT_COLUMNS } from '../src/shared/schemas/users.js';

const RUNS = Number(process.env.RUNS ?? 50);

async function time(run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(RUNS / 2)]!, p99: times[Math.min(RUNS - 1, Math.ceil(RUNS * 0.99) - 1)]! };
}

function row(name: string, t: { p50: number; p99: number }, extra = '') {
  process.stdout.write(`| ${name} | ${t.p50.toFixed(2)} | ${t.p99.toFixed(2)} | ${extra} |\n`);
}

async function main() {
  const [kind, where, only] = process.argv.slice(2);
  if ((kind !== 'sqlite' && kind !== 'postgres') || !where) throw new Error('usage: sqlite <file> | postgres <url>');
  const db: Db = openDatabase(kind === 'sqlite' ? { kind, file: where } : { kind, url: where });
  const migrateStart = performance.now();
  const ran = await migrateToLatest(db);
  if (ran.length > 0)
    process.stdout.write(`migrations ${ran.join(', ')}: ${((performance.now() - migrateStart) / 1000).toFixed(1)} s\n`);
  if (kind === 'postgres') await sql`analyze users`.execute(db);
  const q = (query: Record<string, string | number>) => ListUsersQuerySchema.parse(query);
  const list = (query: Record<string, string | number>) => () => listUsers(db, q(query));

  // count(*) of every account: is an exact unfiltered total cheap?
  row('select count(*) from users', await time(() => sql`select count(*) from users`.execute(db)));

  if (!only || only === 'list') {
    process.stdout.write('| request | p50 ms | p99 ms | note |\n|---|---|---|---|\n');
    for (const sort of USER_SORT_COLUMNS) {
      for (const order of ['asc', 'desc']) {
        row(`${sort} ${order}, page 1`, await time(list({ sort, order })));
        // A deep page: the cursor of the page after the middle one (by walking "last" back is not needed:
        // a cursor is a position, any row's position makes one).
        const last = await listUsers(db, q({ sort, order, cursor: 'last' }));
        row(`${sort} ${order}, last page`, await time(list({ sort, order, cursor: 'last' })));
        const deep = await listUsers(db, q({ sort, order, cursor: last.previous! }));
        row(`${sort} ${order}, page before last (deep)`, await time(list({ sort, order, cursor: last.previous! })));
        if (deep.next) row(`${sort} ${order}, next from deep`, await time(list({ sort, order, cursor: deep.next })));
      }
    }
    for (const [name, query] of [
      ['group = Auditors', { securityGroupId: 'custom-1' }],
      ['group = Auditors, sort lastName', { securityGroupId: 'custom-1', sort: 'lastName' }],
      ['status = disabled', { accountStatus: 'disabled' }],
      ['status = disabled, sort lastLoginAt desc', { accountStatus: 'disabled', sort: 'lastLoginAt', order: 'desc' }],
      ['user type = sso', { userType: 'sso' }],
      ['user type = sso, sort createdAt', { userType: 'sso', sort: 'createdAt' }],
      ['mfa = on', { mfa: 'on' }],
      ['mfa = pending', { mfa: 'pending' }],
      ['mfa = off, sort lastName', { mfa: 'off', sort: 'lastName' }],
      ['search "a" (prefix, short)', { search: 'a' }],
      ['search "ho" (prefix, short), sort lastName', { search: 'ho', sort: 'lastName' }],
      ['search "Hopper"', { search: 'Hopper' }],
      ['search "Hopper", sort createdAt desc', { search: 'Hopper', sort: 'createdAt', order: 'desc' }],
      ['search "user5" (111,111 hits)', { search: 'user5' }],
      ['search "user5", sort lastName', { search: 'user5', sort: 'lastName' }],
      ['search "user5", last page', { search: 'user5', cursor: 'last' }],
      ['search "ser12345" (substring)', { search: 'ser12345' }],
      ['search "opp" (substring)', { search: 'opp', sort: 'lastLoginAt' }],
      ['search "åsa" (non-ASCII)', { search: 'ÅSA' }],
      ['search "strauß"', { search: 'strauß', sort: 'firstName' }],
      ['search "ada lov" (first last)', { search: 'ada lov' }],
      ['search "9999@" (~100 hits)', { search: '9999@' }],
      ['search "nobody here"', { search: 'nobody here' }],
      ['search "user5" + group', { search: 'user5', securityGroupId: 'custom-1' }],
    ] as const) {
      const first = await listUsers(db, q(query));
      row(name, await time(list(query)), `total ${first.total.exact ? '' : '> '}${first.total.count}`);
    }
  }

  if (!only || only === 'export') {
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const start = performance.now();
    let firstByte = 0;
    let bytes = 0;
    let lines = 0;
    const stream = csvStream(
      [
        ['Email', (u: { email: string }) => u.email],
        ['Name', (u: { first_name: string; last_name: string }) => `${u.first_name} ${u.last_name}`],
        ['Group', (u: { group_name: string }) => u.group_name],
        ['Last Login', (u: { last_login_at: string | null }) => u.last_login_at],
      ] as never,
      exportUserBatches(db, { sort: 'email', order: 'asc' }),
    );
    for await (const chunk of stream) {
      if (!firstByte) firstByte = performance.now() - start;
      bytes += (chunk as string).length;
      lines += (chunk as string).split('\r\n').length - 1;
    }
    clearInterval(sampler);
    process.stdout.write(
      `export: first byte ${firstByte.toFixed(0)} ms, whole ${((performance.now() - start) / 1000).toFixed(1)} s, ` +
        `${lines - 1} rows, ${(bytes / 1e6).toFixed(0)} MB, RSS before ${(rssBefore / 1e6).toFixed(0)} MB, peak ${(peak / 1e6).toFixed(0)} MB\n`,
    );
  }
  await db.destroy();
}

await main();
