import type { Db } from '../db/connection.js';
import { TASK_STATUS_LABELS, TASK_STATUSES } from '../../shared/task-status.js';
import { nowIso } from '../clock.js';
import type { RecordsByTypeRow, ReportSummary, TasksByStatusRow } from '../../shared/schemas/reports.js';

/** Record counts for every record type (types without records count 0), by type name. */
export async function recordsByType(db: Db): Promise<RecordsByTypeRow[]> {
  const rows = await db
    .selectFrom('record_types')
    .leftJoin('records', 'records.type_id', 'record_types.id')
    .select(['record_types.id', 'record_types.name', (eb) => eb.fn.count<number | string>('records.id').as('n')])
    .groupBy(['record_types.id', 'record_types.name'])
    .orderBy('record_types.name')
    .execute();
  return rows.map((row) => ({ typeId: row.id, typeName: row.name, count: Number(row.n) }));
}

/** Task counts for every status, in the order a task moves through them (zeros included). */
export async function tasksByStatus(db: Db): Promise<TasksByStatusRow[]> {
  const rows = await db
    .selectFrom('tasks')
    .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('status')
    .execute();
  const counts = new Map(rows.map((row) => [row.status, Number(row.n)]));
  return TASK_STATUSES.map((status) => ({ status, label: TASK_STATUS_LABELS[status], count: counts.get(status) ?? 0 }));
}

export async function reportSummary(db: Db): Promise<ReportSummary> {
  const [records, tasks] = await Promise.all([recordsByType(db), tasksByStatus(db)]);
  return { generatedAt: nowIso(), recordsByType: records, tasksByStatus: tasks };
}
