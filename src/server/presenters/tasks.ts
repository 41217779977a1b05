/** Tasks, their notes and attachments as the API shows them (what the viewer may do: policies/tasks.ts). */
import type { Actor } from '../auth/actor.js';
import { taskDecisions } from '../policies/tasks.js';
import type { TaskAttachmentRow, TaskDetail, TaskNoteRow, TaskRow } from '../services/tasks.js';
import type { Task, TaskAttachment, TaskNote, TaskSummary } from '../../shared/schemas/tasks.js';

export function presentTaskSummary(row: TaskRow): TaskSummary {
  const assigneeName = [row.assignee_first_name, row.assignee_last_name].filter(Boolean).join(' ');
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    record:
      row.record_id && row.record_name !== null
        ? { id: row.record_id, name: row.record_name, type: row.record_type_name ?? '' }
        : null,
    assignee:
      row.assignee_user_id && row.assignee_email !== null
        ? { id: row.assignee_user_id, email: row.assignee_email, name: assigneeName }
        : null,
    dueDate: row.due_date,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function presentNote(note: TaskNoteRow): TaskNote {
  return {
    id: note.id,
    author: { id: note.author_user_id, email: note.author_email },
    body: note.body,
    createdAt: note.created_at,
  };
}

export function presentAttachment(attachment: TaskAttachmentRow): TaskAttachment {
  return {
    id: attachment.id,
    fileName: attachment.file_name,
    contentType: attachment.content_type,
    sizeBytes: attachment.size_bytes,
    uploadedBy: { id: attachment.uploaded_by_user_id, email: attachment.uploaded_by_email },
    uploadedAt: attachment.uploaded_at,
  };
}

export function presentTask(task: TaskDetail, actor: Actor): Task {
  return {
    ...presentTaskSummary(task),
    notes: task.notes.map(presentNote),
    attachments: task.attachments.map(presentAttachment),
    can: taskDecisions(actor, task.status),
  };
}
