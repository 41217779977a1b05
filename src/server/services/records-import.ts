/**
 * CSV import of records: one analysis for both the preview (which writes nothing) and the import
 * (which runs it again inside its own transaction, so what is written is what was checked, and a
 * single error writes nothing at all).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, RecordTable, RecordTypeTable } from '../db/schema.js';
import { isUniqueViolation } from '../db/portable.js';
import { nowIso } from '../clock.js';
import { AppError } from '../app-error.js';
import { importHasErrors, invalidFile, readCsvFile, undoFormulaGuard } from './csv-import.js';
import { assertAllowed } from '../policies/decision.js';
import { importModeDecision } from '../policies/records.js';
import {
  IMPORT_ROWS_MAX,
  PROPERTIES_MAX,
  PROPERTY_VALUE_MAX,
  RECORD_NAME_MAX,
  RECORD_OWNER_MAX,
  propertyKeyProblem,
  type ImportAction,
  type ImportPreview,
  type ImportPreviewRow,
  type ImportRecordsInput,
  type ImportResult,
} from '../../shared/schemas/records.js';
import { recordAudit } from './audit.js';
import { parseProperties, serializeProperties } from '../db/record-properties.js';
import { normalizeName } from './records.js';
import type { ActorContext } from '../request-context.js';

/** More columns than any sensible file has; it bounds the work a single request can ask for. */
const COLUMNS_MAX = 3 + 200;
/** Rows per INSERT and IDs per DELETE … IN (well inside both databases' parameter limits). */
const WRITE_CHUNK = 100;
const LOOKUP_CHUNK = 500;

interface ParsedFile {
  /** Column index of Type, Name and Owner (Owner may be absent). */
  typeColumn: number;
  nameColumn: number;
  ownerColumn: number | null;
  /** Every other column: its index and property name. */
  propertyColumns: Array<{ index: number; key: string }>;
  /** How many columns the header row has. */
  width: number;
  rows: Array<{ line: number; cells: string[] }>;
}

/** What one line of the file would do, with what the write needs. */
interface AnalyzedRow extends ImportPreviewRow {
  typeId: string | null;
  existing: RecordTable | null;
  /** The record's values after the import (for create and update). */
  next: { name: string; owner: string; properties: Map<string, string> } | null;
}

async function parseFile(csv: string): Promise<ParsedFile> {
  const { header, rows } = await readCsvFile(csv, {
    rowsMax: IMPORT_ROWS_MAX,
    columnsMax: COLUMNS_MAX,
    emptyMessage: 'The file is empty. It needs a header row with at least Type and Name.',
    noun: 'records',
  });
  const file: ParsedFile = {
    width: header.length,
    typeColumn: -1,
    nameColumn: -1,
    ownerColumn: null,
    propertyColumns: [],
    rows,
  };
  const seen = new Set<string>();
  header.forEach((raw, index) => {
    const title = raw.trim();
    const reserved = title.toLowerCase();
    const column = `Column ${index + 1}`;
    if (title === '') throw invalidFile(`${column} of the header row has no name.`);
    const seenKey = ['type', 'name', 'owner'].includes(reserved) ? reserved : title;
    if (seen.has(seenKey)) throw invalidFile(`The header row has the column "${title}" twice.`);
    seen.add(seenKey);
    if (reserved === 'type') file.typeColumn = index;
    else if (reserved === 'name') file.nameColumn = index;
    else if (reserved === 'owner') file.ownerColumn = index;
    else {
      const problem = propertyKeyProblem(title);
      if (problem) throw invalidFile(`${column} ("${title}"): ${problem}`);
      file.propertyColumns.push({ index, key: title });
    }
  });
  if (file.typeColumn < 0 || file.nameColumn < 0)
    throw invalidFile('The header row needs a Type column and a Name column (Owner and properties are optional).');

  return file;
}

async function findExisting(
  trx: Kysely<Database>,
  wanted: Array<{ typeId: string; nameNormalized: string }>,
): Promise<Map<string, RecordTable>> {
  const found = new Map<string, RecordTable>();
  const byType = new Map<string, string[]>();
  for (const { typeId, nameNormalized } of wanted) byType.set(typeId, [...(byType.get(typeId) ?? []), nameNormalized]);
  for (const [typeId, names] of byType) {
    for (let i = 0; i < names.length; i += LOOKUP_CHUNK) {
      const rows = await trx
        .selectFrom('records')
        .selectAll()
        .where('type_id', '=', typeId)
        .where('name_normalized', 'in', names.slice(i, i + LOOKUP_CHUNK))
        .execute();
      for (const row of rows) found.set(recordKey(row.type_id, row.name_normalized), row);
    }
  }
  return found;
}

const recordKey = (typeId: string, nameNormalized: string) => `${typeId}\u0000${nameNormalized}`;

function sameProperties(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

/** Reads the file and decides, row by row, what the import would do and what is wrong. Writes nothing. */
async function analyzeImport(
  trx: Kysely<Database>,
  ctx: ActorContext,
  input: ImportRecordsInput,
): Promise<AnalyzedRow[]> {
  // Refused in the preview as well as the import.
  assertAllowed(importModeDecision(ctx.actor, input.mode));
  const file = await parseFile(input.csv);
  const types = await trx.selectFrom('record_types').selectAll().execute();
  const typesByName = new Map<string, RecordTypeTable>(types.map((type) => [type.name_normalized, type]));

  const rows: AnalyzedRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { line, cells } of file.rows) {
    const cell = (index: number | null) => (index === null ? '' : undoFormulaGuard(cells[index] ?? '').trim());
    const typeText = cell(file.typeColumn);
    const name = cell(file.nameColumn);
    const owner = cell(file.ownerColumn);
    const properties = new Map<string, string>();
    for (const { index, key } of file.propertyColumns) {
      const value = cell(index);
      if (value !== '') properties.set(key, value);
    }
    const errors: string[] = [];
    const type = typesByName.get(typeText.toLowerCase());
    if (typeText === '') errors.push('Type is missing.');
    else if (!type) errors.push(`Unknown record type "${typeText}".`);
    if (name === '') errors.push('Name is missing.');
    else if (name.length > RECORD_NAME_MAX) errors.push(`Name is longer than ${RECORD_NAME_MAX} characters.`);
    if (owner.length > RECORD_OWNER_MAX) errors.push(`Owner is longer than ${RECORD_OWNER_MAX} characters.`);
    for (const [key, value] of properties) {
      if (value.length > PROPERTY_VALUE_MAX) errors.push(`${key} is longer than ${PROPERTY_VALUE_MAX} characters.`);
    }
    if (cells.length > file.width) errors.push('This row has more cells than the header row has columns.');
    if (type && name !== '') {
      const key = recordKey(type.id, normalizeName(name));
      const first = firstLineOf.get(key);
      if (first !== undefined) errors.push(`Duplicate: line ${first} has the same type and name.`);
      else firstLineOf.set(key, line);
    }
    rows.push({
      line,
      type: type?.name ?? typeText,
      name,
      owner,
      properties: Object.fromEntries(properties),
      action: 'create',
      errors,
      typeId: type?.id ?? null,
      existing: null,
      next: { name, owner, properties },
    });
  }

  const existing = await findExisting(
    trx,
    rows.flatMap((row) =>
      row.typeId && row.name !== '' ? [{ typeId: row.typeId, nameNormalized: normalizeName(row.name) }] : [],
    ),
  );
  for (const row of rows) {
    const current = row.typeId ? existing.get(recordKey(row.typeId, normalizeName(row.name))) : undefined;
    if (!current) {
      if (row.next!.properties.size > PROPERTIES_MAX)
        row.errors.push(`A record can have at most ${PROPERTIES_MAX} properties.`);
      continue;
    }
    row.existing = current;
    if (input.mode === 'add') {
      row.errors.push(
        `A ${row.type} named "${current.name}" already exists (the "add" mode only creates new records).`,
      );
      continue;
    }
    // Upsert and replace: a cell left empty leaves that value as it is.
    const properties = parseProperties(current.properties);
    for (const [key, value] of row.next!.properties) properties.set(key, value);
    if (properties.size > PROPERTIES_MAX) row.errors.push(`A record can have at most ${PROPERTIES_MAX} properties.`);
    row.next = { name: row.name, owner: row.owner === '' ? current.owner : row.owner, properties };
    const same =
      row.next.name === current.name &&
      row.next.owner === current.owner &&
      sameProperties(properties, parseProperties(current.properties));
    row.action = same ? 'unchanged' : 'update';
  }

  if (input.mode === 'replace') {
    // The records of the types the file names that the file does not list go.
    const listedIds = new Set(rows.flatMap((row) => (row.existing ? [row.existing.id] : [])));
    const typeIds = [...new Set(rows.flatMap((row) => (row.typeId ? [row.typeId] : [])))];
    const typeNames = new Map(types.map((type) => [type.id, type.name]));
    if (typeIds.length > 0) {
      const candidates = await trx
        .selectFrom('records')
        .selectAll()
        .where('type_id', 'in', typeIds)
        .orderBy('name_normalized')
        .execute();
      for (const record of candidates) {
        if (listedIds.has(record.id)) continue;
        rows.push({
          line: null,
          type: typeNames.get(record.type_id) ?? record.type_id,
          name: record.name,
          owner: record.owner,
          properties: Object.fromEntries(parseProperties(record.properties)),
          action: 'delete',
          errors: [],
          typeId: record.type_id,
          existing: record,
          next: null,
        });
      }
    }
  }
  return rows;
}

function summarize(rows: readonly AnalyzedRow[]): ImportPreview['summary'] {
  const summary = { create: 0, update: 0, delete: 0, unchanged: 0, errors: 0 };
  for (const row of rows) {
    if (row.errors.length > 0) summary.errors += 1;
    else summary[row.action satisfies ImportAction] += 1;
  }
  return summary;
}

/** Strips what only the write needs, so the preview shows exactly the API's row shape. */
function presentRow(row: AnalyzedRow): ImportPreviewRow {
  const { line, type, name, owner, properties, action, errors } = row;
  return { line, type, name, owner, properties, action, errors };
}

/** The preview: what the import would do, row by row, and every error. Writes nothing. */
export async function previewImport(db: Db, ctx: ActorContext, input: ImportRecordsInput): Promise<ImportPreview> {
  const rows = await analyzeImport(db, ctx, input);
  return { rows: rows.map(presentRow), summary: summarize(rows) };
}

/** Imports the file: all rows in one transaction, or (any error) none, with a 422 listing the errors by line. */
export async function importRecords(db: Db, ctx: ActorContext, input: ImportRecordsInput): Promise<ImportResult> {
  return db.transaction().execute(async (trx) => {
    const rows = await analyzeImport(trx, ctx, input);
    const failed = rows.filter((row) => row.errors.length > 0);
    if (failed.length > 0) {
      throw importHasErrors(failed);
    }

    const now = nowIso();
    const creates = rows.filter((row) => row.action === 'create');
    const updates = rows.filter((row) => row.action === 'update');
    const deletes = rows.filter((row) => row.action === 'delete');
    try {
      for (let i = 0; i < creates.length; i += WRITE_CHUNK) {
        await trx
          .insertInto('records')
          .values(
            creates.slice(i, i + WRITE_CHUNK).map((row) => ({
              id: randomUUID(),
              type_id: row.typeId!,
              name: row.next!.name,
              name_normalized: normalizeName(row.next!.name),
              owner: row.next!.owner,
              properties: serializeProperties(row.next!.properties),
              created_by_user_id: ctx.actor.user.id,
              created_at: now,
              updated_at: now,
            })),
          )
          .execute();
      }
      for (const row of updates) {
        await trx
          .updateTable('records')
          .set({
            name: row.next!.name,
            owner: row.next!.owner,
            properties: serializeProperties(row.next!.properties),
            updated_at: now,
          })
          .where('id', '=', row.existing!.id)
          .execute();
      }
    } catch (error) {
      // Someone else created one of these records since the check above: nothing is written.
      if (isUniqueViolation(error)) throw new AppError('record_name_taken');
      throw error;
    }
    const deleteIds = deletes.map((row) => row.existing!.id);
    for (let i = 0; i < deleteIds.length; i += LOOKUP_CHUNK) {
      await trx
        .deleteFrom('records')
        .where('id', 'in', deleteIds.slice(i, i + LOOKUP_CHUNK))
        .execute();
    }
    const result = { created: creates.length, updated: updates.length, deleted: deletes.length };
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'records.imported',
      details: { mode: input.mode, ...result },
      ip: ctx.ip,
    });
    return result;
  });
}
