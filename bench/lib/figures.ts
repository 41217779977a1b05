/** A figure with its baseline, ratio and target, and the printed table. */
import { type Db } from '../../src/server/db/connection.js';

export interface Figure {
  database: 'SQLite' | 'PostgreSQL';
  name: string;
  value: number;
  unit: string;
  /** The yardstick measured in the same run, if the target is a ratio. */
  baseline?: { name: string; value: number };
  ratio?: number;
  /** The target: a ratio (≥), or an absolute bound on value (≤ or ≥). */
  target?: { kind: 'ratio-at-least' | 'at-most' | 'at-least'; value: number };
  met?: boolean;
  note?: string;
}

export function judge(figure: Figure): Figure {
  // n/a (not served, or stopped): nothing to judge.
  if (!figure.target || Number.isNaN(figure.value)) return figure;
  if (figure.baseline) figure.ratio ??= figure.value / figure.baseline.value;
  const { kind, value } = figure.target;
  figure.met =
    kind === 'ratio-at-least'
      ? (figure.ratio ?? 0) >= value
      : kind === 'at-most'
        ? figure.value <= value
        : figure.value >= value;
  return figure;
}

export function targetText(figure: Figure): string {
  if (!figure.target) return '';
  const { kind, value } = figure.target;
  if (kind === 'ratio-at-least') return `≥ ${value.toFixed(2)}×`;
  return `${kind === 'at-most' ? '≤' : '≥'} ${value} ${figure.unit}`;
}

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2);
}

/** A plain-text table: the first two columns (names) left-aligned, the rest right-aligned. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row, index) => {
      const line = row.map((cell, column) =>
        column < 2 || column === row.length - 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      );
      return index === 0 ? `${line.join('  ')}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line.join('  ');
    })
    .join('\n');
}

export function printFigures(figures: Figure[]): void {
  const rows = [['Database', 'Figure', 'Value', 'Baseline (same run)', 'Ratio', 'Target', 'Met', 'Note']];
  for (const f of figures) {
    rows.push([
      f.database,
      f.name,
      Number.isNaN(f.value) ? 'n/a' : `${formatNumber(f.value)} ${f.unit}`,
      f.baseline ? `${formatNumber(f.baseline.value)} ${f.unit} ${f.baseline.name}` : '',
      f.ratio === undefined ? '' : `${f.ratio.toFixed(3)}×`,
      targetText(f),
      f.met === undefined ? '' : f.met ? 'yes' : 'NO',
      f.note ?? '',
    ]);
  }
  console.log(formatTable(rows));
}

/** A database the bench measures. */
export interface Target {
  database: Figure['database'];
  /** Environment that points Latchkey at this database. */
  env: NodeJS.ProcessEnv;
  /** Opens the same database from this process, for seeding. */
  open(): Db;
  /** Ratio targets differ per database. */
  authRatio: number;
}
