/** Route samples for the identity-providers routes (issue 6); see ../route-samples.ts for what a sample must be. */
import type { RouteSample } from '../route-samples.js';

export const IDENTITY_PROVIDERS_ROUTE_SAMPLES: Record<string, RouteSample> = {};
