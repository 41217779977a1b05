/** Route samples for the report routes; see ../route-samples.ts for what a sample must be. */
import { requires } from '../../../src/server/auth/access.js';
import type { RouteSample } from '../route-samples.js';

export const REPORTS_ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/reports/summary': { access: requires('reports:view'), build: () => ({}) },
  'GET /api/v1/reports/:report/export.csv': {
    access: requires('reports:export'),
    build: () => ({ params: { report: 'tasks-by-status' } }),
  },
};
