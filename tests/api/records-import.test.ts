/**
 * CSV import of records: the preview writes nothing and lists per-row errors; the import writes
 * every row or none; the three modes and the permissions each needs; our own export imports again
 * unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { findRecordById } from '../../src/server/services/records.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { expectRefused } from '../helpers/assertions.js';
import {
  auditSince,
  createCustomGroup,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
} from '../helpers/fixtures.js';
import { quickRecord, quickRecordType } from '../helpers/records-fixtures.js';
import { createTestApp, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;
let regular: Caller;

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
  regular = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.regularUser));
});
afterAll(async () => t?.close());

const csvOf = (...lines: string[]) => lines.map((line) => `${line}\r\n`).join('');

function preview(caller: Caller, mode: string, csv: string): Promise<LightMyRequestResponse> {
  return caller.request({ method: 'POST', url: '/api/v1/records/import/preview', payload: { mode, csv } });
}
function runImport(caller: Caller, mode: string, csv: string): Promise<LightMyRequestResponse> {
  return caller.request({ method: 'POST', url: '/api/v1/records/import', payload: { mode, csv } });
}

async function namesOfType(typeId: string): Promise<string[]> {
  const rows = await t.db.selectFrom('records').select('name').where('type_id', '=', typeId).orderBy('name').execute();
  return rows.map((row) => row.name);
}

describe('preview', () => {
  it('shows what each row would do and writes nothing', async () => {
    const typeId = await quickRecordType(t, 'Preview');
    await quickRecord(t, { typeId, name: 'KEEP', owner: 'amy', properties: { os: 'Linux' } });
    await quickRecord(t, { typeId, name: 'SAME', owner: 'amy', properties: { os: 'Linux' } });
    await quickRecord(t, { typeId, name: 'GONE' });
    const csv = csvOf('type,NAME,Owner,os', 'preview,NEW,bob,BSD', 'PREVIEW,keep,,Windows', 'Preview,SAME,,Linux');
    const before = await stateSnapshot(t);
    const response = await preview(admin, 'replace', csv);
    expect(response.statusCode, response.body).toBe(200);
    expect(await stateSnapshot(t)).toEqual(before);
    expect(response.json()).toEqual({
      rows: [
        {
          line: 2,
          type: 'Preview',
          name: 'NEW',
          owner: 'bob',
          properties: { os: 'BSD' },
          action: 'create',
          errors: [],
        },
        {
          line: 3,
          type: 'Preview',
          name: 'keep',
          owner: '',
          properties: { os: 'Windows' },
          action: 'update',
          errors: [],
        },
        {
          line: 4,
          type: 'Preview',
          name: 'SAME',
          owner: '',
          properties: { os: 'Linux' },
          action: 'unchanged',
          errors: [],
        },
        { line: null, type: 'Preview', name: 'GONE', owner: '', properties: {}, action: 'delete', errors: [] },
      ],
      summary: { create: 1, update: 1, delete: 1, unchanged: 1, errors: 0 },
    });
  });

  it('lists every per-row error: unknown type, missing name, too long, duplicate in the file, already exists (add), extra cells', async () => {
    const existing = await quickRecord(t, { name: 'EXISTS-1' });
    const csv = csvOf(
      'Type,Name,Owner,os',
      'Computer,OK-1,,',
      'Spaceship,X-1,,',
      'Computer,,,',
      `Computer,${'n'.repeat(201)},,`,
      `Computer,LONG-OWNER,${'o'.repeat(201)},`,
      `Computer,LONG-VALUE,,${'v'.repeat(2001)}`,
      'Computer,ok-1,,',
      `computer,${existing.name},,`,
      'Computer,EXTRA,,,surplus',
      ',NO-TYPE,,',
    );
    const response = await preview(regular, 'add', csv);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    const errors = Object.fromEntries(
      body.rows.map((row: { line: number; errors: string[] }) => [row.line, row.errors]),
    );
    expect(errors).toEqual({
      2: [],
      3: ['Unknown record type "Spaceship".'],
      4: ['Name is missing.'],
      5: ['Name is longer than 200 characters.'],
      6: ['Owner is longer than 200 characters.'],
      7: ['os is longer than 2000 characters.'],
      8: ['Duplicate: line 2 has the same type and name.'],
      9: [expect.stringMatching(/already exists/)],
      10: ['This row has more cells than the header row has columns.'],
      11: ['Type is missing.'],
    });
    expect(body.summary).toEqual({ create: 1, update: 0, delete: 0, unchanged: 0, errors: 9 });
  });

  it('numbers lines as the file does, with quoted cells spanning lines, a BOM and blank rows', async () => {
    const csv = '\ufeffType,Name,notes\r\nComputer,ML-1,"two\nlines"\r\n\r\n,,\r\nSpaceship,ML-2,\r\n';
    const body = (await preview(admin, 'add', csv)).json();
    expect(body.rows.map((row: { line: number }) => row.line)).toEqual([2, 6]);
    expect(body.rows[0].properties).toEqual({ notes: 'two\nlines' });
  });
});

describe('import', () => {
  it('adds every row in one go: 200 {created, updated, deleted} and one records.imported audit entry', async () => {
    const typeId = await quickRecordType(t, 'Added');
    const auditBefore = await lastAuditId(t);
    const response = await runImport(
      regular,
      'add',
      csvOf('Type,Name,Owner,os,ram', 'Added,A-1,amy,Linux,', 'Added,A-2,,,8 GB'),
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ created: 2, updated: 0, deleted: 0 });
    const listed = await admin.request({ method: 'GET', url: '/api/v1/records', query: { typeId } });
    expect(listed.json().records).toMatchObject([
      { name: 'A-1', owner: 'amy', properties: { os: 'Linux' } },
      { name: 'A-2', owner: '', properties: { ram: '8 GB' } },
    ]);
    const audit = await auditSince(t, auditBefore);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'records.imported',
      details: { mode: 'add', created: 2, updated: 0, deleted: 0 },
    });
  });

  it('imports nothing when any row has an error: 422 import_has_errors with the errors keyed by line', async () => {
    const typeId = await quickRecordType(t, 'AllOrNothing');
    const error = await expectRefused(
      t,
      () => runImport(admin, 'add', csvOf('Type,Name', 'AllOrNothing,GOOD-1', 'Nope,BAD-1', 'AllOrNothing,')),
      422,
      'import_has_errors',
    );
    expect(error.fields).toEqual({ 'line 3': 'Unknown record type "Nope".', 'line 4': 'Name is missing.' });
    expect(await namesOfType(typeId)).toEqual([]);
  });

  it('upsert creates and updates; an empty cell leaves that existing value unchanged', async () => {
    const typeId = await quickRecordType(t, 'Upserted');
    const record = await quickRecord(t, {
      typeId,
      name: 'U-1',
      owner: 'amy',
      properties: { os: 'Linux', ram: '8 GB' },
    });
    const response = await runImport(
      regular,
      'upsert',
      csvOf('Type,Name,Owner,os,ram,cpu', 'Upserted,u-1,,,16 GB,i7', 'Upserted,U-2,bob,BSD,,'),
    );
    expect(response.json()).toEqual({ created: 1, updated: 1, deleted: 0 });
    const updated = await findRecordById(t.db, record.id);
    expect(updated).toMatchObject({ name: 'u-1', owner: 'amy' });
    expect(JSON.parse(updated!.properties)).toEqual({ os: 'Linux', ram: '16 GB', cpu: 'i7' });
    expect(await namesOfType(typeId)).toEqual(['U-2', 'u-1']);
  });

  it('replace deletes the records of the types named in the file that it does not list, and no others', async () => {
    const typeId = await quickRecordType(t, 'Replaced');
    const otherTypeId = await quickRecordType(t, 'Untouched');
    await quickRecord(t, { typeId, name: 'R-KEEP' });
    await quickRecord(t, { typeId, name: 'R-GONE-1' });
    await quickRecord(t, { typeId, name: 'R-GONE-2' });
    await quickRecord(t, { typeId: otherTypeId, name: 'OTHER' });
    const auditBefore = await lastAuditId(t);
    const response = await runImport(
      regular,
      'replace',
      csvOf('Type,Name,Owner', 'Replaced,R-KEEP,amy', 'Replaced,R-NEW,'),
    );
    expect(response.json()).toEqual({ created: 1, updated: 1, deleted: 2 });
    expect(await namesOfType(typeId)).toEqual(['R-KEEP', 'R-NEW']);
    expect(await namesOfType(otherTypeId)).toEqual(['OTHER']);
    expect((await auditSince(t, auditBefore))[0]).toMatchObject({
      action: 'records.imported',
      details: { mode: 'replace', created: 1, updated: 1, deleted: 2 },
    });
  });

  it('takes our own export back unchanged (formula guard undone): replace reports every row unchanged', async () => {
    const typeId = await quickRecordType(t, 'RoundTrip');
    await quickRecord(t, {
      typeId,
      name: 'RT-1',
      owner: '+44 20 7946 0000',
      properties: { formula: '=SUM(A1)', at: '@home', note: 'a, "b"\nc' },
    });
    await quickRecord(t, { typeId, name: '-dash', properties: { tab: 'plain' } });
    const exported = await admin.request({ method: 'GET', url: '/api/v1/records/export.csv', query: { typeId } });
    expect(exported.body).toContain("'=SUM(A1)");
    const before = await stateSnapshot(t);
    const body = (await preview(admin, 'replace', exported.body)).json();
    expect(body.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 2, errors: 0 });
    expect(body.rows.find((row: { name: string }) => row.name === 'RT-1')).toMatchObject({
      owner: '+44 20 7946 0000',
      properties: { formula: '=SUM(A1)', at: '@home', note: 'a, "b"\nc' },
    });
    const response = await runImport(admin, 'replace', exported.body);
    expect(response.json()).toEqual({ created: 0, updated: 0, deleted: 0 });
    // Only the audit entry of the import is new.
    const after = await stateSnapshot(t);
    expect({ ...after, audit_events: [] }).toEqual({ ...before, audit_events: [] });
  });
});

describe('files that cannot be read', () => {
  it.each([
    ['an empty file', ''],
    ['a header without Name', 'Type,Owner\r\nComputer,amy\r\n'],
    ['a header without Type', 'Name\r\nPC-1\r\n'],
    ['a column twice', 'Type,Name,NAME\r\nComputer,a,b\r\n'],
    ['a column without a name', 'Type,Name,\r\nComputer,a,b\r\n'],
    ['a column named __proto__', 'Type,Name,__proto__\r\nComputer,a,b\r\n'],
    ['a column named like a built-in one with spaces', 'Type,Name, owner ,Owner\r\nComputer,a,b,c\r\n'],
    ['an unclosed quote', 'Type,Name\r\nComputer,"PC-1\r\n'],
    ['more than 5000 rows', `Type,Name\r\n${Array.from({ length: 5001 }, (_, i) => `Computer,BIG-${i}`).join('\r\n')}`],
  ])('refuses %s with 400 validation_failed on the csv field, changing nothing', async (_, csv) => {
    for (const send of [preview, runImport]) {
      const error = await expectRefused(t, () => send(admin, 'add', csv), 400, 'validation_failed');
      expect(error.fields?.csv).toEqual(expect.any(String));
    }
  });

  it('refuses an unknown mode with 400', async () => {
    await expectRefused(t, () => runImport(admin, 'merge', 'Type,Name\r\n'), 400, 'validation_failed');
  });

  it('refuses a body over 1 MiB with 413, changing nothing', async () => {
    const csv = `Type,Name,blob\r\nComputer,HUGE,${'x'.repeat(1024 * 1024)}\r\n`;
    const before = await stateSnapshot(t);
    const response = await runImport(admin, 'add', csv);
    expect(response.statusCode).toBe(413);
    expect(await stateSnapshot(t)).toEqual(before);
  });
});

describe('permissions of the modes', () => {
  let importOnly: Caller;
  let importAndUpdate: Caller;
  beforeAll(async () => {
    importOnly = await quickSession(
      t,
      await quickUser(t, await createCustomGroup(t, ['records:view', 'records:import'])),
    );
    importAndUpdate = await quickSession(
      t,
      await quickUser(t, await createCustomGroup(t, ['records:view', 'records:import', 'records:update'])),
    );
  });

  it('add needs records:import only', async () => {
    expect((await runImport(importOnly, 'add', csvOf('Type,Name', 'Computer,IMPORT-ONLY-1'))).statusCode).toBe(200);
  });

  it('upsert without records:update → 403 forbidden with a clear message (preview and import), nothing changed', async () => {
    const csv = csvOf('Type,Name', 'Computer,UPSERT-1');
    for (const send of [preview, runImport]) {
      const error = await expectRefused(t, () => send(importOnly, 'upsert', csv), 403, 'forbidden');
      expect(error.message).toMatch(/Update permission/);
    }
  });

  it('replace without records:delete → 403 delete_permission_required (preview and import), nothing changed', async () => {
    const csv = csvOf('Type,Name', 'Computer,REPLACE-1');
    for (const send of [preview, runImport])
      await expectRefused(t, () => send(importAndUpdate, 'replace', csv), 403, 'delete_permission_required');
    // Without update as well, the first missing right is named.
    await expectRefused(t, () => runImport(importOnly, 'replace', csv), 403, 'forbidden');
  });

  it('a Read Only User cannot preview or import at all', async () => {
    const readOnly = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser));
    await expectRefused(t, () => preview(readOnly, 'add', csvOf('Type,Name', 'Computer,RO-1')), 403, 'forbidden');
  });
});
