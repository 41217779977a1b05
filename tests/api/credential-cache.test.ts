/**
 * The credential cache (auth/credential-cache.ts) and what tells it to forget (migration 0010,
 * auth/credential-changes.ts). The revoking acts themselves are covered where they live (sessions,
 * users-write, security-groups, mfa, … and tests/multinode/); here: the cache's own rules, writes
 * that come from outside the app (an operator's SQL, the CLI on the same SQLite file), and the
 * coalesced "last seen" writes that must not signal. SQLite and PostgreSQL.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialCache, type CachedCredential } from '../../src/server/auth/credential-cache.js';
import { openCredentialChangeFeed, type CredentialChangeFeed } from '../../src/server/auth/credential-changes.js';
import { databaseHandleOf } from '../../src/server/db/connection.js';
import { shiftClockForTests, resetClockForTests } from '../../src/server/clock.js';
import { createCustomGroup, giveApiToken } from '../helpers/fixtures.js';
import { createTestApp, makeUser, signIn, tokenCaller, type TestApp } from '../helpers/test-app.js';

function entryFor(userId: string): CachedCredential {
  return {
    user: { id: userId } as CachedCredential['user'],
    permissions: new Set(),
    mfaEnrollmentPending: false,
    session: null,
    token: { lastUsedAtMs: 0, lastUsedIp: '127.0.0.1' },
  };
}

describe('CredentialCache', () => {
  it('does not keep what a load found when a change was heard while it ran', () => {
    const cache = new CredentialCache();
    const overtaken = cache.beginLoad();
    cache.forgetAccount('someone else'); // a read in progress does not know whose credential it reads yet
    cache.store(overtaken, 'token:a', entryFor('u1'));
    expect(cache.get('token:a')).toBeUndefined();

    const clean = cache.beginLoad();
    cache.store(clean, 'token:a', entryFor('u1'));
    expect(cache.get('token:a')).toBeDefined();
  });

  it("forgets one account's credentials and keeps the others'", () => {
    const cache = new CredentialCache();
    cache.store(cache.beginLoad(), 'token:a', entryFor('u1'));
    cache.store(cache.beginLoad(), 'session:b', entryFor('u1'));
    cache.store(cache.beginLoad(), 'token:c', entryFor('u2'));
    cache.forgetAccount('u1');
    expect([cache.get('token:a'), cache.get('session:b')]).toEqual([undefined, undefined]);
    expect(cache.get('token:c')).toBeDefined();
    cache.forgetEverything();
    expect(cache.size).toBe(0);
  });

  it('keeps at most 20,000 credentials, dropping the oldest first', () => {
    const cache = new CredentialCache();
    for (let i = 0; i <= 20_000; i++) cache.store(cache.beginLoad(), `token:${i}`, entryFor(`u${i}`));
    expect(cache.size).toBe(20_000);
    expect(cache.get('token:0')).toBeUndefined();
    expect(cache.get('token:20000')).toBeDefined();
  });
});

describe('what makes the cache forget', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    resetClockForTests();
    await t.close();
  });

  /** A signed-in account with an API token, both used once (so both are cached). */
  async function warmAccount(groupId?: string) {
    const user = await makeUser(t, groupId);
    const session = await signIn(t, user.email);
    const token = tokenCaller(t, await giveApiToken(t, user.id));
    expect((await session.request({ url: '/api/v1/me' })).statusCode).toBe(200);
    expect((await token.request({ url: '/api/v1/me' })).statusCode).toBe(200);
    return { user, session, token };
  }

  it("an operator's own SQL (no Latchkey code involved) disabling an account holds on the next request", async () => {
    const { user, session, token } = await warmAccount();
    await sql`update users set status = 'disabled' where id = ${user.id}`.execute(t.db);
    expect((await session.request({ url: '/api/v1/me' })).statusCode).toBe(401);
    expect((await token.request({ url: '/api/v1/me' })).statusCode).toBe(401);
  });

  it("an operator's SQL renaming the account shows on the next /me (the cached account is not served stale)", async () => {
    const { user, session } = await warmAccount();
    await sql`update users set first_name = 'Renamed' where id = ${user.id}`.execute(t.db);
    const me = await session.request({ url: '/api/v1/me' });
    expect(me.json<{ user: { firstName: string } }>().user.firstName).toBe('Renamed');
  });

  it("an operator's SQL taking a permission from a group holds on the next request of its members", async () => {
    const groupId = await createCustomGroup(t, ['records:view']);
    const { token } = await warmAccount(groupId);
    expect((await token.request({ url: '/api/v1/records' })).statusCode).toBe(200);
    await t.db.deleteFrom('group_permissions').where('group_id', '=', groupId).execute();
    expect((await token.request({ url: '/api/v1/records' })).statusCode).toBe(403);
  });

  it('a lowered maximum session timeout in the settings row ends idle-longer sessions at once', async () => {
    const { session } = await warmAccount();
    shiftClockForTests(10 * 60_000);
    expect((await session.request({ url: '/api/v1/me' })).statusCode).toBe(200);
    shiftClockForTests(6 * 60_000);
    await t.db.updateTable('installation_settings').set({ max_session_timeout_minutes: 5 }).execute();
    expect((await session.request({ url: '/api/v1/me' })).statusCode).toBe(401);
    await t.db.updateTable('installation_settings').set({ max_session_timeout_minutes: 60 }).execute();
  });

  it.runIf(!process.env.LATCHKEY_TEST_DATABASE_URL)(
    'SQLite: a write by another process on the same file (the CLI) holds on the next request',
    async () => {
      const { user, session, token } = await warmAccount();
      const other = new Database(t.config.database.kind === 'sqlite' ? t.config.database.file : '');
      try {
        other.prepare('delete from sessions where user_id = ?').run(user.id);
        other.prepare('delete from api_tokens where user_id = ?').run(user.id);
      } finally {
        other.close();
      }
      expect((await session.request({ url: '/api/v1/me' })).statusCode).toBe(401);
      expect((await token.request({ url: '/api/v1/me' })).statusCode).toBe(401);
    },
  );

  /** A change feed and cache of this test's own, on the app's database, ready to answer. */
  async function ownFeed(): Promise<{ cache: CredentialCache; feed: CredentialChangeFeed }> {
    const cache = new CredentialCache();
    const feed = openCredentialChangeFeed(databaseHandleOf(t.db), cache);
    // PostgreSQL: usable once its listener has heard its first echo.
    for (let waited = 0; !feed.cacheUsable(); waited += 20) {
      if (waited > 5_000) throw new Error('the change feed never became usable');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { cache, feed };
  }

  function keep(cache: CredentialCache, key: string, userId: string): void {
    cache.store(cache.beginLoad(), key, entryFor(userId));
  }

  /** What the cache still holds after the feed has heard everything committed so far. */
  async function keptAfterCatchingUp(feed: CredentialChangeFeed, cache: CredentialCache, keys: string[]) {
    await feed.catchUp();
    expect(feed.cacheUsable()).toBe(true);
    return keys.filter((key) => cache.get(key) !== undefined);
  }

  it("a sign-in forgets the signing-in account's credentials and keeps everyone else's", async () => {
    const { cache, feed } = await ownFeed();
    try {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      await keptAfterCatchingUp(feed, cache, []);
      keep(cache, 'a', a.id);
      keep(cache, 'b', b.id);
      await signIn(t, b.email); // writes b's users.last_login_at
      expect(await keptAfterCatchingUp(feed, cache, ['a', 'b'])).toEqual(['a']);
      // A change of a group concerns every account.
      keep(cache, 'b', b.id);
      await t.db
        .updateTable('security_groups')
        .set({ description: 'changed' })
        .where('id', '=', a.security_group_id)
        .execute();
      expect(await keptAfterCatchingUp(feed, cache, ['a', 'b'])).toEqual([]);
    } finally {
      await feed.close();
    }
  });

  it.runIf(!process.env.LATCHKEY_TEST_DATABASE_URL)(
    'SQLite: after more changes than the log keeps, everything is forgotten (the log cannot say whose)',
    async () => {
      const { cache, feed } = await ownFeed();
      try {
        const [a, b] = [await makeUser(t), await makeUser(t)];
        await keptAfterCatchingUp(feed, cache, []);
        keep(cache, 'a', a.id);
        // 1,001 changes of b alone, in one statement each, while the feed does not look.
        for (let n = 0; n < 1_001; n++)
          await sql`update users set first_name = ${`B${n}`} where id = ${b.id}`.execute(t.db);
        expect(await keptAfterCatchingUp(feed, cache, ['a'])).toEqual([]);
        // 1,000 are still within the log: a is kept.
        keep(cache, 'a', a.id);
        for (let n = 0; n < 1_000; n++)
          await sql`update users set first_name = ${`C${n}`} where id = ${b.id}`.execute(t.db);
        expect(await keptAfterCatchingUp(feed, cache, ['a'])).toEqual(['a']);
      } finally {
        await feed.close();
      }
    },
  );

  it.runIf(!process.env.LATCHKEY_TEST_DATABASE_URL)(
    "SQLite: a change seen during another request's transaction that is then rolled back does not hide the next one",
    async () => {
      const { cache, feed } = await ownFeed();
      try {
        const [a, b] = [await makeUser(t), await makeUser(t)];
        await keptAfterCatchingUp(feed, cache, []);
        keep(cache, 'a', a.id);
        // An emptied log: the transaction's first write restarts it, which changes the WAL index
        // header before the transaction ends, so the feed looks at the counter while it is open.
        await sql`pragma wal_checkpoint(truncate)`.execute(t.db);
        await t.db
          .transaction()
          .execute(async (trx) => {
            await trx.updateTable('users').set({ first_name: 'Rolled back' }).where('id', '=', b.id).execute();
            feed.cacheUsable(); // another request is authenticated meanwhile
            throw new Error('refused: rolled back');
          })
          .catch(() => undefined);
        expect(await keptAfterCatchingUp(feed, cache, ['a'])).toEqual(['a']);
        // The next committed change brings the counter back to the value the open transaction showed.
        await t.db.updateTable('users').set({ first_name: 'Changed' }).where('id', '=', a.id).execute();
        expect(await keptAfterCatchingUp(feed, cache, ['a'])).toEqual([]);
      } finally {
        await feed.close();
      }
    },
  );

  it('the coalesced "last seen" and "last used" writes do not signal; the session\'s own end does', async () => {
    const { user, session, token } = await warmAccount();
    const signals = await watchSignals(user.id);
    try {
      shiftClockForTests(2 * 60_000); // past the once-a-minute write interval: both write now
      expect((await session.request({ url: '/api/v1/me' })).statusCode).toBe(200);
      expect((await token.request({ url: '/api/v1/me' })).statusCode).toBe(200);
      const lastSeen = await t.db
        .selectFrom('sessions')
        .select('last_seen_at')
        .where('user_id', '=', user.id)
        .execute();
      expect(Date.parse(lastSeen[0]!.last_seen_at)).toBeGreaterThan(Date.now() + 60_000); // it was written
      expect(await signals.count()).toBe(0);
      expect((await session.request({ method: 'DELETE', url: '/api/v1/session' })).statusCode).toBe(204);
      expect(await signals.count()).toBeGreaterThan(0);
    } finally {
      await signals.stop();
    }
  });

  /**
   * Counts the change signals about one account: SQLite's counter moving (it is global), or
   * PostgreSQL notifications naming the account, received by a listener of our own (count() first
   * waits for a ping of its own to come back, so every earlier notification has arrived).
   */
  async function watchSignals(userId: string): Promise<{ count(): Promise<number>; stop(): Promise<void> }> {
    if (t.databaseKind === 'sqlite') {
      const read = async () =>
        Number(
          (await sql<{ value: number }>`select value from credential_change_counter`.execute(t.db)).rows[0]!.value,
        );
      const start = await read();
      return { count: async () => (await read()) - start, stop: async () => undefined };
    }
    const client = new pg.Client({ connectionString: process.env.LATCHKEY_TEST_DATABASE_URL });
    await client.connect();
    let seen = 0;
    let pinged: (() => void) | null = null;
    client.on('notification', (message) => {
      if (message.channel === 'latchkey_credential_changes' && message.payload === userId) seen++;
      if (message.channel === 'test_ping') pinged?.();
    });
    await client.query('LISTEN latchkey_credential_changes');
    await client.query('LISTEN test_ping');
    return {
      async count() {
        const echoed = new Promise<void>((resolve) => (pinged = resolve));
        await client.query("NOTIFY test_ping, 'x'");
        await echoed;
        return seen;
      },
      stop: () => client.end(),
    };
  }
});
