/** Route samples for the records routes; see ../route-samples.ts for what a sample must be. */
import type { RouteSample } from '../route-samples.js';

export const RECORDS_ROUTE_SAMPLES: Record<string, RouteSample> = {};
