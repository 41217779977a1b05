/** Route samples for the records routes; see ../route-samples.ts for what a sample must be. */
import { randomBytes } from 'node:crypto';
import { requires } from '../../../src/server/auth/access.js';
import { quickRecord, uniqueRecordName } from '../../helpers/records-fixtures.js';
import type { RouteSample } from '../route-samples.js';

const random = () => randomBytes(4).toString('hex');

export const RECORDS_ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/record-types': { access: requires('records:view'), build: () => ({}) },
  'POST /api/v1/record-types': {
    access: requires('administration:manage_record_types'),
    audits: ['record_type.created'],
    allowedStatus: 201,
    build: () => ({ body: { name: `Printer ${random()}` } }),
  },
  'GET /api/v1/records': {
    access: requires('records:view'),
    build: () => ({ query: { search: 'pc-', typeId: 'computer', sort: 'owner', order: 'desc', pageSize: '5' } }),
  },
  'GET /api/v1/records/export.csv': {
    access: requires('records:export'),
    build: () => ({ query: { typeId: 'computer', sort: 'updatedAt' } }),
  },
  'POST /api/v1/records': {
    access: requires('records:create'),
    audits: ['record.created'],
    allowedStatus: 201,
    build: () => ({ body: { type: 'computer', name: uniqueRecordName(), properties: { os: 'Windows 11' } } }),
  },
  'GET /api/v1/records/:id': {
    access: requires('records:view'),
    build: async (ctx) => ({ params: { id: (await quickRecord(ctx.t)).id } }),
  },
  'PATCH /api/v1/records/:id': {
    access: requires('records:update'),
    audits: ['record.updated'],
    build: async (ctx) => ({
      params: { id: (await quickRecord(ctx.t, { properties: { os: 'Windows 10' } })).id },
      body: { owner: `owner-${random()}`, properties: { os: 'Windows 11', ram: '16 GB' } },
    }),
  },
  'DELETE /api/v1/records/:id': {
    access: requires('records:delete'),
    audits: ['record.deleted'],
    allowedStatus: 204,
    build: async (ctx) => ({ params: { id: (await quickRecord(ctx.t)).id } }),
  },
  'POST /api/v1/records/bulk-delete': {
    access: requires('records:delete'),
    audits: ['records.bulk_deleted'],
    build: async (ctx) => ({ body: { ids: [(await quickRecord(ctx.t)).id, (await quickRecord(ctx.t)).id] } }),
  },
  // The "add" mode needs only records:import (upsert and replace need more: see records-import.test.ts).
  'POST /api/v1/records/import/preview': {
    access: requires('records:import'),
    // No audit entry: checks a file; stores nothing.
    audits: [],
    build: () => ({ body: { mode: 'add', csv: `Type,Name,Owner,os\r\nComputer,${uniqueRecordName()},ops,Linux\r\n` } }),
  },
  'POST /api/v1/records/import': {
    access: requires('records:import'),
    audits: ['records.imported'],
    build: () => ({ body: { mode: 'add', csv: `Type,Name,Owner,os\r\nComputer,${uniqueRecordName()},ops,Linux\r\n` } }),
  },
};
