import { z } from 'zod';

export const RecordsByTypeRowSchema = z.object({
  typeId: z.string(),
  typeName: z.string(),
  count: z.number().int(),
});

export const TasksByStatusRowSchema = z.object({
  status: z.string(),
  label: z.string(),
  count: z.number().int(),
});

/** The summary report: every record type and every task status, zero counts included. */
export const ReportSummarySchema = z.object({
  generatedAt: z.string(),
  recordsByType: z.array(RecordsByTypeRowSchema),
  tasksByStatus: z.array(TasksByStatusRowSchema),
});

export type ReportSummary = z.infer<typeof ReportSummarySchema>;
export type RecordsByTypeRow = z.infer<typeof RecordsByTypeRowSchema>;
export type TasksByStatusRow = z.infer<typeof TasksByStatusRowSchema>;

/** The reports that can be downloaded as CSV, by the name in their URL. */
export const REPORT_NAMES = ['records-by-type', 'tasks-by-status'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];
