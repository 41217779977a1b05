import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requires } from '../auth/access.js';
import { actorOf, contextOf } from '../auth/gate.js';
import { recordListDecisions } from '../policies/records.js';
import type { AppDeps } from '../app-deps.js';
import {
  bulkDeleteRecords,
  createRecord,
  createRecordType,
  deleteRecord,
  exportRecords,
  getRecord,
  listRecords,
  listRecordTypes,
  updateRecord,
  type RecordListRow,
} from '../services/records.js';
import { importRecords, previewImport } from '../services/records-import.js';
import { parseProperties } from '../db/record-properties.js';
import { ERROR_RESPONSES, ErrorBodySchema, IdParamsSchema } from '../../shared/schemas/common.js';
import {
  BulkDeleteRecordsSchema,
  BulkDeleteResultSchema,
  CreateRecordSchema,
  CreateRecordTypeSchema,
  ExportRecordsQuerySchema,
  ImportPreviewSchema,
  ImportRecordsSchema,
  ImportResultSchema,
  ListRecordsQuerySchema,
  RecordListSchema,
  RecordSchema,
  RecordTypeListSchema,
  RecordTypeSchema,
  UpdateRecordSchema,
} from '../../shared/schemas/records.js';
import type { CsvColumns } from './csv.js';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS, presentEach, sendExport } from './exports.js';
import { presentRecord, presentRecordType } from '../presenters/records.js';

/** The import answers 422 when the file has errors, and 413 when the body is over 1 MiB. */
const IMPORT_ERROR_RESPONSES = { ...ERROR_RESPONSES, 413: ErrorBodySchema, 422: ErrorBodySchema } as const;
const IMPORT_DESCRIPTION =
  'Body: `{csv, mode}`. The CSV has a header row with Type and Name (any letter case; required), Owner ' +
  '(optional) and one column per property. Modes: `add` creates new records only; `upsert` creates or ' +
  'updates (an empty cell leaves that value unchanged; needs records:update too); `replace` is upsert plus ' +
  'deleting the records of the types named in the file that the file does not list (needs records:update ' +
  'and records:delete). At most 5000 rows and a 1 MiB body.';

export const recordRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.get(
    '/api/v1/record-types',
    {
      config: { access: requires('records:view') },
      schema: {
        tags: ['Records'],
        summary: 'Record types, with how many records each has',
        response: { 200: RecordTypeListSchema, ...ERROR_RESPONSES },
      },
    },
    async () => ({ types: (await listRecordTypes(db)).map(presentRecordType) }),
  );

  app.post(
    '/api/v1/record-types',
    {
      config: { access: requires('administration:manage_record_types') },
      schema: {
        tags: ['Records'],
        summary: 'Add a record type (unique in any letter case)',
        body: CreateRecordTypeSchema,
        response: { 201: RecordTypeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const type = await createRecordType(db, contextOf(request), request.body);
      return reply.code(201).send(presentRecordType(type));
    },
  );

  app.get(
    '/api/v1/records',
    {
      config: { access: requires('records:view') },
      schema: {
        tags: ['Records'],
        summary: 'List records (search, filter by type, sort, page by cursor)',
        description:
          'search matches the start of the name, in any letter case; typeId filters by type. A page starts ' +
          'where `cursor` says (absent: the first page; `last`: the last; else `next` or `previous` of an ' +
          'answer); `total` is exact up to 10,000, else `exact: false`.',
        querystring: ListRecordsQuerySchema,
        response: { 200: RecordListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { rows, next, previous, total } = await listRecords(db, request.query);
      const viewer = actorOf(request);
      return {
        records: rows.map((row) => presentRecord(row, viewer)),
        pageSize: request.query.pageSize,
        next,
        previous,
        total,
        can: recordListDecisions(viewer),
      };
    },
  );

  for (const format of EXPORT_FORMATS) {
    app.get(
      `/api/v1/records/export.${format}`,
      {
        config: { access: requires('records:export') },
        schema: {
          tags: ['Records'],
          summary: `Export records as ${EXPORT_FORMAT_NAMES[format]} (same search, filter and sort as the list)`,
          description:
            'Columns: Type, Name, Owner and one per property name; the file can be imported again unchanged.',
          querystring: ExportRecordsQuerySchema,
        },
      },
      async (request, reply) => {
        const { batches, propertyKeys } = exportRecords(db, request.query);
        type Exported = { record: RecordListRow; properties: Map<string, string> };
        const parsed = presentEach(batches, (batch) =>
          batch.map((record): Exported => ({ record, properties: parseProperties(record.properties) })),
        );
        // The header names every property column; the names are read from the export's snapshot.
        const columns = (): CsvColumns<Exported> => [
          ['Type', ({ record }) => record.type_name],
          ['Name', ({ record }) => record.name],
          ['Owner', ({ record }) => record.owner],
          ...propertyKeys().map((key) => [key, ({ properties }: Exported) => properties.get(key) ?? ''] as const),
        ];
        return sendExport(reply, format, { file: 'records', sheet: 'Records' }, columns, parsed);
      },
    );
  }

  app.post(
    '/api/v1/records',
    {
      config: { access: requires('records:create') },
      schema: {
        tags: ['Records'],
        summary: 'Create a record',
        description: 'The type by name (`type`, any letter case) or by ID (`typeId`). Names are unique per type.',
        body: CreateRecordSchema,
        response: { 201: RecordSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const record = await createRecord(db, contextOf(request), request.body);
      return reply.code(201).send(presentRecord(record, actorOf(request)));
    },
  );

  app.post(
    '/api/v1/records/bulk-delete',
    {
      config: { access: requires('records:delete') },
      schema: {
        tags: ['Records'],
        summary: 'Delete several records: all of them, or none when any is missing (404 naming them)',
        body: BulkDeleteRecordsSchema,
        response: { 200: BulkDeleteResultSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      deleted: await bulkDeleteRecords(db, contextOf(request), request.body.ids),
    }),
  );

  app.post(
    '/api/v1/records/import/preview',
    {
      config: { access: requires('records:import') },
      schema: {
        tags: ['Records'],
        summary: 'Preview a CSV import: what each row would do, and every error. Writes nothing.',
        description: IMPORT_DESCRIPTION,
        body: ImportRecordsSchema,
        response: { 200: ImportPreviewSchema, ...IMPORT_ERROR_RESPONSES },
      },
    },
    async (request) => previewImport(db, contextOf(request), request.body),
  );

  app.post(
    '/api/v1/records/import',
    {
      config: { access: requires('records:import') },
      schema: {
        tags: ['Records'],
        summary: 'Import a CSV file: every row, or none (422 import_has_errors with the errors by line)',
        description: IMPORT_DESCRIPTION,
        body: ImportRecordsSchema,
        response: { 200: ImportResultSchema, ...IMPORT_ERROR_RESPONSES },
      },
    },
    async (request) => importRecords(db, contextOf(request), request.body),
  );

  app.get(
    '/api/v1/records/:id',
    {
      config: { access: requires('records:view') },
      schema: {
        tags: ['Records'],
        summary: 'One record',
        params: IdParamsSchema,
        response: { 200: RecordSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => presentRecord(await getRecord(db, request.params.id), actorOf(request)),
  );

  app.patch(
    '/api/v1/records/:id',
    {
      config: { access: requires('records:update') },
      schema: {
        tags: ['Records'],
        summary: 'Change a record',
        description:
          'Properties merge: a key with a string sets it, a key with null or "" removes it, keys not sent stay. ' +
          'Removing data (a property, or emptying the owner) needs records:delete as well ' +
          '(403 delete_permission_required otherwise, and nothing changes).',
        params: IdParamsSchema,
        body: UpdateRecordSchema,
        response: { 200: RecordSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      presentRecord(await updateRecord(db, contextOf(request), request.params.id, request.body), actorOf(request)),
  );

  app.delete(
    '/api/v1/records/:id',
    {
      config: { access: requires('records:delete') },
      schema: {
        tags: ['Records'],
        summary: 'Delete a record (tasks linked to it stay, without the link)',
        params: IdParamsSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await deleteRecord(db, contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
