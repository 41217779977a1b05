/**
 * The Excel writer (routes/xlsx.ts): a file read back with exceljs holds the header and every row
 * of every batch in order, numbers as numbers, formula-looking text as text (never a formula),
 * and a stopped download stops the reading.
 */
import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { CsvColumns } from '../../src/server/routes/csv.js';
import { xlsxStream } from '../../src/server/routes/xlsx.js';

interface Row {
  name: string;
  count: number | null;
}
const COLUMNS: CsvColumns<Row> = [
  ['Name', (row) => row.name],
  ['Count', (row) => row.count],
];

async function* batches(rows: Row[][], onEnd?: () => void): AsyncGenerator<Row[]> {
  try {
    for (const batch of rows) yield batch;
  } finally {
    onEnd?.();
  }
}

async function readBack(stream: NodeJS.ReadableStream) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await buffer(stream)) as unknown as ExcelJS.Buffer);
  return workbook.worksheets[0]!;
}

describe('xlsxStream', () => {
  it('writes the header and every row of every batch, typed, in order', async () => {
    const rows = [
      [
        { name: 'Ada', count: 1 },
        { name: 'Åsa Ørsted', count: null },
      ],
      [{ name: 'Grace', count: 30000 }],
    ];
    const sheet = await readBack(xlsxStream('Users', COLUMNS, batches(rows)));
    expect(sheet.name).toBe('Users');
    const values = sheet
      .getSheetValues()
      .slice(1)
      .map((row) => (row as unknown[]).slice(1));
    expect(values).toEqual([['Name', 'Count'], ['Ada', 1], ['Åsa Ørsted'], ['Grace', 30000]]);
    expect(sheet.getCell('B4').type).toBe(ExcelJS.ValueType.Number);
  });

  it('writes text that looks like a formula as text, never as a formula', async () => {
    const evil = ['=HYPERLINK("http://evil.test","x")', '+1+1', '-2', '@SUM(A1)'];
    const sheet = await readBack(xlsxStream('Users', COLUMNS, batches([evil.map((name) => ({ name, count: 0 }))])));
    evil.forEach((text, i) => {
      const cell = sheet.getCell(`A${i + 2}`);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
      expect(cell.value).toBe(text);
    });
  });

  it('an empty list still makes a valid file with its header; columns may come with the first batch', async () => {
    const sheet = await readBack(xlsxStream('Records', () => COLUMNS, batches([])));
    expect(sheet.getRow(1).values).toEqual([undefined, 'Name', 'Count']);
    expect(sheet.rowCount).toBe(1);
  });

  it('a download stopped half-way ends the reading', async () => {
    let ended = false;
    const many = Array.from({ length: 50 }, (_, b) =>
      Array.from({ length: 2000 }, (_, i) => ({ name: `person ${b}-${i} ${'x'.repeat(40)}`, count: i })),
    );
    const stream = xlsxStream(
      'Users',
      COLUMNS,
      batches(many, () => (ended = true)),
    );
    await new Promise((resolve) => stream.once('readable', resolve));
    stream.destroy();
    await expect.poll(() => ended, { timeout: 5000 }).toBe(true);
  });
});
