import { z } from 'zod';
import { DecisionSchema } from './decision.js';
import { pageInfoFields, pageQueryFields } from './paging.js';
import { ImportCsvTextSchema } from './csv-import.js';

export const RECORD_TYPE_NAME_MAX = 60;
export const RECORD_NAME_MAX = 200;
export const RECORD_OWNER_MAX = 200;
export const PROPERTY_KEY_MAX = 100;
export const PROPERTY_VALUE_MAX = 2000;
export const PROPERTIES_MAX = 50;
export const BULK_DELETE_MAX = 500;
export const IMPORT_ROWS_MAX = 5000;
export { IMPORT_CSV_MAX } from './csv-import.js';

/**
 * The column names of the CSV export and import besides the properties. A property may not be named
 * like one of them (in any letter case), or an export could not be imported again unchanged.
 */
export const RESERVED_COLUMNS = ['type', 'name', 'owner'] as const;

const requiredText = (label: string, max: number) =>
  z.string().trim().min(1, `${label} is required.`).max(max, `${label} must be at most ${max} characters.`);

/** Why a property name is refused, or null when it is fine (used by the API schema and the CSV import). */
export function propertyKeyProblem(key: string): string | null {
  if (key.length === 0) return 'A property needs a name.';
  if (key.length > PROPERTY_KEY_MAX) return `Property names must be at most ${PROPERTY_KEY_MAX} characters.`;
  if (key !== key.trim()) return 'Property names cannot start or end with spaces.';
  if ((RESERVED_COLUMNS as readonly string[]).includes(key.toLowerCase()))
    return 'Type, Name and Owner are columns of every record and cannot be property names.';
  // JavaScript gives this name a special meaning on plain objects (the JSON parser refuses it too).
  if (key === '__proto__') return 'This property name is reserved.';
  return null;
}

/** Checks every key of a properties object, with the message on the key's own path. */
function checkPropertyKeys(properties: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const key of Object.keys(properties)) {
    const problem = propertyKeyProblem(key);
    if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
  }
}

const PropertyValueSchema = z
  .string()
  .trim()
  .max(PROPERTY_VALUE_MAX, `Property values must be at most ${PROPERTY_VALUE_MAX} characters.`);

const maxProperties = (properties: Record<string, unknown>) => Object.keys(properties).length <= PROPERTIES_MAX;
const TOO_MANY_PROPERTIES = `A record can have at most ${PROPERTIES_MAX} properties.`;

export const RecordTypeSchema = z.object({
  id: z.string(),
  name: z.string(),
  builtIn: z.boolean(),
  recordCount: z.number(),
});
export type RecordType = z.infer<typeof RecordTypeSchema>;

export const RecordTypeListSchema = z.object({ types: z.array(RecordTypeSchema) });

export const CreateRecordTypeSchema = z.object({ name: requiredText('Name', RECORD_TYPE_NAME_MAX) }).strict();
export type CreateRecordTypeInput = z.infer<typeof CreateRecordTypeSchema>;

/**
 * What the caller may do to a record, decided by the server (policies/records.ts): `removeData` is
 * clearing a property or the owner while updating, which needs the Delete permission too.
 */
export const RecordAbilitiesSchema = z.object({
  update: DecisionSchema,
  removeData: DecisionSchema,
  delete: DecisionSchema,
});
export type RecordAbilities = z.infer<typeof RecordAbilitiesSchema>;

/** A record as the API shows it. */
export const RecordSchema = z.object({
  id: z.string(),
  type: z.object({ id: z.string(), name: z.string() }),
  name: z.string(),
  owner: z.string(),
  properties: z.record(z.string(), z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  can: RecordAbilitiesSchema,
});
export type DataRecord = z.infer<typeof RecordSchema>;

export const RECORD_SORT_COLUMNS = ['name', 'type', 'owner', 'createdAt', 'updatedAt'] as const;
export type RecordSortColumn = (typeof RECORD_SORT_COLUMNS)[number];

/** The list's search and type filter (the export takes the same, and the same sort). */
const listFilterFields = {
  /** The start of the name, in any letter case. */
  search: z.string().trim().max(200).optional(),
  typeId: z.string().trim().max(64).optional(),
  sort: z.enum(RECORD_SORT_COLUMNS).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
};

/** Same shape and limits as GET /api/v1/users, plus the type filter; keyset paging (shared/schemas/paging.ts). */
export const ListRecordsQuerySchema = z.object({ ...listFilterFields, ...pageQueryFields(25) }).strict();
export type ListRecordsQuery = z.infer<typeof ListRecordsQuerySchema>;
export const ExportRecordsQuerySchema = z.object(listFilterFields).strict();
export type RecordFilters = z.infer<typeof ExportRecordsQuerySchema>;

/** What the caller may do to the list as a whole: which import modes the server accepts. */
export const RecordListAbilitiesSchema = z.object({
  import: z.object({ add: DecisionSchema, upsert: DecisionSchema, replace: DecisionSchema }),
});
export type RecordListAbilities = z.infer<typeof RecordListAbilitiesSchema>;

export const RecordListSchema = z.object({
  records: z.array(RecordSchema),
  ...pageInfoFields,
  can: RecordListAbilitiesSchema,
});
export type RecordList = z.infer<typeof RecordListSchema>;

/** The type of a new or changed record: by name (any letter case) or by ID, not both. */
const typeFields = {
  type: z.string().trim().min(1, 'Type is required.').max(RECORD_TYPE_NAME_MAX).optional(),
  typeId: z.string().trim().min(1, 'Type is required.').max(64).optional(),
};

export const CreateRecordSchema = z
  .object({
    ...typeFields,
    name: requiredText('Name', RECORD_NAME_MAX),
    owner: z.string().trim().max(RECORD_OWNER_MAX, `Owner must be at most ${RECORD_OWNER_MAX} characters.`).default(''),
    properties: z
      .record(z.string(), PropertyValueSchema)
      .superRefine(checkPropertyKeys)
      .refine(maxProperties, TOO_MANY_PROPERTIES)
      .default({}),
  })
  .strict()
  .superRefine((record, ctx) => {
    if (record.type === undefined && record.typeId === undefined)
      ctx.addIssue({ code: 'custom', path: ['type'], message: 'Type is required.' });
    if (record.type !== undefined && record.typeId !== undefined)
      ctx.addIssue({ code: 'custom', path: ['typeId'], message: 'Give the type by name or by ID, not both.' });
  });
export type CreateRecordInput = z.input<typeof CreateRecordSchema>;
export type NewRecord = z.output<typeof CreateRecordSchema>;

/**
 * A change to a record. Properties MERGE: a key with a string sets it, a key with null or "" removes
 * it (removing data, which needs records:delete as well), keys not sent stay as they are.
 */
export const UpdateRecordSchema = z
  .object({
    ...typeFields,
    name: requiredText('Name', RECORD_NAME_MAX).optional(),
    owner: z.string().trim().max(RECORD_OWNER_MAX, `Owner must be at most ${RECORD_OWNER_MAX} characters.`).optional(),
    properties: z
      .record(z.string(), PropertyValueSchema.nullable())
      .superRefine(checkPropertyKeys)
      .refine(maxProperties, TOO_MANY_PROPERTIES)
      .optional(),
  })
  .strict()
  .refine((change) => !(change.type !== undefined && change.typeId !== undefined), {
    path: ['typeId'],
    message: 'Give the type by name or by ID, not both.',
  });
export type RecordChanges = z.infer<typeof UpdateRecordSchema>;

export const BulkDeleteRecordsSchema = z
  .object({
    ids: z
      .array(z.string().min(1).max(64))
      .min(1, 'Select at least one record.')
      .max(BULK_DELETE_MAX, `At most ${BULK_DELETE_MAX} records can be deleted at once.`),
  })
  .strict();
export const BulkDeleteResultSchema = z.object({ deleted: z.number() });

export const IMPORT_MODES = ['add', 'upsert', 'replace'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export const ImportRecordsSchema = z
  .object({
    csv: ImportCsvTextSchema,
    mode: z.enum(IMPORT_MODES),
  })
  .strict();
export type ImportRecordsInput = z.infer<typeof ImportRecordsSchema>;

export const IMPORT_ACTIONS = ['create', 'update', 'delete', 'unchanged'] as const;
export type ImportAction = (typeof IMPORT_ACTIONS)[number];

export const ImportPreviewRowSchema = z.object({
  /** The row's line in the file; null for a record the file does not list that replace mode would delete. */
  line: z.number().nullable(),
  type: z.string(),
  name: z.string(),
  owner: z.string(),
  properties: z.record(z.string(), z.string()),
  action: z.enum(IMPORT_ACTIONS),
  errors: z.array(z.string()),
});
export type ImportPreviewRow = z.infer<typeof ImportPreviewRowSchema>;

export const ImportPreviewSchema = z.object({
  rows: z.array(ImportPreviewRowSchema),
  summary: z.object({
    create: z.number(),
    update: z.number(),
    delete: z.number(),
    unchanged: z.number(),
    /** Rows with at least one error: any of them and nothing is imported. */
    errors: z.number(),
  }),
});
export type ImportPreview = z.infer<typeof ImportPreviewSchema>;

export const ImportResultSchema = z.object({ created: z.number(), updated: z.number(), deleted: z.number() });
export type ImportResult = z.infer<typeof ImportResultSchema>;
