/**
 * What every CSV import shares (records, accounts): reading the file (BOM, CRLF, quoted cells that
 * span lines, blank spreadsheet rows), its size limits, the line each row starts on, undoing our
 * export's formula guard, and the one 422 an import with errors answers with. Each import decides
 * what its columns mean; this only reads them.
 */
import { AppError, fieldError } from '../app-error.js';
import { once } from '../once.js';

/** Loaded on the first import, not at start-up: importing it took ~20 ms (measured). */
const loadCsvParse = once(() => import('csv-parse/sync'));

/** A row of the file: the line it starts on (1 is the header row) and its cells as written. */
export interface CsvRow {
  line: number;
  cells: string[];
}

export interface CsvFile {
  header: string[];
  rows: CsvRow[];
}

export interface CsvLimits {
  /** Data rows (the header row not counted). */
  rowsMax: number;
  columnsMax: number;
  /** What the header row needs, said when the file is empty. */
  emptyMessage: string;
  /** "records", "accounts": in the too-many-rows message. */
  noun: string;
}

/** A problem with the file as a whole (not one of its rows): a 400 on the `csv` field. */
export function invalidFile(message: string): AppError {
  return fieldError('csv', message);
}

/**
 * Our own export prefixes a cell starting with = + - @ tab or CR with ' so spreadsheets show it as
 * text (routes/csv.ts); importing that file again must give back the original value.
 */
export function undoFormulaGuard(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** Parses the file; throws invalidFile for what is not CSV, an empty file, or one over the limits. */
export async function readCsvFile(csv: string, limits: CsvLimits): Promise<CsvFile> {
  const { CsvError, parse } = await loadCsvParse();
  let parsed: Array<{ record: string[]; info: { lines: number } }>;
  try {
    parsed = parse(csv, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // A spreadsheet saves blank rows as ",,,": they are not data.
      skip_records_with_empty_values: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    if (error instanceof CsvError) throw invalidFile(`The file is not valid CSV: ${error.message}`);
    throw error;
  }
  const [header, ...data] = parsed;
  if (!header) throw invalidFile(limits.emptyMessage);
  if (header.record.length > limits.columnsMax)
    throw invalidFile(`The file has more than ${limits.columnsMax} columns.`);
  if (data.length > limits.rowsMax)
    throw invalidFile(
      `The file has ${data.length} rows; at most ${limits.rowsMax} ${limits.noun} can be imported at once.`,
    );
  const rows = data.map(({ record, info }) => {
    // info.lines is the line the record ends on; a quoted cell may span several lines.
    const spanned = record.reduce((count, cell) => count + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    return { line: info.lines - spanned, cells: record };
  });
  return { header: header.record, rows };
}

/**
 * The answer to an import whose file has errors: 422 `import_has_errors`, nothing written, the
 * errors by line in `fields` ("line 3": "…").
 */
export function importHasErrors(failed: ReadonlyArray<{ line: number | null; errors: readonly string[] }>): AppError {
  const fields = Object.fromEntries(failed.map((row) => [`line ${row.line ?? '?'}`, row.errors.join(' ')]));
  const message = `The file has errors on ${failed.length} ${failed.length === 1 ? 'row' : 'rows'}, so nothing was imported.`;
  return new AppError('import_has_errors', message, fields);
}
