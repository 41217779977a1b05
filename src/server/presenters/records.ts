/** Records and record types as the API shows them (what the viewer may do: policies/records.ts). */
import type { Actor } from '../auth/actor.js';
import { recordDecisions } from '../policies/records.js';
import { parseProperties } from '../db/record-properties.js';
import type { RecordTypeWithCount, RecordWithType } from '../services/records.js';
import type { DataRecord, RecordType } from '../../shared/schemas/records.js';

/** A record as the API shows it: every field listed, properties parsed from their JSON. */
export function presentRecord(row: RecordWithType, viewer: Actor): DataRecord {
  return {
    id: row.id,
    type: { id: row.type_id, name: row.type_name },
    name: row.name,
    owner: row.owner,
    properties: Object.fromEntries(parseProperties(row.properties)),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    can: recordDecisions(viewer),
  };
}

export function presentRecordType(row: RecordTypeWithCount): RecordType {
  return { id: row.id, name: row.name, builtIn: row.is_builtin === 1, recordCount: row.record_count };
}
