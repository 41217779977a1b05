/**
 * A cheap fingerprint of the whole database, for checking thousands of times that a refused
 * request changed nothing (fixtures.ts's stateSnapshot keeps every row as text: right for one
 * test, too slow for a fuzz run). Per table: the row count and a SHA-1 of the rows; for the two
 * append-only logs, the count and the highest ID, which any insert changes.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { isDataTable, listTables } from './fixtures.js';
import type { TestApp } from './test-app.js';

/** Table → "count:hash". Compare two with `fingerprintDifferences`. */
export type Fingerprint = Record<string, string>;

/**
 * Columns left out: "last seen" bookkeeping that authenticating any request may write (as in
 * stateSnapshot), and the attachment bytes, which their `sha256` column stands for.
 */
const SKIPPED_COLUMNS: Record<string, readonly string[]> = {
  sessions: ['last_seen_at'],
  api_tokens: ['last_used_at', 'last_used_ip'],
  task_attachments: ['content'],
};

/** Append-only tables (no route updates or deletes their rows): counting and the last ID suffice. */
const APPEND_ONLY = new Set(['audit_events', 'login_history']);

let knownTables: Promise<string[]> | undefined;

/**
 * Fingerprints every application table (the list is read from the database once per process).
 * `ignoredAuditActions`: audit entries of these actions are left out (ones a refusal may write by design).
 */
export async function fingerprint(
  t: TestApp,
  { ignoredAuditActions = [] }: { ignoredAuditActions?: readonly string[] } = {},
): Promise<Fingerprint> {
  knownTables ??= listTables(t).then((names) => names.filter(isDataTable).sort());
  const tables = await knownTables;
  const parts = await Promise.all(
    tables.map(async (table) => {
      if (APPEND_ONLY.has(table)) {
        const ignored =
          table === 'audit_events' && ignoredAuditActions.length > 0
            ? sql`where action not in (${sql.join(ignoredAuditActions)})`
            : sql``;
        const { rows } = await sql<{
          n: number | string;
          last: number | string | null;
        }>`select count(*) as n, max(id) as last from ${sql.table(table)} ${ignored}`.execute(t.db);
        return `${rows[0]?.n}:${rows[0]?.last}`;
      }
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.db);
      const skip = SKIPPED_COLUMNS[table] ?? [];
      const lines = rows.map((row) => {
        for (const column of skip) delete row[column];
        return JSON.stringify(row);
      });
      return `${rows.length}:${createHash('sha1').update(lines.sort().join('\n')).digest('hex')}`;
    }),
  );
  return Object.fromEntries(tables.map((table, i) => [table, parts[i]!]));
}

/**
 * A value that changes whenever the database may have been written, for a one-query check before
 * paying for a fingerprint. SQLite: total_changes() counts every row this (single) connection has
 * inserted, updated or deleted. PostgreSQL: the next transaction ID, which any writing transaction
 * advances (in any schema: other test files make it change more often, never less).
 */
export async function changeMarker(t: TestApp): Promise<string> {
  const query =
    t.databaseKind === 'postgres'
      ? sql<{ marker: string }>`select pg_snapshot_xmax(pg_current_snapshot())::text as marker`
      : sql<{ marker: string }>`select total_changes() as marker`;
  const { rows } = await query.execute(t.db);
  return String(rows[0]?.marker);
}

/** The tables whose fingerprint differs, leaving out `ignored` ones. */
export function fingerprintDifferences(
  before: Fingerprint,
  after: Fingerprint,
  ignored: ReadonlySet<string> = new Set(),
): string[] {
  return Object.keys({ ...before, ...after }).filter((table) => !ignored.has(table) && before[table] !== after[table]);
}
