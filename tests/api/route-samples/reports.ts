/** Route samples for the reports routes; see ../route-samples.ts for what a sample must be. */
import type { RouteSample } from '../route-samples.js';

export const REPORTS_ROUTE_SAMPLES: Record<string, RouteSample> = {};
