import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requires } from '../auth/access.js';
import type { AppDeps } from '../app-deps.js';
import { recordsByType, reportSummary, tasksByStatus } from '../services/reports.js';
import { ERROR_RESPONSES } from '../../shared/schemas/common.js';
import { REPORT_NAMES, ReportSummarySchema, type ReportName } from '../../shared/schemas/reports.js';
import type { Db } from '../db/connection.js';
import { csvAttachmentHeader, csvRow } from './csv.js';

/** Each downloadable report as CSV rows: a header, then one row per line of the report. */
const CSV_REPORTS: Record<ReportName, (db: Db) => Promise<unknown[][]>> = {
  'records-by-type': async (db) => [
    ['Record Type', 'Records'],
    ...(await recordsByType(db)).map((row) => [row.typeName, row.count]),
  ],
  'tasks-by-status': async (db) => [
    ['Status', 'Tasks'],
    ...(await tasksByStatus(db)).map((row) => [row.label, row.count]),
  ],
};

export const reportRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { db }) => {
  app.get(
    '/api/v1/reports/summary',
    {
      config: { access: requires('reports:view') },
      schema: {
        tags: ['Reports'],
        summary: 'Record counts by type and task counts by status',
        response: { 200: ReportSummarySchema, ...ERROR_RESPONSES },
      },
    },
    async () => reportSummary(db),
  );

  app.get(
    '/api/v1/reports/:report/export.csv',
    {
      config: { access: requires('reports:export') },
      schema: {
        tags: ['Reports'],
        summary: 'Download one report as CSV',
        params: z.object({ report: z.enum(REPORT_NAMES) }),
      },
    },
    async (request, reply) => {
      const rows = await CSV_REPORTS[request.params.report](db);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', csvAttachmentHeader(request.params.report))
        .send(rows.map(csvRow).join(''));
    },
  );
};
