/**
 * The seed's Writer for PostgreSQL (see writer.ts): batches of 10,000 rows as
 * INSERT … SELECT FROM unnest(arrays), one batch in flight while the next is built, one
 * transaction per table on one connection held for the whole seed, the table's plain indexes built
 * again once its rows are in, and triggers whose value the seed writes itself turned off
 * (POSTGRES_PRECOMPUTED).
 */
import { CompiledQuery } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import { reportPhases, wallPhase, type Value, type Writer } from './writer.js';

const POSTGRES_BATCH_ROWS = 10_000;

/**
 * PostgreSQL triggers that derive a column from another table, when the seed writes that column
 * itself with the same value (records.type_sort: the type's name_normalized; tasks.assignee_sort:
 * the assignee's "first last email", lower-cased; users.mfa_factor_confirmed, written with each
 * account, see SQLITE_PRECOMPUTED in sqlite-writer.ts). They are off while the seed loads the table: a PL/pgSQL call
 * and a query for every row took most of its time. The seed test checks every row against the
 * triggers' formula.
 */
const POSTGRES_PRECOMPUTED: Partial<Record<keyof Database, string>> = {
  records: 'records_type_sort',
  tasks: 'tasks_assignee_sort',
  mfa_factors: 'mfa_factors_confirmed_flag',
};

type Run = (text: string, params?: readonly unknown[]) => Promise<{ rows: unknown[] }>;

/**
 * A column of a batch as a PostgreSQL array literal, written here rather than by the driver
 * (which quotes each element with two regular expressions and a function call or more): that was
 * a third of the seed's own CPU time for log entries. Every text is quoted, with backslash and
 * double quote escaped, as the driver does.
 */
export function arrayLiteral(values: readonly Value[]): string {
  let text = '{';
  for (let k = 0; k < values.length; k++) {
    const value = values[k]!;
    if (k > 0) text += ',';
    if (value === null) text += 'NULL';
    else if (typeof value === 'number') text += String(value);
    else text += `"${/["\\]/.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;
  }
  return `${text}}`;
}

export async function postgresWriter(db: Db): Promise<Writer> {
  // One connection of the pool, kept for the whole seed, with commits that do not wait for the
  // disk (this session only: a crash of the machine can lose the seed, nothing else).
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const run = await new Promise<Run>((resolve, reject) => {
    db.connection()
      .execute(async (conn) => {
        resolve(async (text, params = []) => conn.executeQuery(CompiledQuery.raw(text, [...params])));
        await held;
      })
      .catch(reject);
  });
  await run('SET synchronous_commit = off');
  // Memory to build each index in (this session only): a GIN trigram index of a million emails
  // built in the default 64 MB writes and merges many runs.
  await run("SET maintenance_work_mem = '512MB'");
  return {
    async table(name, columns) {
      await run('BEGIN');
      // See POSTGRES_PRECOMPUTED. Inside this transaction, which holds the table's lock (the
      // DROP INDEX below) until it ends: no other writer can miss the trigger.
      const precomputed = POSTGRES_PRECOMPUTED[name];
      if (precomputed) await run(`ALTER TABLE ${name} DISABLE TRIGGER ${precomputed}`);
      const { rows: indexes } = (await run(
        `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
         WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)`,
        [name],
      )) as { rows: { name: string; definition: string }[] };
      for (const index of indexes) await run(`DROP INDEX "${index.name}"`);
      const arrays = columns.map((): Value[] => []);
      const text =
        `INSERT INTO ${name} (${columns.map(([c]) => c).join(',')}) SELECT * FROM unnest(` +
        columns.map(([, type], i) => `$${i + 1}::${type === 'integer' ? 'int' : 'text'}[]`).join(',') +
        ')';
      let pending: Promise<unknown> = Promise.resolve();
      const flush = async () => {
        if (arrays[0]!.length === 0) return;
        const params = arrays.map((column) => arrayLiteral(column.splice(0)));
        // One batch in flight: the next is built while PostgreSQL writes this one.
        await pending;
        const started = performance.now();
        pending = run(text, params).then(() => wallPhase(`${name}: insert`, started));
        // A failure surfaces at the next flush or at finish().
        pending.catch(() => undefined);
      };
      return {
        async add(row) {
          for (let c = 0; c < row.length; c++) arrays[c]!.push(row[c]!);
          if (arrays[0]!.length >= POSTGRES_BATCH_ROWS) await flush();
        },
        async finish() {
          await flush();
          await pending;
          if (precomputed) await run(`ALTER TABLE ${name} ENABLE TRIGGER ${precomputed}`);
          let started = performance.now();
          for (const index of indexes) await run(index.definition);
          wallPhase(`${name}: indexes`, started);
          started = performance.now();
          await run('COMMIT');
          wallPhase(`${name}: commit`, started);
          // The table as autovacuum leaves it, now rather than whenever it gets there. ANALYZE: a
          // table that grew from nothing to a million rows would be planned as if still empty.
          // VACUUM: until the visibility map is set, PostgreSQL cannot answer from an index alone,
          // so a filtered list's count read the table instead (a status filter's count of 5,001
          // at a million accounts: 28 ms by a sequential scan, 3 ms by the index after VACUUM).
          started = performance.now();
          await run(`VACUUM (ANALYZE) ${name}`);
          wallPhase(`${name}: vacuum`, started);
        },
      };
    },
    async close(failed) {
      if (failed) await run('ROLLBACK').catch(() => undefined);
      release();
      reportPhases('s');
    },
  };
}
