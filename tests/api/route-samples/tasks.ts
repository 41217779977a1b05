/** Route samples for the tasks routes; see ../route-samples.ts for what a sample must be. */
import type { RouteSample } from '../route-samples.js';

export const TASKS_ROUTE_SAMPLES: Record<string, RouteSample> = {};
