import { Readable } from 'node:stream';

/**
 * CSV for spreadsheet users. Cells that start with = + - @ (or a tab / carriage return) are
 * prefixed with ' so a spreadsheet shows them as text instead of running them as formulas.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

/** Content-Disposition for a CSV download: `latchkey-<name>-<UTC date>.csv`. */
export function csvAttachmentHeader(name: string): string {
  const date = new Date().toISOString().slice(0, 10);
  return `attachment; filename="latchkey-${name}-${date}.csv"`;
}

/**
 * A CSV file as a stream: the header row, then one chunk per batch of rows (from snapshotBatches,
 * say). Read from as the response drains, so memory holds a batch or so whatever the file's size.
 */
export function csvStream<R>(
  columns: ReadonlyArray<readonly [header: string, value: (row: R) => unknown]>,
  batches: AsyncIterable<R[]>,
): Readable {
  async function* chunks() {
    yield csvRow(columns.map(([header]) => header));
    for await (const batch of batches) {
      let chunk = '';
      for (const row of batch) chunk += csvRow(columns.map(([, value]) => value(row)));
      yield chunk;
    }
  }
  return Readable.from(chunks());
}
