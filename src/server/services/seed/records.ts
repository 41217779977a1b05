/**
 * Records (computers, applications and people) owned by seeded accounts, in (type, name) order.
 */
import type { SeedPeople } from './accounts.js';
import { ascendingUuids, iso, YEAR_MS } from './formats.js';
import { hash32, pick, unit, weighted } from './variety.js';
import {
  APP_KINDS,
  APP_WORDS,
  COMPUTER_PREFIXES,
  FUNCTIONAL_GROUPS,
  LOCATIONS,
  OPERATING_SYSTEMS,
} from './vocabulary.js';
import type { Writer } from './writer.js';

const RECORD_TYPES = [
  ['computer', 50],
  ['application', 20],
  ['user', 30],
] as const;

export async function seedRecords(
  writer: Writer,
  accounts: SeedPeople,
  count: number,
  tag: string,
  now: number,
  typeSort: ReadonlyMap<string, string>,
): Promise<string[]> {
  const records = await writer.table('records', [
    ['id', 'text'],
    ['type_id', 'text'],
    ['name', 'text'],
    ['name_normalized', 'text'],
    ['owner', 'text'],
    ['properties', 'text'],
    ['created_by_user_id', 'text'],
    ['created_at', 'text'],
    ['updated_at', 'text'],
    // What the type sorts by: the type's name_normalized, as the triggers set it.
    ['type_sort', 'text'],
  ]);
  const typeOf = (r: number) => weighted(RECORD_TYPES, r, 101);
  const ownerOf = (r: number) => Math.floor(unit(r, 102) * accounts.count);
  /** Unique within its type: it carries r (and the run's tag, after the first run). */
  const recordName = (r: number) => {
    const type = typeOf(r);
    const name =
      type === 'computer'
        ? `${pick(COMPUTER_PREFIXES, r, 104)}-${String(r).padStart(7, '0')}`
        : type === 'application'
          ? `${pick(APP_WORDS, r, 104)} ${pick(APP_KINDS, r, 105)} ${r}`
          : `${accounts.first(ownerOf(r))} ${accounts.last(ownerOf(r))} (${r})`;
    return tag ? `${name} ${tag}` : name;
  };
  // Written in (type, name) order with ascending IDs, as the accounts are.

  const keys = Array.from({ length: count }, (_, r) => `${typeOf(r)}\u0000${recordName(r).toLowerCase()}`);
  const order = Array.from({ length: count }, (_, r) => r).sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
  const sortedIds = ascendingUuids(count);
  const ids = new Array<string>(count);
  order.forEach((r, position) => (ids[r] = sortedIds[position]!));
  for (const r of order) {
    const id = ids[r]!;
    const type = typeOf(r);
    const owner = ownerOf(r);
    const creator = Math.floor(unit(r, 103) * accounts.count);
    const name = recordName(r);
    let properties: Record<string, string>;
    if (type === 'computer') {
      properties = {
        OS: pick(OPERATING_SYSTEMS, r, 105),
        Location: pick(LOCATIONS, r, 106),
        Serial: `SN${hash32(r, 107).toString(36).toUpperCase()}`,
      };
    } else if (type === 'application') {
      properties = {
        Vendor: pick(['In-house', 'Contoso', 'Globex', 'Initech'], r, 106),
        Criticality: pick(['Low', 'Medium', 'High'], r, 107),
      };
    } else {
      properties = { Department: pick(FUNCTIONAL_GROUPS.slice(1), r, 106) };
    }
    const created = now - Math.floor(unit(r, 108) * 2 * YEAR_MS);
    const updated = created + Math.floor(unit(r, 109) * (now - created));
    await records.add([
      id,
      type,
      name,
      name.toLowerCase(),
      unit(r, 110) < 0.1 ? '' : `${accounts.first(owner)} ${accounts.last(owner)}`,
      JSON.stringify(properties),
      accounts.ids[creator]!,
      iso(created),
      iso(updated),
      typeSort.get(type)!,
    ]);
  }
  await records.finish();
  return ids;
}
