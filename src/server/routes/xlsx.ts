import { PassThrough, type Readable } from 'node:stream';
import type { CsvColumns } from './csv.js';
import { once as loadOnce } from '../once.js';

/**
 * Excel (.xlsx) downloads: the same columns and rows as the CSV ones (csv.ts), written by exceljs's
 * streaming writer batch by batch, so a million rows take a batch or so of memory.
 *
 * exceljs is imported on the first Excel export, not at start-up: its import took 1.6–2 s on this
 * machine (measured), more than Latchkey's whole start.
 *
 * Formula injection: every value is written as a typed cell (text or number), never as a formula,
 * so `=HYPERLINK(…)` in a name is shown as those characters. Unlike CSV, no `'` is added: in a
 * typed text cell it would be part of the value.
 */
const loadExcelJs = loadOnce(async () => (await import('exceljs')).default);

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Content-Disposition for an Excel download: `latchkey-<name>-<UTC date>.xlsx`. */
export function xlsxAttachmentHeader(name: string): string {
  const date = new Date().toISOString().slice(0, 10);
  return `attachment; filename="latchkey-${name}-${date}.xlsx"`;
}

/** What a cell holds: numbers stay numbers (sortable in Excel), everything else is its text. */
function cellValue(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return String(value);
}

/** Bytes waiting to be sent beyond which the writer pauses until the download catches up. */
const BUFFERED_LIMIT = 1024 * 1024;

/**
 * Waits for the download to take some of what is buffered. Polled: a 'data' listener would switch
 * the stream to flowing mode and could hand chunks to nobody before the response is attached.
 */
function downloadProgress(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * An .xlsx file as a stream of one worksheet `sheetName`: a header row, then the rows of each batch.
 * `columns` may be a function, asked once the first batch (or the end) has come, as for csvStream.
 */
export function xlsxStream<R>(
  sheetName: string,
  columns: CsvColumns<R> | (() => CsvColumns<R>),
  batches: AsyncIterable<R[]>,
): Readable {
  const output = new PassThrough();
  void (async () => {
    const iterator = batches[Symbol.asyncIterator]();
    try {
      const ExcelJS = await loadExcelJs();
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: output,
        useStyles: false,
        useSharedStrings: false,
      });
      const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
      let next = await iterator.next();
      const known = typeof columns === 'function' ? columns() : columns;
      sheet.addRow(known.map(([header]) => header)).commit();
      for (; !next.done; next = await iterator.next()) {
        for (const row of next.value) sheet.addRow(known.map(([, value]) => cellValue(value(row)))).commit();
        // A slow download holds the reading back instead of filling memory.
        while (output.readableLength > BUFFERED_LIMIT && !output.destroyed) await downloadProgress();
        if (output.destroyed) return;
      }
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      output.destroy(error as Error);
    } finally {
      // A download stopped half-way ends the reading too (its snapshot, its connection).
      await iterator.return?.();
    }
  })();
  return output;
}
