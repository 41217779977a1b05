/** Route samples for the sso-oidc routes (issue 6); see ../route-samples.ts for what a sample must be. */
import type { RouteSample } from '../route-samples.js';

export const SSO_OIDC_ROUTE_SAMPLES: Record<string, RouteSample> = {};
