/**
 * Records and record types through the API: every route and action, every refusal leaving the
 * database exactly as it was, and the data-dependent rule that removing data needs records:delete
 * (Regular User (No Delete) cannot remove anything by any path).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../src/server/clock.js';
import { findRecordById } from '../../src/server/services/records.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { expectRefused } from '../helpers/assertions.js';
import {
  allowedOf,
  auditSince,
  createCustomGroup,
  errorOf,
  giveApiToken,
  lastAuditId,
  quickSession,
  quickUser,
  stateSnapshot,
} from '../helpers/fixtures.js';
import { quickRecord, quickRecordType, uniqueRecordName } from '../helpers/records-fixtures.js';
import { createTestApp, tokenCaller, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;
let adminId: string;
let regular: Caller;
let noDelete: Caller;
let noDeleteToken: Caller;
let readOnly: Caller;

beforeAll(async () => {
  t = await createTestApp();
  const adminUser = await quickUser(t, SYSTEM_GROUP_IDS.administrator);
  adminId = adminUser.id;
  admin = await quickSession(t, adminUser);
  regular = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.regularUser));
  const noDeleteUser = await quickUser(t, SYSTEM_GROUP_IDS.regularUserNoDelete);
  noDelete = await quickSession(t, noDeleteUser);
  noDeleteToken = tokenCaller(t, await giveApiToken(t, noDeleteUser.id));
  // First use of a token writes "last used": do it now, outside any snapshot.
  await noDeleteToken.request({ method: 'GET', url: '/api/v1/me' });
  readOnly = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.readOnlyUser));
});
afterAll(async () => t?.close());

describe('record types', () => {
  it('lists the built-in types Computer, User and Application with their record counts', async () => {
    const typeId = await quickRecordType(t, 'Counted');
    await quickRecord(t, { typeId });
    await quickRecord(t, { typeId });
    const response = await readOnly.request({ method: 'GET', url: '/api/v1/record-types' });
    expect(response.statusCode).toBe(200);
    const types = response.json().types as Array<{ id: string; name: string; builtIn: boolean; recordCount: number }>;
    for (const name of ['Computer', 'User', 'Application'])
      expect(types.find((type) => type.name === name)).toMatchObject({ builtIn: true });
    expect(types.find((type) => type.id === typeId)).toEqual({
      id: typeId,
      name: 'Counted',
      builtIn: false,
      recordCount: 2,
    });
  });

  it('creates a type: 201, usable for records at once, one record_type.created audit entry', async () => {
    const auditBefore = await lastAuditId(t);
    const response = await admin.request({
      method: 'POST',
      url: '/api/v1/record-types',
      payload: { name: ' Printer ' },
    });
    expect(response.statusCode, response.body).toBe(201);
    const type = response.json();
    expect(type).toMatchObject({ name: 'Printer', builtIn: false, recordCount: 0 });
    const audit = await auditSince(t, auditBefore);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'record_type.created',
      actor_user_id: adminId,
      details: { recordTypeId: type.id, name: 'Printer' },
    });
    const record = await admin.request({
      method: 'POST',
      url: '/api/v1/records',
      payload: { type: 'PRINTER', name: 'PRN-1' },
    });
    expect(record.statusCode, record.body).toBe(201);
    expect(record.json().type).toEqual({ id: type.id, name: 'Printer' });
  });

  it('refuses a name taken in any letter case with 409 record_type_taken, changing nothing', async () => {
    await expectRefused(
      t,
      () => admin.request({ method: 'POST', url: '/api/v1/record-types', payload: { name: 'cOMPUTER' } }),
      409,
      'record_type_taken',
      'name',
    );
  });

  it('refuses an empty or overlong name with 400, changing nothing', async () => {
    await expectRefused(
      t,
      () => admin.request({ method: 'POST', url: '/api/v1/record-types', payload: { name: '   ' } }),
      400,
      'validation_failed',
      'name',
    );
    await expectRefused(
      t,
      () => admin.request({ method: 'POST', url: '/api/v1/record-types', payload: { name: 'x'.repeat(61) } }),
      400,
      'validation_failed',
      'name',
    );
  });

  it('is for Administrators only: a Regular User gets 403, changing nothing', async () => {
    await expectRefused(
      t,
      () => regular.request({ method: 'POST', url: '/api/v1/record-types', payload: { name: 'Router' } }),
      403,
      'forbidden',
    );
  });
});

describe('POST /api/v1/records', () => {
  it('creates a record by type name in any letter case: 201 with the record and its id', async () => {
    const name = uniqueRecordName();
    const response = await regular.request({
      method: 'POST',
      url: '/api/v1/records',
      payload: {
        type: 'computer',
        name: ` ${name} `,
        owner: 'ops team',
        properties: { os: 'Windows 11', ram: '16 GB' },
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    const record = response.json();
    expect(record).toMatchObject({
      id: expect.any(String),
      type: { id: 'computer', name: 'Computer' },
      name,
      owner: 'ops team',
      properties: { os: 'Windows 11', ram: '16 GB' },
    });
    const fetched = await readOnly.request({ method: 'GET', url: `/api/v1/records/${record.id}` });
    // The same record; what each caller may do to it is their own.
    expect({ ...fetched.json(), can: undefined }).toEqual({ ...record, can: undefined });
    expect(allowedOf(record.can)).toEqual({ update: true, removeData: true, delete: true });
    expect(allowedOf(fetched.json().can)).toEqual({ update: false, removeData: false, delete: false });
  });

  it('creates a record by typeId, with no owner or properties', async () => {
    const response = await admin.request({
      method: 'POST',
      url: '/api/v1/records',
      payload: { typeId: 'application', name: 'Payroll' },
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({
      type: { id: 'application', name: 'Application' },
      owner: '',
      properties: {},
    });
  });

  it('refuses a second record with the same type and name (any letter case) with 409 record_name_taken, changing nothing', async () => {
    const existing = await quickRecord(t, { name: uniqueRecordName('DUP') });
    await expectRefused(
      t,
      () =>
        admin.request({
          method: 'POST',
          url: '/api/v1/records',
          payload: { type: 'Computer', name: existing.name.toLowerCase() },
        }),
      409,
      'record_name_taken',
      'name',
    );
  });

  it('allows the same name under another type', async () => {
    const existing = await quickRecord(t);
    const response = await admin.request({
      method: 'POST',
      url: '/api/v1/records',
      payload: { type: 'User', name: existing.name },
    });
    expect(response.statusCode, response.body).toBe(201);
  });

  it.each([
    ['an unknown type', { type: 'Spaceship', name: 'X-1' }, 'type'],
    ['an unknown typeId', { typeId: 'nope', name: 'X-1' }, 'typeId'],
    ['no type', { name: 'X-1' }, 'type'],
    ['both type and typeId', { type: 'Computer', typeId: 'computer', name: 'X-1' }, 'typeId'],
    ['an empty name', { type: 'Computer', name: '  ' }, 'name'],
    ['a name over 200 characters', { type: 'Computer', name: 'n'.repeat(201) }, 'name'],
    ['an owner over 200 characters', { type: 'Computer', name: 'X-1', owner: 'o'.repeat(201) }, 'owner'],
    ['a property named Name', { type: 'Computer', name: 'X-1', properties: { name: 'x' } }, 'properties.name'],
    [
      'a property name with spaces around it',
      { type: 'Computer', name: 'X-1', properties: { ' os': 'x' } },
      'properties. os',
    ],
    [
      'a property value that is not a string',
      { type: 'Computer', name: 'X-1', properties: { os: 11 } },
      'properties.os',
    ],
    [
      'a property value over 2000 characters',
      { type: 'Computer', name: 'X-1', properties: { os: 'v'.repeat(2001) } },
      'properties.os',
    ],
    ['an unknown field', { type: 'Computer', name: 'X-1', createdAt: '2020-01-01' }, 'createdAt'],
  ])('refuses %s with 400 validation_failed, changing nothing', async (_, payload, field) => {
    await expectRefused(
      t,
      () => admin.request({ method: 'POST', url: '/api/v1/records', payload }),
      400,
      'validation_failed',
      field,
    );
  });

  it('refuses more than 50 properties with 400', async () => {
    const properties = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, 'v']));
    await expectRefused(
      t,
      () =>
        admin.request({
          method: 'POST',
          url: '/api/v1/records',
          payload: { type: 'Computer', name: 'Many', properties },
        }),
      400,
      'validation_failed',
      'properties',
    );
  });

  it('refuses a property named __proto__ in JSON with 400 (the JSON parser refuses prototype keys), changing nothing', async () => {
    await expectRefused(
      t,
      () =>
        admin.request({
          method: 'POST',
          url: '/api/v1/records',
          headers: { 'content-type': 'application/json' },
          payload: `{"type":"Computer","name":"${uniqueRecordName('PROTO')}","properties":{"__proto__":"x"}}`,
        }),
      400,
      'bad_request',
    );
  });
});

describe('GET /api/v1/records', () => {
  let typeId: string;
  beforeAll(async () => {
    typeId = await quickRecordType(t, 'Listed');
    await quickRecord(t, { typeId, name: 'Alpha-1', owner: 'zed' });
    await quickRecord(t, { typeId, name: 'alpha-2', owner: 'Amy' });
    await quickRecord(t, { typeId, name: 'Beta_1', owner: 'bob' });
    await quickRecord(t, { typeId, name: 'Beta%2', owner: '' });
  });

  async function names(query: Record<string, string>): Promise<{ names: string[]; total: number }> {
    const response = await readOnly.request({ method: 'GET', url: '/api/v1/records', query: { typeId, ...query } });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.total.exact).toBe(true);
    return { names: body.records.map((r: { name: string }) => r.name), total: body.total.count };
  }

  it('filters by type and sorts by name by default', async () => {
    expect(await names({})).toEqual({ names: ['Alpha-1', 'alpha-2', 'Beta%2', 'Beta_1'], total: 4 });
  });

  it('searches a prefix of the name in any letter case, with % and _ taken literally', async () => {
    expect((await names({ search: 'ALPHA' })).names).toEqual(['Alpha-1', 'alpha-2']);
    expect((await names({ search: 'beta_' })).names).toEqual(['Beta_1']);
    expect((await names({ search: 'beta%' })).names).toEqual(['Beta%2']);
    expect((await names({ search: 'lpha' })).names).toEqual([]);
  });

  it('sorts by owner (any letter case) and descending', async () => {
    expect((await names({ sort: 'owner' })).names).toEqual(['Beta%2', 'alpha-2', 'Beta_1', 'Alpha-1']);
    expect((await names({ sort: 'name', order: 'desc' })).names).toEqual(['Beta_1', 'Beta%2', 'alpha-2', 'Alpha-1']);
    for (const sort of ['type', 'createdAt', 'updatedAt']) expect((await names({ sort })).total).toBe(4);
  });

  it('pages, with the total of all matches', async () => {
    expect(await names({ pageSize: '3', cursor: 'last' })).toEqual({
      names: ['alpha-2', 'Beta%2', 'Beta_1'],
      total: 4,
    });
  });

  it.each([
    ['an unknown sort column', { sort: 'secret' }],
    ['a page size over 500', { pageSize: '501' }],
    ['a page number (the list pages by cursor)', { page: '2' }],
    ['a cursor that is not one', { cursor: 'not a cursor!' }],
    ['an unknown parameter', { color: 'red' }],
  ])('refuses %s with 400', async (_, query) => {
    const response = await readOnly.request({ method: 'GET', url: '/api/v1/records', query });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('validation_failed');
  });

  it('answers 404 for a record that does not exist', async () => {
    const response = await readOnly.request({ method: 'GET', url: `/api/v1/records/${randomUUID()}` });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).code).toBe('not_found');
  });
});

describe('PATCH /api/v1/records/:id', () => {
  it('merges properties: a string sets, null and "" remove, keys not sent stay', async () => {
    const record = await quickRecord(t, {
      owner: 'amy',
      properties: { os: 'Windows 10', ram: '8 GB', cpu: 'i5', disk: '1 TB' },
    });
    const response = await regular.request({
      method: 'PATCH',
      url: `/api/v1/records/${record.id}`,
      payload: { owner: 'bob', properties: { os: 'Windows 11', ram: null, cpu: '', gpu: 'none' } },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      owner: 'bob',
      properties: { os: 'Windows 11', disk: '1 TB', gpu: 'none' },
    });
    expect(Object.keys(response.json().properties as object).sort()).toEqual(['disk', 'gpu', 'os']);
    expect(response.json().updatedAt >= record.updated_at).toBe(true);
  });

  it('renames and changes the type, keeping names unique per type (409 record_name_taken, changing nothing)', async () => {
    const record = await quickRecord(t);
    const clash = await quickRecord(t, { typeId: 'user' });
    await expectRefused(
      t,
      () =>
        regular.request({
          method: 'PATCH',
          url: `/api/v1/records/${record.id}`,
          payload: { type: 'User', name: clash.name.toUpperCase() },
        }),
      409,
      'record_name_taken',
    );
    const renamed = uniqueRecordName('NEW');
    const response = await regular.request({
      method: 'PATCH',
      url: `/api/v1/records/${record.id}`,
      payload: { typeId: 'user', name: renamed },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ type: { id: 'user', name: 'User' }, name: renamed });
  });

  it('accepts a change of letter case of its own name', async () => {
    const record = await quickRecord(t, { name: uniqueRecordName('case') });
    const response = await regular.request({
      method: 'PATCH',
      url: `/api/v1/records/${record.id}`,
      payload: { name: record.name.toUpperCase() },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().name).toBe(record.name.toUpperCase());
  });

  it('changes nothing (not even updatedAt) when nothing differs', async () => {
    const record = await quickRecord(t, { owner: 'amy', properties: { os: 'x' } });
    const before = await stateSnapshot(t);
    const response = await regular.request({
      method: 'PATCH',
      url: `/api/v1/records/${record.id}`,
      payload: { owner: 'amy', properties: { os: 'x', gone: null } },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(await stateSnapshot(t)).toEqual(before);
  });

  it.each([
    ['an emptied name', { name: '' }, 'name'],
    ['an unknown type', { type: 'Spaceship' }, 'type'],
    ['an unknown field', { id: 'other' }, 'id'],
  ])('refuses %s with 400, changing nothing', async (_, payload, field) => {
    const record = await quickRecord(t);
    await expectRefused(
      t,
      () => admin.request({ method: 'PATCH', url: `/api/v1/records/${record.id}`, payload }),
      400,
      'validation_failed',
      field,
    );
  });

  it('answers 404 for a record that does not exist, changing nothing', async () => {
    await expectRefused(
      t,
      () => admin.request({ method: 'PATCH', url: `/api/v1/records/${randomUUID()}`, payload: { owner: 'x' } }),
      404,
      'not_found',
    );
  });

  it('lets a Regular User (No Delete) set properties and the owner', async () => {
    const record = await quickRecord(t, { owner: 'amy', properties: { os: 'a' } });
    const response = await noDelete.request({
      method: 'PATCH',
      url: `/api/v1/records/${record.id}`,
      payload: { owner: 'bob', properties: { os: 'b', new: 'c' } },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ owner: 'bob', properties: { os: 'b', new: 'c' } });
  });
});

describe('DELETE /api/v1/records/:id', () => {
  it('deletes: 204, gone, one record.deleted audit entry {recordId, type, name}', async () => {
    const record = await quickRecord(t, { typeId: 'application' });
    const auditBefore = await lastAuditId(t);
    const response = await regular.request({ method: 'DELETE', url: `/api/v1/records/${record.id}` });
    expect(response.statusCode, response.body).toBe(204);
    expect(await findRecordById(t.db, record.id)).toBeUndefined();
    const audit = await auditSince(t, auditBefore);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'record.deleted',
      details: { recordId: record.id, type: 'Application', name: record.name },
    });
  });

  it('keeps the tasks linked to the record, without the link', async () => {
    const record = await quickRecord(t);
    const taskId = randomUUID();
    const now = nowIso();
    await t.db
      .insertInto('tasks')
      .values({
        id: taskId,
        title: 'Patch it',
        title_normalized: 'patch it',
        record_id: record.id,
        status: 'not_started',
        assignee_user_id: null,
        due_date: null,
        created_by_user_id: null,
        created_at: now,
        updated_at: now,
        started_at: null,
        finished_at: null,
      })
      .execute();
    const response = await admin.request({ method: 'DELETE', url: `/api/v1/records/${record.id}` });
    expect(response.statusCode, response.body).toBe(204);
    const task = await t.db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
    expect(task).toMatchObject({ id: taskId, record_id: null });
  });

  it('answers 404 for a record that does not exist, changing nothing', async () => {
    await expectRefused(
      t,
      () => admin.request({ method: 'DELETE', url: `/api/v1/records/${randomUUID()}` }),
      404,
      'not_found',
    );
  });
});

describe('POST /api/v1/records/bulk-delete', () => {
  it('deletes every listed record and writes one records.bulk_deleted audit entry {count, names}', async () => {
    const records = [await quickRecord(t, { name: 'BULK-B' }), await quickRecord(t, { name: 'BULK-A' })];
    const auditBefore = await lastAuditId(t);
    const response = await regular.request({
      method: 'POST',
      url: '/api/v1/records/bulk-delete',
      payload: { ids: records.map((r) => r.id) },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ deleted: 2 });
    for (const record of records) expect(await findRecordById(t.db, record.id)).toBeUndefined();
    const audit = await auditSince(t, auditBefore);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'records.bulk_deleted',
      details: { count: 2, names: ['BULK-A', 'BULK-B'] },
    });
  });

  it('names at most 20 records in the audit entry', async () => {
    const records = await Promise.all(Array.from({ length: 25 }, () => quickRecord(t)));
    const auditBefore = await lastAuditId(t);
    const response = await admin.request({
      method: 'POST',
      url: '/api/v1/records/bulk-delete',
      payload: { ids: records.map((r) => r.id) },
    });
    expect(response.json()).toEqual({ deleted: 25 });
    const [entry] = await auditSince(t, auditBefore);
    expect(entry?.details.count).toBe(25);
    expect(entry?.details.names).toHaveLength(20);
  });

  it('deletes nothing when any record is missing: 404 naming the missing IDs', async () => {
    const record = await quickRecord(t);
    const missing = randomUUID();
    const error = await expectRefused(
      t,
      () =>
        admin.request({ method: 'POST', url: '/api/v1/records/bulk-delete', payload: { ids: [record.id, missing] } }),
      404,
      'not_found',
      'ids',
    );
    expect(error.fields?.ids).toBe(missing);
    expect(error.message).toContain(missing);
  });

  it.each([
    ['no IDs', { ids: [] }],
    ['more than 500 IDs', { ids: Array.from({ length: 501 }, () => randomUUID()) }],
    ['no ids field', {}],
  ])('refuses %s with 400, changing nothing', async (_, payload) => {
    await expectRefused(
      t,
      () => admin.request({ method: 'POST', url: '/api/v1/records/bulk-delete', payload }),
      400,
      'validation_failed',
    );
  });
});

describe('GET /api/v1/records/export.csv', () => {
  it('has Type, Name, Owner and one column per property, guards formulas, and follows the filters', async () => {
    const typeId = await quickRecordType(t, 'Exported');
    await quickRecord(t, {
      typeId,
      name: 'EXP-1',
      owner: 'amy',
      properties: { os: 'Linux', note: 'a, "quoted" note' },
    });
    await quickRecord(t, { typeId, name: 'EXP-2', properties: { formula: '=1+1', ram: '8 GB' } });
    await quickRecord(t, { name: 'NOT-EXPORTED', properties: { other: 'x' } });
    const response = await readOnly.request({ method: 'GET', url: '/api/v1/records/export.csv', query: { typeId } });
    expect(response.statusCode).toBe(403);
    const exported = await regular.request({ method: 'GET', url: '/api/v1/records/export.csv', query: { typeId } });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(exported.headers['content-disposition']).toMatch(
      /^attachment; filename="latchkey-records-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(exported.body).toBe(
      'Type,Name,Owner,formula,note,os,ram\r\n' +
        'Exported,EXP-1,amy,,"a, ""quoted"" note",Linux,\r\n' +
        "Exported,EXP-2,,'=1+1,,,8 GB\r\n",
    );
  });
});

describe('removing data needs records:delete (Regular User (No Delete) cannot remove anything by any path)', () => {
  for (const [how, caller] of [
    ['session', () => noDelete],
    ['API token', () => noDeleteToken],
  ] as const) {
    describe(`with a ${how}`, () => {
      it('DELETE /api/v1/records/:id → 403 forbidden, nothing changed', async () => {
        const record = await quickRecord(t);
        await expectRefused(
          t,
          () => caller().request({ method: 'DELETE', url: `/api/v1/records/${record.id}` }),
          403,
          'forbidden',
        );
      });

      it('bulk delete → 403 forbidden, nothing changed', async () => {
        const record = await quickRecord(t);
        await expectRefused(
          t,
          () => caller().request({ method: 'POST', url: '/api/v1/records/bulk-delete', payload: { ids: [record.id] } }),
          403,
          'forbidden',
        );
      });

      it('PATCH removing a property (null or "") → 403 delete_permission_required, nothing changed (not even the other changes)', async () => {
        const record = await quickRecord(t, { owner: 'amy', properties: { os: 'Linux', ram: '8 GB' } });
        for (const removal of [null, '']) {
          await expectRefused(
            t,
            () =>
              caller().request({
                method: 'PATCH',
                url: `/api/v1/records/${record.id}`,
                payload: { owner: 'bob', properties: { os: removal, ram: '16 GB' } },
              }),
            403,
            'delete_permission_required',
          );
        }
      });

      it('PATCH emptying the owner → 403 delete_permission_required, nothing changed', async () => {
        const record = await quickRecord(t, { owner: 'amy' });
        await expectRefused(
          t,
          () => caller().request({ method: 'PATCH', url: `/api/v1/records/${record.id}`, payload: { owner: '' } }),
          403,
          'delete_permission_required',
        );
      });

      it('an import in replace mode → 403 delete_permission_required (preview too), nothing changed', async () => {
        await quickRecord(t, { typeId: 'application' });
        const payload = { mode: 'replace', csv: 'Type,Name\r\nApplication,Only This One\r\n' };
        await expectRefused(
          t,
          () => caller().request({ method: 'POST', url: '/api/v1/records/import/preview', payload }),
          403,
          'delete_permission_required',
        );
        await expectRefused(
          t,
          () => caller().request({ method: 'POST', url: '/api/v1/records/import', payload }),
          403,
          'delete_permission_required',
        );
      });

      it('an import in upsert mode with empty cells leaves the values as they were (it never removes)', async () => {
        const record = await quickRecord(t, { owner: 'amy', properties: { os: 'Linux', ram: '8 GB' } });
        const csv = `Type,Name,Owner,os,ram\r\nComputer,${record.name},,,16 GB\r\n`;
        const response = await caller().request({
          method: 'POST',
          url: '/api/v1/records/import',
          payload: { mode: 'upsert', csv },
        });
        expect(response.json()).toEqual({ created: 0, updated: 1, deleted: 0 });
        const after = await findRecordById(t.db, record.id);
        expect(after?.owner).toBe('amy');
        expect(JSON.parse(after!.properties)).toEqual({ os: 'Linux', ram: '16 GB' });
      });
    });
  }

  it('a custom group with records:update and records:delete may remove a property', async () => {
    const groupId = await createCustomGroup(t, ['records:view', 'records:update', 'records:delete']);
    const caller = await quickSession(t, await quickUser(t, groupId));
    const record = await quickRecord(t, { properties: { os: 'Linux' } });
    const response = await caller.request({
      method: 'PATCH',
      url: `/api/v1/records/${record.id}`,
      payload: { properties: { os: null } },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().properties).toEqual({});
  });
});
