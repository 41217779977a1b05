import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Db } from '../db/connection.js';
import { parseProperties, serializeProperties } from '../db/record-properties.js';
import { countUpTo, keysetPage, tableRowCount, type KeysetPage, type KeysetSort } from '../db/paging.js';
import { inSnapshot, keysetBatches } from '../db/snapshot-stream.js';
import type { Database, RecordTable, RecordTypeTable } from '../db/schema.js';
import { isPostgres, isUniqueViolation, unindexed } from '../db/portable.js';
import { nowIso } from '../clock.js';
import { AppError, fieldError } from '../app-error.js';
import { assertAllowed } from '../policies/decision.js';
import { removeRecordDataDecision } from '../policies/records.js';
import {
  PROPERTIES_MAX,
  type CreateRecordTypeInput,
  type ListRecordsQuery,
  type NewRecord,
  type RecordChanges,
  type RecordFilters,
  type RecordSortColumn,
} from '../../shared/schemas/records.js';
import type { Total } from '../../shared/schemas/paging.js';
import { diffFields, recordAudit } from './audit.js';
import type { ActorContext } from '../request-context.js';

/** A record row with its type's name, as the list, the view and the export read it. */
export type RecordWithType = RecordTable & { type_name: string };

export type RecordTypeWithCount = RecordTypeTable & { record_count: number };

/** Record names and type names compare in any letter case: "PC-0001" and "pc-0001" are one record. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Record types

export async function listRecordTypes(db: Kysely<Database>): Promise<RecordTypeWithCount[]> {
  const rows = await db
    .selectFrom('record_types as t')
    .leftJoin('records as r', 'r.type_id', 't.id')
    .selectAll('t')
    .select((eb) => eb.fn.count<number | string>('r.id').as('record_count'))
    .groupBy(['t.id', 't.name', 't.name_normalized', 't.is_builtin', 't.created_at'])
    .orderBy('t.name_normalized')
    .execute();
  return rows.map((row) => ({ ...row, record_count: Number(row.record_count) }));
}

export async function createRecordType(
  db: Db,
  ctx: ActorContext,
  input: CreateRecordTypeInput,
): Promise<RecordTypeWithCount> {
  const taken = () =>
    new AppError('record_type_taken', undefined, { name: 'A record type with this name already exists.' });
  return db.transaction().execute(async (trx) => {
    const nameNormalized = normalizeName(input.name);
    const existing = await trx
      .selectFrom('record_types')
      .select('id')
      .where('name_normalized', '=', nameNormalized)
      .executeTakeFirst();
    if (existing) throw taken();
    const type: RecordTypeTable = {
      id: randomUUID(),
      name: input.name,
      name_normalized: nameNormalized,
      is_builtin: 0,
      created_at: nowIso(),
    };
    await trx
      .insertInto('record_types')
      .values(type)
      .execute()
      .catch((error: unknown) => {
        // Two requests for the same new name at once: the unique index decides, the loser gets 409.
        throw isUniqueViolation(error) ? taken() : error;
      });
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'record_type.created',
      details: { recordTypeId: type.id, name: type.name },
      ip: ctx.ip,
    });
    return { ...type, record_count: 0 };
  });
}

/** The type a request names, by name (any letter case) or ID; a 400 on the `type` field if none matches. */
async function resolveType(
  trx: Kysely<Database>,
  input: { type?: string | undefined; typeId?: string | undefined },
): Promise<RecordTypeTable> {
  let query = trx.selectFrom('record_types').selectAll();
  query =
    input.typeId !== undefined
      ? query.where('id', '=', input.typeId)
      : query.where('name_normalized', '=', normalizeName(input.type ?? ''));
  const type = await query.executeTakeFirst();
  if (!type) {
    const field = input.typeId !== undefined ? 'typeId' : 'type';
    throw fieldError(field, 'There is no record type with this name. An Administrator can add it.');
  }
  return type;
}

// ---------------------------------------------------------------------------------------------
// Reading records

/** A record as the list reads it: with its type's name and the value its sort orders by. */
export type RecordListRow = RecordWithType & { sort_key: string };

/**
 * What each column sorts by, written exactly as its index (migration 0012) so that the index
 * serves a page: text by code point on both databases ("C" on PostgreSQL); Type by the copy of the
 * type's name each record keeps; Owner, free text typed in any letter case, by its lower() (a
 * generated column).
 */
function recordSortKey(sort: RecordSortColumn, postgres: boolean): RawBuilder<string> {
  const text = (column: string) =>
    postgres ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`;
  switch (sort) {
    case 'name':
      return text('r.name_normalized');
    case 'type':
      return text('r.type_sort');
    case 'owner':
      return text('r.owner_sort');
    case 'createdAt':
      return text('r.created_at');
    case 'updatedAt':
      return text('r.updated_at');
  }
}

function recordSort(sort: RecordSortColumn, order: 'asc' | 'desc', postgres: boolean): KeysetSort<RecordListRow> {
  return {
    name: `${sort}:${order}`,
    key: recordSortKey(sort, postgres),
    keyKind: 'text',
    keyOf: (row) => row.sort_key,
    id: sql.ref('r.id'),
    idKind: 'text',
    idOf: (row) => row.id,
    order,
  };
}

/**
 * Case-insensitive prefix match on the normalized name, as a range of the name index (by code
 * point, so exactly the names that start with the prefix).
 */
function namePrefixMatch(search: string, name: RawBuilder<string>) {
  const prefix = normalizeName(search);
  const upper = prefix.slice(0, -1) + String.fromCodePoint(prefix.codePointAt(prefix.length - 1)! + 1);
  return sql<boolean>`(${name} >= ${prefix} and ${name} < ${upper})`;
}

/**
 * The records a list's search and type filter select (no join: the type is only read for the
 * page). `selective` says whether few enough match that fetching them by their filter's index and
 * sorting them is the quickest way to a page; when many match, the filters are written so that no
 * index serves them, and the sort's index is read in order instead (see `unindexed`).
 */
function matchingRecords(db: Kysely<Database>, filters: RecordFilters, selective = true) {
  const postgres = isPostgres(db as Kysely<unknown>);
  let query = db.selectFrom('records as r');
  if (filters.search) {
    // Sorted by name, the search is a range of the sort's own index either way.
    const name =
      selective || filters.sort === 'name'
        ? recordSortKey('name', postgres)
        : postgres
          ? sql<string>`${unindexed(db as Kysely<unknown>, 'r.name_normalized')} collate "C"`
          : unindexed(db as Kysely<unknown>, 'r.name_normalized');
    query = query.where(namePrefixMatch(filters.search, name));
  }
  if (filters.typeId) {
    // Sorted by name, a range of (type, name, id) at any count: a type's names may all sort late
    // (walking the name index to them read ~300,000 records for the last page).
    const type =
      selective || filters.sort === 'name' ? sql.ref('r.type_id') : unindexed(db as Kysely<unknown>, 'r.type_id');
    query = query.where(sql<boolean>`${type} = ${filters.typeId}`);
  }
  return query;
}

function listedRecords(db: Kysely<Database>, filters: RecordFilters, selective = true) {
  const sortKey = recordSortKey(filters.sort, isPostgres(db as Kysely<unknown>));
  return matchingRecords(db, filters, selective)
    .innerJoin('record_types as t', 't.id', 'r.type_id')
    .selectAll('r')
    .select('t.name as type_name')
    .select(sortKey.as('sort_key'));
}

/** One page of the Records list (name prefix search, type filter, sort) and how many records match. */
export async function listRecords(
  db: Kysely<Database>,
  query: ListRecordsQuery,
): Promise<KeysetPage<RecordListRow> & { total: Total }> {
  const sort = recordSort(query.sort, query.order, isPostgres(db as Kysely<unknown>));
  const filtered = Boolean(query.search || query.typeId);
  // Filtered, the count (it stops at 10,001) says first whether the filters are selective.
  const total = filtered ? await countUpTo(db, matchingRecords(db, query)) : await tableRowCount(db, 'records');
  const page = await keysetPage(listedRecords(db, query, !filtered || total.exact), sort, query);
  return { ...page, total };
}

/** The records export: its rows batch by batch, and the property names its header lists. */
export interface RecordExport {
  batches: AsyncGenerator<RecordListRow[]>;
  /** Every property name the exported records use, sorted; known once the first batch has come. */
  propertyKeys: () => string[];
}

/**
 * Every record a filter selects, in the list's order, as they all were at one instant (one
 * snapshot: rows added, removed or changed meanwhile neither repeat nor go missing). The property
 * names come from that same snapshot, read before the rows, so the header names every column a
 * row fills.
 */
export function exportRecords(db: Db, filters: RecordFilters): RecordExport {
  const keys = new Set<string>();
  let sorted: string[] | null = null;
  const sort = recordSort(filters.sort, filters.order, isPostgres(db as Kysely<unknown>));
  const batches = inSnapshot(db, async function* (reader) {
    const selective =
      !(filters.search || filters.typeId) || (await countUpTo(reader, matchingRecords(reader, filters))).exact;
    const rows = () => listedRecords(reader, filters, selective);
    for await (const batch of keysetBatches(rows(), sort))
      for (const row of batch) for (const key of parseProperties(row.properties).keys()) keys.add(key);
    sorted = [...keys].sort((a, b) => a.localeCompare(b, 'en'));
    yield* keysetBatches(rows(), sort);
  });
  return {
    batches,
    propertyKeys: () => {
      if (!sorted) throw new Error('The property names are known once the first batch has come.');
      return sorted;
    },
  };
}

export async function findRecordById(db: Kysely<Database>, id: string): Promise<RecordWithType | undefined> {
  return db
    .selectFrom('records as r')
    .innerJoin('record_types as t', 't.id', 'r.type_id')
    .selectAll('r')
    .select('t.name as type_name')
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export async function getRecord(db: Kysely<Database>, id: string): Promise<RecordWithType> {
  const record = await findRecordById(db, id);
  if (!record) throw new AppError('not_found', 'No record with this ID.');
  return record;
}

// ---------------------------------------------------------------------------------------------
// Writing records

const nameTaken = () =>
  new AppError('record_name_taken', undefined, { name: 'A record of this type with this name already exists.' });

async function assertNameFree(trx: Kysely<Database>, typeId: string, name: string, exceptId?: string): Promise<void> {
  let query = trx
    .selectFrom('records')
    .select('id')
    .where('type_id', '=', typeId)
    .where('name_normalized', '=', normalizeName(name));
  if (exceptId) query = query.where('id', '!=', exceptId);
  if (await query.executeTakeFirst()) throw nameTaken();
}

/** Turns a unique-index violation (two writers racing for one name) into the same 409 as a plain duplicate. */
function asNameTaken(error: unknown): never {
  throw isUniqueViolation(error) ? nameTaken() : error;
}

export async function createRecord(db: Db, ctx: ActorContext, input: NewRecord): Promise<RecordWithType> {
  return db.transaction().execute(async (trx) => {
    const type = await resolveType(trx, input);
    await assertNameFree(trx, type.id, input.name);
    const now = nowIso();
    const id = randomUUID();
    await trx
      .insertInto('records')
      .values({
        id,
        type_id: type.id,
        name: input.name,
        name_normalized: normalizeName(input.name),
        owner: input.owner,
        properties: serializeProperties(new Map(Object.entries(input.properties).filter(([, value]) => value !== ''))),
        created_by_user_id: ctx.actor.user.id,
        created_at: now,
        updated_at: now,
      })
      .execute()
      .catch(asNameTaken);
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'record.created',
      details: { recordId: id, type: type.name, name: input.name },
      ip: ctx.ip,
    });
    return (await findRecordById(trx, id))!;
  });
}

/**
 * Saves a change to a record. Properties merge (see UpdateRecordSchema). Removing data (a property,
 * or the owner) needs records:delete as well as records:update: a group without Delete, such as
 * Regular User (No Delete), must not be able to empty a record bit by bit.
 */
export async function updateRecord(
  db: Db,
  ctx: ActorContext,
  id: string,
  changes: RecordChanges,
): Promise<RecordWithType> {
  return db.transaction().execute(async (trx) => {
    const record = await getRecord(trx, id);
    const properties = parseProperties(record.properties);
    let removesData = false;
    for (const [key, value] of Object.entries(changes.properties ?? {})) {
      if (value === null || value === '') {
        if (properties.delete(key)) removesData = true;
      } else {
        properties.set(key, value);
      }
    }
    if (properties.size > PROPERTIES_MAX)
      throw fieldError('properties', `A record can have at most ${PROPERTIES_MAX} properties.`);
    if (changes.owner === '' && record.owner !== '') removesData = true;
    if (removesData) assertAllowed(removeRecordDataDecision(ctx.actor));

    const typeId =
      changes.type !== undefined || changes.typeId !== undefined
        ? (await resolveType(trx, changes)).id
        : record.type_id;
    const name = changes.name ?? record.name;
    if (typeId !== record.type_id || normalizeName(name) !== record.name_normalized)
      await assertNameFree(trx, typeId, name, record.id);

    const next = {
      type_id: typeId,
      name,
      name_normalized: normalizeName(name),
      owner: changes.owner ?? record.owner,
      properties: serializeProperties(properties),
    };
    const unchanged = (Object.keys(next) as (keyof typeof next)[]).every((column) => next[column] === record[column]);
    if (unchanged) return record;
    await trx
      .updateTable('records')
      .set({ ...next, updated_at: nowIso() })
      .where('id', '=', record.id)
      .execute()
      .catch(asNameTaken);
    const updated = (await findRecordById(trx, record.id))!;
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'record.updated',
      // Property values are the platform's data, not security settings: their names only.
      details: {
        recordId: record.id,
        name: updated.name,
        changes: diffFields(
          { type: record.type_name, name: record.name, owner: record.owner },
          { type: updated.type_name, name: updated.name, owner: updated.owner },
        ),
        changedProperties: changedPropertyNames(parseProperties(record.properties), properties),
      },
      ip: ctx.ip,
    });
    return updated;
  });
}

/** The names of the properties added, changed or removed between two versions of a record. */
function changedPropertyNames(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}

/** Deletes one record. Tasks linked to it stay and lose the link (the foreign key sets it to NULL). */
export async function deleteRecord(db: Db, ctx: ActorContext, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const record = await getRecord(trx, id);
    await trx.deleteFrom('records').where('id', '=', record.id).execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'record.deleted',
      details: { recordId: record.id, type: record.type_name, name: record.name },
      ip: ctx.ip,
    });
  });
}

/** How many names a bulk delete's audit entry lists (the count says how many there were). */
const AUDITED_NAMES_MAX = 20;

/** Deletes all the given records or, when any of them is gone already, none (404 naming the missing IDs). */
export async function bulkDeleteRecords(db: Db, ctx: ActorContext, ids: readonly string[]): Promise<number> {
  const unique = [...new Set(ids)];
  return db.transaction().execute(async (trx) => {
    const records = await trx
      .selectFrom('records as r')
      .innerJoin('record_types as t', 't.id', 'r.type_id')
      .select(['r.id', 'r.name', 't.name as type_name'])
      .where('r.id', 'in', unique)
      .orderBy('r.name_normalized')
      .execute();
    if (records.length !== unique.length) {
      const found = new Set(records.map((record) => record.id));
      const missing = unique.filter((id) => !found.has(id));
      const message = `${missing.length === 1 ? 'This record does' : 'These records do'} not exist (any more), so nothing was deleted: ${missing.join(', ')}.`;
      throw new AppError('not_found', message, { ids: missing.join(', ') });
    }
    await trx.deleteFrom('records').where('id', 'in', unique).execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'records.bulk_deleted',
      details: {
        count: records.length,
        names: records.slice(0, AUDITED_NAMES_MAX).map((record) => record.name),
      },
      ip: ctx.ip,
    });
    return records.length;
  });
}
