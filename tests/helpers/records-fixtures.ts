/**
 * Records and record types for tests, inserted straight into their tables exactly as the service
 * writes them (fast, and independent of the permissions of whoever the test is about).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { nowIso } from '../../src/server/clock.js';
import { findRecordById, type RecordWithType } from '../../src/server/services/records.js';
import type { TestApp } from './test-app.js';

/** A unique record name for a test ("PC-1a2b3c4d"). */
export function uniqueRecordName(prefix = 'PC'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Creates a record directly in the database (type by ID: computer, user, application or an added one). */
export async function quickRecord(
  t: TestApp,
  overrides: { typeId?: string; name?: string; owner?: string; properties?: Record<string, string> } = {},
): Promise<RecordWithType> {
  const id = randomUUID();
  const name = overrides.name ?? uniqueRecordName();
  const now = nowIso();
  await t.db
    .insertInto('records')
    .values({
      id,
      type_id: overrides.typeId ?? 'computer',
      name,
      name_normalized: name.toLowerCase(),
      owner: overrides.owner ?? '',
      properties: JSON.stringify(overrides.properties ?? {}),
      created_by_user_id: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return (await findRecordById(t.db, id))!;
}

/** Adds a record type directly in the database and returns its ID. */
export async function quickRecordType(t: TestApp, name = `Type ${randomBytes(3).toString('hex')}`): Promise<string> {
  const id = randomUUID();
  await t.db
    .insertInto('record_types')
    .values({ id, name, name_normalized: name.toLowerCase(), is_builtin: 0, created_at: nowIso() })
    .execute();
  return id;
}
