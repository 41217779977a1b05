import type { AuditFilters, LoginFilters, Paging } from './logs.js';
import type { UserListParams } from './users.js';

/** TanStack Query keys, in one place so invalidation cannot miss a spelling. */
export const queryKeys = {
  me: ['me'] as const,
  users: ['users'] as const,
  userList: (params: UserListParams) => ['users', 'list', params] as const,
  user: (id: string) => ['users', 'one', id] as const,
  securityGroups: ['security-groups'] as const,
  setupStatus: ['setup-status'] as const,
  logs: ['logs'] as const,
  auditEvents: (params: AuditFilters & Paging) => ['logs', 'audit', params] as const,
  loginAttempts: (params: LoginFilters & Paging) => ['logs', 'logins', params] as const,
  reportSummary: ['reports', 'summary'] as const,
  ownMfa: ['mfa', 'status'] as const,
  /** A started authenticator setup (its secret): never refetched by invalidating anything else. */
  mfaEnrolment: ['mfa-enrolment'] as const,
};
