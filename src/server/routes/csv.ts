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

export type CsvColumns<R> = ReadonlyArray<readonly [header: string, value: (row: R) => unknown]>;

/**
 * A CSV file as a stream: the header row, then one chunk per batch of rows (from snapshotBatches,
 * say). Read from as the response drains, so memory holds a batch or so whatever the file's size.
 * `columns` may be a function, asked once the first batch (or the end) has come: for a file whose
 * columns are read from the same snapshot as its rows (the records' property names).
 */
export function csvStream<R>(columns: CsvColumns<R> | (() => CsvColumns<R>), batches: AsyncIterable<R[]>): Readable {
  async function* chunks() {
    const iterator = batches[Symbol.asyncIterator]();
    try {
      if (typeof columns !== 'function') yield csvRow(columns.map(([header]) => header));
      let next = await iterator.next();
      const known = typeof columns === 'function' ? columns() : columns;
      if (typeof columns === 'function') yield csvRow(known.map(([header]) => header));
      for (; !next.done; next = await iterator.next()) {
        let chunk = '';
        for (const row of next.value) chunk += csvRow(known.map(([, value]) => value(row)));
        yield chunk;
      }
    } finally {
      // A download stopped half-way ends the reading too (its snapshot, its connection).
      await iterator.return?.();
    }
  }
  return Readable.from(chunks());
}
