import { z } from 'zod';
import { DecisionSchema } from './decision.js';
import { TASK_STATUSES } from '../task-status.js';
import { pageInfoFields, pageQueryFields } from './paging.js';

export const TASK_TITLE_MAX = 200;
export const TASK_NOTE_MAX = 5000;
/** Attachments are stored in the database: keep them small enough for that. */
export const TASK_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

const TitleSchema = z
  .string()
  .trim()
  .min(1, 'Title is required.')
  .max(TASK_TITLE_MAX, `Title must be at most ${TASK_TITLE_MAX} characters.`);

/** A calendar day, yyyy-mm-dd, that exists (2025-02-30 does not). */
export const DueDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Due date must be a date as yyyy-mm-dd.')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'Due date must be a real calendar date.');

const RecordIdSchema = z.string().min(1, 'Record is not valid.').max(64, 'Record is not valid.');

/**
 * What the CALLER may do to the task right now, decided by the server from the caller's
 * permissions and the task's status (policies/tasks.ts); a refusal carries the code and message
 * the action's request would answer with. The UI shows buttons from this only.
 */
export const TaskAbilitiesSchema = z.object({
  assign: DecisionSchema,
  start: DecisionSchema,
  complete: DecisionSchema,
  cancel: DecisionSchema,
  fail: DecisionSchema,
  update: DecisionSchema,
  delete: DecisionSchema,
});
export type TaskAbilities = z.infer<typeof TaskAbilitiesSchema>;

export const TaskRecordSchema = z.object({ id: z.string(), name: z.string(), type: z.string() });
export const TaskAssigneeSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });

/** A task as the list shows it. */
export const TaskSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(TASK_STATUSES),
  record: TaskRecordSchema.nullable(),
  assignee: TaskAssigneeSchema.nullable(),
  dueDate: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

export const TaskNoteSchema = z.object({
  id: z.number(),
  /** id is null once the author's account is deleted; the email stays. */
  author: z.object({ id: z.string().nullable(), email: z.string() }),
  body: z.string(),
  createdAt: z.string(),
});
export type TaskNote = z.infer<typeof TaskNoteSchema>;

export const TaskAttachmentSchema = z.object({
  id: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  sizeBytes: z.number(),
  uploadedBy: z.object({ id: z.string().nullable(), email: z.string() }),
  uploadedAt: z.string(),
});
export type TaskAttachment = z.infer<typeof TaskAttachmentSchema>;

/** One task with everything its page shows. */
export const TaskSchema = TaskSummarySchema.extend({
  notes: z.array(TaskNoteSchema),
  attachments: z.array(TaskAttachmentSchema),
  can: TaskAbilitiesSchema,
});
export type Task = z.infer<typeof TaskSchema>;

export const TASK_SORT_COLUMNS = ['title', 'status', 'dueDate', 'assignee', 'createdAt', 'updatedAt'] as const;
export type TaskSortColumn = (typeof TASK_SORT_COLUMNS)[number];

/** `status` may repeat (?status=not_started&status=failed) or be comma-separated. */
const StatusFilterSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').filter((s) => s !== '') : value),
  z.array(z.enum(TASK_STATUSES)).max(TASK_STATUSES.length),
);

/** The list's filters, search and sort (the export takes the same). */
const listFilterFields = {
  status: StatusFilterSchema.optional(),
  /** An account's ID, or `me` for the caller. */
  assigneeId: z.string().min(1).max(64).optional(),
  recordId: RecordIdSchema.optional(),
  /** Any part of the title, in any letter case. */
  search: z.string().trim().max(200).optional(),
  sort: z.enum(TASK_SORT_COLUMNS).default('updatedAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
};

/** Keyset paging (shared/schemas/paging.ts). */
export const ListTasksQuerySchema = z.object({ ...listFilterFields, ...pageQueryFields(25) }).strict();
export type ListTasksQuery = z.infer<typeof ListTasksQuerySchema>;
export const ExportTasksQuerySchema = z.object(listFilterFields).strict();
export type TaskFilters = z.infer<typeof ExportTasksQuerySchema>;

export const TaskListSchema = z.object({ tasks: z.array(TaskSummarySchema), ...pageInfoFields });
export type TaskList = z.infer<typeof TaskListSchema>;

export const CreateTaskSchema = z
  .object({
    title: TitleSchema,
    recordId: RecordIdSchema.nullish(),
    dueDate: DueDateSchema.nullish(),
  })
  .strict();
export type CreateTaskInput = z.input<typeof CreateTaskSchema>;

export const UpdateTaskSchema = z
  .object({
    title: TitleSchema.optional(),
    /** null clears the due date. */
    dueDate: DueDateSchema.nullable().optional(),
    /** null unlinks the record. */
    recordId: RecordIdSchema.nullable().optional(),
  })
  .strict();
export type UpdateTaskInput = z.input<typeof UpdateTaskSchema>;

export const AssignTaskSchema = z
  .object({ assigneeId: z.string().min(1, 'Choose an account.').max(64).nullable() })
  .strict();

export const CreateNoteSchema = z
  .object({
    body: z
      .string()
      .trim()
      .min(1, 'Note is required.')
      .max(TASK_NOTE_MAX, `Note must be at most ${TASK_NOTE_MAX} characters.`),
  })
  .strict();

export const TaskParamsSchema = z.object({ id: z.string().min(1).max(64) });
export const AttachmentParamsSchema = z.object({
  id: z.string().min(1).max(64),
  attachmentId: z.string().min(1).max(64),
});

export const AssigneesQuerySchema = z.object({ search: z.string().trim().max(200).optional() }).strict();

/** The minimal directory assigners get (they may lack users_groups:view). */
export const AssigneeSchema = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
});
export type Assignee = z.infer<typeof AssigneeSchema>;
export const AssigneeListSchema = z.object({ assignees: z.array(AssigneeSchema) });
