/** Route samples for the security group routes; see ../route-samples.ts for what a sample must be. */
import { requires } from '../../../src/server/auth/access.js';
import type { RouteSample } from '../route-samples.js';

export const SECURITY_GROUPS_ROUTE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/security-groups': { access: requires('users_groups:view'), build: () => ({}) },
};
