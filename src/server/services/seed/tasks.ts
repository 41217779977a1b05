/**
 * Tasks over the last year, in every status, most on a seeded record and assigned to a seeded
 * account.
 */
import type { SeedPeople } from './accounts.js';
import { ascendingUuids, DAY_MS, iso, YEAR_MS } from './formats.js';
import { pick, unit, weighted } from './variety.js';
import { TASK_OBJECTS, TASK_VERBS } from './vocabulary.js';
import type { Writer } from './writer.js';

const TASK_STATUS_WEIGHTS = [
  ['not_started', 30],
  ['in_progress', 20],
  ['complete', 35],
  ['cancelled', 8],
  ['failed', 7],
] as const;

export async function seedTasks(
  writer: Writer,
  accounts: SeedPeople,
  recordIds: string[],
  count: number,
  now: number,
): Promise<void> {
  const tasks = await writer.table('tasks', [
    ['id', 'text'],
    ['title', 'text'],
    ['title_normalized', 'text'],
    ['record_id', 'text'],
    ['status', 'text'],
    ['assignee_user_id', 'text'],
    ['due_date', 'text'],
    ['created_by_user_id', 'text'],
    ['created_at', 'text'],
    ['updated_at', 'text'],
    ['started_at', 'text'],
    ['finished_at', 'text'],
    // What the assignee sorts by, as the triggers set it: "first last email", lower-cased.
    ['assignee_sort', 'text'],
  ]);
  const ids = ascendingUuids(count);
  for (let t = 0; t < count; t++) {
    const title = `${pick(TASK_VERBS, t, 201)} ${pick(TASK_OBJECTS, t, 202)} #${t}`;
    const status = weighted(TASK_STATUS_WEIGHTS, t, 203);
    const created = now - Math.floor(unit(t, 204) * YEAR_MS);
    const started =
      status === 'not_started' || (status === 'cancelled' && unit(t, 205) < 0.5)
        ? null
        : created + Math.floor(unit(t, 206) * (now - created) * 0.5);
    const finished =
      status === 'complete' || status === 'failed' || status === 'cancelled'
        ? (started ?? created) + Math.floor(unit(t, 207) * (now - (started ?? created)))
        : null;
    const updated = finished ?? started ?? created;
    const due = unit(t, 208) < 0.4 ? null : iso(created + Math.floor(unit(t, 209) * 120 * DAY_MS)).slice(0, 10);
    const assignee = unit(t, 210) < 0.15 ? null : Math.floor(unit(t, 211) * accounts.count);
    const record =
      recordIds.length === 0 || unit(t, 212) < 0.2 ? null : recordIds[Math.floor(unit(t, 213) * recordIds.length)]!;
    await tasks.add([
      ids[t]!,
      title,
      title.toLowerCase(),
      record,
      status,
      assignee === null ? null : accounts.ids[assignee]!,
      due,
      accounts.ids[Math.floor(unit(t, 214) * accounts.count)]!,
      iso(created),
      iso(updated),
      started === null ? null : iso(started),
      finished === null ? null : iso(finished),
      assignee === null
        ? ''
        : `${accounts.first(assignee).toLowerCase()} ${accounts.last(assignee).toLowerCase()} ${accounts.email(assignee)}`,
    ]);
  }
  await tasks.finish();
}
