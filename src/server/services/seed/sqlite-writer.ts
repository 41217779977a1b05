/**
 * The seed's Writer for SQLite (see writer.ts): prepared INSERTs of up to 500 rows, one
 * transaction per table, the table's plain indexes built again once its rows are in, and the
 * per-row work of some triggers done once for all the rows (SQLITE_SET_BASED, SQLITE_PRECOMPUTED).
 */
import type { Db } from '../../db/connection.js';
import { databaseHandleOf } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import { reportPhases, timedPhase, type Value, type Writer } from './writer.js';

/** SQLite allows 32,766 bound values per statement. */
const SQLITE_MAX_VALUES = 32_766;

/**
 * SQLite triggers whose per-row work the seed does once for all the rows it wrote after `from` (a
 * rowid), and the statements that do it. Copying each new row into a search index was most of the
 * time of the accounts (FTS5 takes a few rows at a time far worse than a whole column in one
 * statement): the result is the same, the same keys numbered in the order the rows were written
 * and the same terms for each. A row counter (migration 0016) is counted once instead of a
 * million times. The seed test compares both with what the triggers make.
 */
const rowCountedOnce = (table: 'users' | 'records' | 'tasks') => ({
  trigger: `${table}_row_count_insert`,
  statements: [
    `UPDATE row_counts SET row_count = row_count + (SELECT count(*) FROM ${table} WHERE rowid > :from)
      WHERE table_name = '${table}'`,
  ],
});
const SQLITE_SET_BASED: Partial<Record<keyof Database, { trigger: string; statements: string[] }[]>> = {
  users: [
    {
      trigger: 'users_search_insert',
      statements: [
        'INSERT INTO users_search_keys (user_id) SELECT id FROM users WHERE rowid > :from ORDER BY rowid',
        `INSERT INTO users_search (rowid, email, name)
          SELECT k.n, u.email_normalized, u.first_name_normalized || ' ' || u.last_name_normalized
          FROM users u JOIN users_search_keys k ON k.user_id = u.id WHERE u.rowid > :from ORDER BY k.n`,
      ],
    },
    rowCountedOnce('users'),
  ],
  records: [rowCountedOnce('records')],
  tasks: [
    {
      trigger: 'tasks_search_insert',
      statements: [
        'INSERT INTO tasks_search_keys (task_id) SELECT id FROM tasks WHERE rowid > :from ORDER BY rowid',
        `INSERT INTO tasks_search (rowid, title)
          SELECT k.n, t.title_normalized
          FROM tasks t JOIN tasks_search_keys k ON k.task_id = t.id WHERE t.rowid > :from ORDER BY k.n`,
      ],
    },
    rowCountedOnce('tasks'),
  ],
};

/**
 * SQLite triggers whose work the seed has done itself, dropped while it loads the table and made
 * again after: users.mfa_factor_confirmed, which the seed writes with each account (1 for every
 * account it gives a confirmed factor). With the table's indexes dropped for the load, the
 * trigger's look-up of the account's factors read the whole table for every factor (quadratic:
 * a million accounts never finished). The seed test checks every account's flag against its factors.
 */
const SQLITE_PRECOMPUTED: Partial<Record<keyof Database, string[]>> = {
  mfa_factors: ['mfa_factors_confirmed_flag_insert'],
};

export function sqliteWriter(db: Db): Writer {
  const handle = databaseHandleOf(db);
  if (handle.kind !== 'sqlite') throw new Error('not SQLite');
  const sqlite = handle.sqlite;
  // This connection only, and only while seeding: a crash of the machine can lose the seed (it
  // can be run again), and a bigger cache keeps the tables being filled in memory.
  sqlite.pragma('synchronous = OFF');
  // Every reference the seed writes points at a row it wrote (or found) before: checking each one
  // again cost a third of the time of the tasks. The tests run foreign_key_check on the result.
  sqlite.pragma('foreign_keys = OFF');
  sqlite.pragma('cache_size = -524288');
  sqlite.pragma('temp_store = MEMORY');
  // CREATE INDEX may sort with a helper thread: the index builds are the largest part of the load.
  sqlite.pragma('threads = 2');
  return {
    table(name, columns) {
      sqlite.exec('BEGIN');
      const indexes = sqlite
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
        .all(name) as { name: string; sql: string }[];
      for (const index of indexes) sqlite.exec(`DROP INDEX "${index.name}"`);
      // Triggers are dropped inside this transaction, which holds the write lock from its first
      // write on: no other connection can write a row a trigger would have missed.
      const setBased = SQLITE_SET_BASED[name] ?? [];
      const dropped = [...setBased.map((work) => work.trigger), ...(SQLITE_PRECOMPUTED[name] ?? [])].map((trigger) => {
        const definition = sqlite
          .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
          .pluck()
          .get(trigger) as string | undefined;
        if (definition === undefined) throw new Error(`The trigger ${trigger} is missing.`);
        sqlite.exec(`DROP TRIGGER "${trigger}"`);
        return definition;
      });
      const from = sqlite.prepare(`SELECT coalesce(max(rowid), 0) FROM ${name}`).pluck().get() as number;
      const perStatement = Math.min(500, Math.floor(SQLITE_MAX_VALUES / columns.length));
      const rowText = `(${columns.map(() => '?').join(',')})`;
      const head = `INSERT INTO ${name} (${columns.map(([c]) => c).join(',')}) VALUES `;
      const full = sqlite.prepare(head + Array(perStatement).fill(rowText).join(','));
      let values: Value[] = [];
      let rows = 0;
      const flush = () => {
        if (rows === 0) return;
        const statement = rows === perStatement ? full : sqlite.prepare(head + Array(rows).fill(rowText).join(','));
        timedPhase(`${name}: insert`, () => statement.run(values));
        values = [];
        rows = 0;
      };
      return Promise.resolve({
        add(row) {
          for (const value of row) values.push(value);
          if (++rows === perStatement) flush();
          return Promise.resolve();
        },
        finish() {
          flush();
          timedPhase(`${name}: set-based trigger work`, () => {
            for (const work of setBased)
              for (const statement of work.statements) sqlite.prepare(statement).run({ from });
          });
          for (const definition of dropped) sqlite.exec(definition);
          timedPhase(`${name}: indexes`, () => {
            for (const index of indexes) sqlite.exec(index.sql);
          });
          timedPhase(`${name}: commit`, () => sqlite.exec('COMMIT'));
          return Promise.resolve();
        },
      });
    },
    close(failed) {
      if (failed && sqlite.inTransaction) sqlite.exec('ROLLBACK');
      sqlite.pragma('synchronous = NORMAL');
      sqlite.pragma('foreign_keys = ON');
      reportPhases('s CPU');
      return Promise.resolve();
    },
  };
}
