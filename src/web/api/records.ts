import type {
  CreateRecordInput,
  DataRecord,
  ImportMode,
  ImportPreview,
  ImportResult,
  RecordList,
  RecordSortColumn,
  RecordType,
} from '../../shared/schemas/records.js';
import type { CursorParams } from '../components/use-paged-list.js';
import { request, requestFile } from './client.js';
import type { ExportFormat } from '../../shared/exports.js';

export type { RecordList };

export interface RecordListParams extends CursorParams {
  search: string;
  typeId: string;
  sort: RecordSortColumn;
  order: 'asc' | 'desc';
}

/** A change to a record: properties merge, a null value removes that property. */
export interface RecordChange {
  typeId?: string;
  name?: string;
  owner?: string;
  properties?: Record<string, string | null>;
}

export function listRecords(params: RecordListParams, signal?: AbortSignal): Promise<RecordList> {
  return request<RecordList>('/api/v1/records', {
    query: {
      search: params.search.trim(),
      typeId: params.typeId,
      sort: params.sort,
      order: params.order,
      cursor: params.cursor,
      pageSize: params.pageSize,
    },
    signal,
  });
}

/** The export (CSV or Excel) with the same search, type filter and sort (every page, not only the one shown). */
export function exportRecords(
  params: Pick<RecordListParams, 'search' | 'typeId' | 'sort' | 'order'>,
  format: ExportFormat,
): Promise<{ blob: Blob; filename: string }> {
  return requestFile(`/api/v1/records/export.${format}`, {
    query: { search: params.search.trim(), typeId: params.typeId, sort: params.sort, order: params.order },
  });
}

export function getRecord(id: string, signal?: AbortSignal): Promise<DataRecord> {
  return request<DataRecord>(`/api/v1/records/${encodeURIComponent(id)}`, { signal });
}

export function createRecord(input: CreateRecordInput): Promise<DataRecord> {
  return request<DataRecord>('/api/v1/records', { method: 'POST', body: input });
}

export function updateRecord(id: string, change: RecordChange): Promise<DataRecord> {
  return request<DataRecord>(`/api/v1/records/${encodeURIComponent(id)}`, { method: 'PATCH', body: change });
}

export function deleteRecord(id: string): Promise<void> {
  return request<void>(`/api/v1/records/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function bulkDeleteRecords(ids: string[]): Promise<{ deleted: number }> {
  return request<{ deleted: number }>('/api/v1/records/bulk-delete', { method: 'POST', body: { ids } });
}

export async function listRecordTypes(signal?: AbortSignal): Promise<RecordType[]> {
  return (await request<{ types: RecordType[] }>('/api/v1/record-types', { signal })).types;
}

export function createRecordType(name: string): Promise<RecordType> {
  return request<RecordType>('/api/v1/record-types', { method: 'POST', body: { name } });
}

export function previewRecordImport(csv: string, mode: ImportMode): Promise<ImportPreview> {
  return request<ImportPreview>('/api/v1/records/import/preview', { method: 'POST', body: { csv, mode } });
}

export function importRecords(csv: string, mode: ImportMode): Promise<ImportResult> {
  return request<ImportResult>('/api/v1/records/import', { method: 'POST', body: { csv, mode } });
}
