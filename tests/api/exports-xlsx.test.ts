/**
 * The Excel exports (`…/export.xlsx`) hold exactly what their CSV twins hold: the same header, the
 * same rows in the same order, for the same filters — read back with exceljs and compared cell by
 * cell with the parsed CSV. Formula-looking text is a text cell (no formula), where CSV adds its
 * `'` guard. SQLite and PostgreSQL.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { quickUser } from '../helpers/fixtures.js';
import { makeRecord, makeTask } from '../helpers/tasks-fixtures.js';
import { createTestApp, signInAs, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;
const FORMULA = '=HYPERLINK("http://evil.test","click")';

beforeAll(async () => {
  t = await createTestApp();
  admin = (await signInAs(t, SYSTEM_GROUP_IDS.administrator)).caller;
  for (let i = 0; i < 3; i++)
    await quickUser(t, SYSTEM_GROUP_IDS.regularUser, { title: i === 0 ? FORMULA : `Title ${i}` });
  const record = await makeRecord(t, 'xlsx-record');
  await makeTask(t, { title: FORMULA, recordId: record.id, dueDate: '2031-02-03' });
  await makeTask(t, { title: 'Plain task', status: 'in_progress' });
});
afterAll(async () => t?.close());

async function sheetRows(body: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  expect(workbook.worksheets).toHaveLength(1);
  const rows: string[][] = [];
  workbook.worksheets[0]!.eachRow({ includeEmpty: true }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) {
      const cell = row.getCell(c);
      expect(cell.formula, `a formula at ${cell.address}`).toBeUndefined();
      cells.push(cell.value === null || cell.value === undefined ? '' : String(cell.value));
    }
    rows.push(cells);
  });
  return rows;
}

/** A CSV cell as the Excel file holds it: without the `'` formula guard. */
const unguarded = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

const EXPORTS = [
  ['/api/v1/users/export', { sort: 'email' }],
  ['/api/v1/records/export', { typeId: 'computer' }],
  ['/api/v1/tasks/export', { sort: 'title' }],
  ['/api/v1/logs/audit/export', {}],
  ['/api/v1/logs/logins/export', {}],
] as const;

describe('Excel exports', () => {
  it.each(EXPORTS)('%s.xlsx holds the rows of %s.csv, cell for cell', async (path, query) => {
    const csv = await admin.request({ method: 'GET', url: `${path}.csv`, query });
    const xlsx = await admin.request({ method: 'GET', url: `${path}.xlsx`, query });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toMatch(
      /^attachment; filename="latchkey-[a-z-]+-\d{4}-\d{2}-\d{2}\.xlsx"$/,
    );
    const expected = (parse(csv.body, { bom: true, relax_column_count: true }) as string[][]).map((row) =>
      row.map(unguarded),
    );
    const actual = await sheetRows(xlsx.rawPayload);
    // Excel drops trailing empty cells of a row; compare with them trimmed off.
    const trim = (row: string[]) => {
      const copy = [...row];
      while (copy.length > 0 && copy[copy.length - 1] === '') copy.pop();
      return copy;
    };
    expect(actual.map(trim)).toEqual(expected.map(trim));
    expect(expected.length).toBeGreaterThan(1);
  });

  it('formula-looking text is kept as text in the sheet (and guarded in the CSV)', async () => {
    const csv = await admin.request({ method: 'GET', url: '/api/v1/tasks/export.csv', query: { sort: 'title' } });
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.test"",""click"")"`);
    const rows = await sheetRows((await admin.request({ method: 'GET', url: '/api/v1/tasks/export.xlsx' })).rawPayload);
    expect(rows.flat()).toContain(FORMULA);
  });

  it('needs the same permission as the CSV export', async () => {
    const reader = (await signInAs(t, SYSTEM_GROUP_IDS.readOnlyUser)).caller;
    for (const [path, query] of EXPORTS) {
      const csv = await reader.request({ method: 'GET', url: `${path}.csv`, query });
      const xlsx = await reader.request({ method: 'GET', url: `${path}.xlsx`, query });
      expect(xlsx.statusCode, path).toBe(csv.statusCode);
    }
  });
});
