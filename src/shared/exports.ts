/** The formats every list export comes in: CSV, and Excel for people who open it there. */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Each format as people know it (the API reference, the Export choices). */
export const EXPORT_FORMAT_NAMES: Record<ExportFormat, string> = { csv: 'CSV', xlsx: 'Excel (.xlsx)' };
