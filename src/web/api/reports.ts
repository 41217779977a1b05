import type { ReportName, ReportSummary } from '../../shared/schemas/reports.js';
import { request, requestFile } from './client.js';

export function getReportSummary(signal?: AbortSignal): Promise<ReportSummary> {
  return request<ReportSummary>('/api/v1/reports/summary', { signal });
}

export function exportReportCsv(report: ReportName): Promise<{ blob: Blob; filename: string }> {
  return requestFile(`/api/v1/reports/${report}/export.csv`);
}
