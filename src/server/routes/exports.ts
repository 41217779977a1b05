/**
 * Every list export comes as CSV and as Excel: the same columns, rows, filters and snapshot, one
 * route per format (`…/export.csv`, `…/export.xlsx`), registered together from one definition.
 */
import type { FastifyReply } from 'fastify';
import { csvAttachmentHeader, csvStream, type CsvColumns } from './csv.js';
import type { ExportFormat } from '../../shared/exports.js';
import { XLSX_CONTENT_TYPE, xlsxAttachmentHeader, xlsxStream } from './xlsx.js';

export { EXPORT_FORMAT_NAMES, EXPORT_FORMATS } from '../../shared/exports.js';

/**
 * Sends the rows as a download `latchkey-<file>-<date>.<format>`; for Excel in one worksheet named
 * `sheet`. `columns` may be a function, asked once the first batch has come (see csvStream).
 */
export function sendExport<R>(
  reply: FastifyReply,
  format: ExportFormat,
  download: { file: string; sheet: string },
  columns: CsvColumns<R> | (() => CsvColumns<R>),
  batches: AsyncIterable<R[]>,
): FastifyReply {
  if (format === 'csv') {
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', csvAttachmentHeader(download.file))
      .send(csvStream(columns, batches));
  }
  return reply
    .type(XLSX_CONTENT_TYPE)
    .header('content-disposition', xlsxAttachmentHeader(download.file))
    .send(xlsxStream(download.sheet, columns, batches));
}

/** The export's batches, each turned into what its columns read (`present` may query once per batch). */
export async function* presentEach<Row, Presented>(
  batches: AsyncIterable<Row[]>,
  present: (batch: Row[]) => Presented[] | Promise<Presented[]>,
): AsyncIterable<Presented[]> {
  for await (const batch of batches) yield await present(batch);
}
