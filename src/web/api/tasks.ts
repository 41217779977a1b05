import type {
  Assignee,
  CreateTaskInput,
  Task,
  TaskAttachment,
  TaskList,
  TaskNote,
  TaskSortColumn,
  UpdateTaskInput,
} from '../../shared/schemas/tasks.js';
import type { TaskStatus } from '../../shared/task-status.js';
import type { ErrorBody } from '../../shared/errors.js';
import type { CursorParams } from '../components/use-paged-list.js';
import { ApiError, CSRF_HEADER, request, requestFile } from './client.js';
import type { ExportFormat } from '../../shared/exports.js';

export interface TaskListParams extends CursorParams {
  search: string;
  status: TaskStatus[];
  mine: boolean;
  sort: TaskSortColumn;
  order: 'asc' | 'desc';
}

function listQuery(params: Omit<TaskListParams, 'cursor' | 'pageSize'>) {
  return {
    search: params.search.trim(),
    status: params.status.join(','),
    assigneeId: params.mine ? 'me' : undefined,
    sort: params.sort,
    order: params.order,
  };
}

export function listTasks(params: TaskListParams, signal?: AbortSignal): Promise<TaskList> {
  return request<TaskList>('/api/v1/tasks', {
    query: { ...listQuery(params), cursor: params.cursor, pageSize: params.pageSize },
    signal,
  });
}

/** The export (CSV or Excel) with the list's filters and sort (every page, not only the one shown). */
export function exportTasks(params: TaskListParams, format: ExportFormat): Promise<{ blob: Blob; filename: string }> {
  return requestFile(`/api/v1/tasks/export.${format}`, { query: listQuery(params) });
}

const taskPath = (id: string) => `/api/v1/tasks/${encodeURIComponent(id)}`;

export function getTask(id: string, signal?: AbortSignal): Promise<Task> {
  return request<Task>(taskPath(id), { signal });
}

export function createTask(input: CreateTaskInput): Promise<Task> {
  return request<Task>('/api/v1/tasks', { method: 'POST', body: input });
}

export function updateTask(id: string, changes: UpdateTaskInput): Promise<Task> {
  return request<Task>(taskPath(id), { method: 'PATCH', body: changes });
}

export function deleteTask(id: string): Promise<void> {
  return request<void>(taskPath(id), { method: 'DELETE' });
}

export function assignTask(id: string, assigneeId: string | null): Promise<Task> {
  return request<Task>(`${taskPath(id)}/assign`, { method: 'POST', body: { assigneeId } });
}

export type TaskTransitionAction = 'start' | 'complete' | 'cancel' | 'fail';

export function transitionTask(id: string, action: TaskTransitionAction): Promise<Task> {
  return request<Task>(`${taskPath(id)}/${action}`, { method: 'POST' });
}

export function addTaskNote(id: string, body: string): Promise<TaskNote> {
  return request<TaskNote>(`${taskPath(id)}/notes`, { method: 'POST', body: { body } });
}

export function listAssignees(search: string, signal?: AbortSignal): Promise<Assignee[]> {
  return request<{ assignees: Assignee[] }>('/api/v1/tasks/assignees', {
    query: { search: search.trim() },
    signal,
  }).then((answer) => answer.assignees);
}

/** Where an attachment downloads from (a plain link: the server sends it as a download). */
export function attachmentUrl(taskId: string, attachmentId: string): string {
  return `${taskPath(taskId)}/attachments/${encodeURIComponent(attachmentId)}`;
}

export function removeAttachment(taskId: string, attachmentId: string): Promise<void> {
  return request<void>(attachmentUrl(taskId, attachmentId), { method: 'DELETE' });
}

/** Uploads one file as multipart/form-data (the JSON client cannot send files). */
export async function uploadAttachment(taskId: string, file: File): Promise<TaskAttachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  let response: Response;
  try {
    response = await fetch(`${taskPath(taskId)}/attachments`, {
      method: 'POST',
      headers: { [CSRF_HEADER]: '1', Accept: 'application/json' },
      credentials: 'same-origin',
      body: form,
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Latchkey could not be reached. Check your connection and try again.');
  }
  if (response.ok) return (await response.json()) as TaskAttachment;
  const body = (await response.json().catch(() => null)) as Partial<ErrorBody> | null;
  throw new ApiError(
    response.status,
    body?.error?.code ?? 'http_error',
    body?.error?.message ?? `The upload failed (HTTP ${response.status}).`,
  );
}

export interface RecordOption {
  id: string;
  name: string;
  type: string;
}

/**
 * Records to link a task to, from the records API. That API is built separately, so any answer
 * that is not a list of records (an older server, say) is read as "no records to offer".
 */
export async function searchRecordOptions(search: string, signal?: AbortSignal): Promise<RecordOption[]> {
  const answer = await request<unknown>('/api/v1/records', { query: { search: search.trim(), pageSize: 20 }, signal });
  const rows = (answer as { records?: unknown } | null)?.records;
  if (!Array.isArray(rows)) return [];
  return rows.flatMap((row: unknown) => {
    const record = row as { id?: unknown; name?: unknown; type?: unknown };
    if (typeof record.id !== 'string' || typeof record.name !== 'string') return [];
    const type =
      typeof record.type === 'string'
        ? record.type
        : typeof (record.type as { name?: unknown } | null)?.name === 'string'
          ? (record.type as { name: string }).name
          : '';
    return [{ id: record.id, name: record.name, type }];
  });
}
