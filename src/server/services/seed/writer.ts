/**
 * How the seed writes rows: a Writer per dialect (sqlite-writer.ts, postgres-writer.ts) opens one
 * BulkTable per table, and the generators hand it rows, their values in the order of the columns
 * they named. Nothing here knows what the rows mean.
 */
import type { Database } from '../../db/schema.js';

export type ColumnType = 'text' | 'integer';
export type Value = string | number | null;

/**
 * Writes the rows of one table in statements of many rows, in ONE transaction per table. Inside
 * it, the table's plain indexes are dropped first and created again, from their own stored
 * definitions, once its rows are in: building an index from sorted rows costs a fraction of
 * inserting a million rows into it in random order (measured: the whole load took half the CPU
 * time). Indexes that back a constraint (primary key, unique email) stay and check every row, and
 * every trigger fires per row as usual. Both databases have transactional DDL: a failure or an
 * interrupted run rolls the table back with its indexes intact, and nothing else sees the table
 * without them (PostgreSQL's DROP INDEX locks it until the commit).
 */
export interface BulkTable {
  add(row: Value[]): Promise<void>;
  finish(): Promise<void>;
}

export interface Writer {
  table(name: keyof Database, columns: readonly (readonly [string, ColumnType])[]): Promise<BulkTable>;
  /** Rolls back a table left unfinished by a failure, and gives the connection back. */
  close(failed: boolean): Promise<void>;
}

/** Seconds spent in each kind of work, when LATCHKEY_SEED_PHASES is set (for profiling the seed). */
const phases: Record<string, number> | null = process.env.LATCHKEY_SEED_PHASES ? {} : null;
export function timedPhase<T>(name: string, work: () => T): T {
  if (!phases) return work();
  const started = process.cpuUsage();
  try {
    return work();
  } finally {
    const used = process.cpuUsage(started);
    phases[name] = (phases[name] ?? 0) + (used.user + used.system) / 1e6;
  }
}

export function wallPhase(name: string, started: number): void {
  if (phases) phases[name] = (phases[name] ?? 0) + (performance.now() - started) / 1000;
}

/** Prints the seconds of each kind of work on stderr, when LATCHKEY_SEED_PHASES is set. */
export function reportPhases(unit: string): void {
  if (phases)
    for (const [phase, seconds] of Object.entries(phases)) console.error(`${phase}: ${seconds.toFixed(1)} ${unit}`);
}
