import type { AuditFilters, LoginFilters, Paging } from './logs.js';
import type { UserListParams } from './users.js';
import type { TaskListParams } from './tasks.js';
import type { RecordListParams } from './records.js';

/** TanStack Query keys, in one place so invalidation cannot miss a spelling. */
export const queryKeys = {
  me: ['me'] as const,
  users: ['users'] as const,
  userList: (params: UserListParams) => ['users', 'list', params] as const,
  user: (id: string) => ['users', 'one', id] as const,
  securityGroups: ['security-groups'] as const,
  securityGroup: (id: string) => ['security-groups', 'one', id] as const,
  setupStatus: ['setup-status'] as const,
  logs: ['logs'] as const,
  auditEvents: (params: AuditFilters & Paging) => ['logs', 'audit', params] as const,
  loginAttempts: (params: LoginFilters & Paging) => ['logs', 'logins', params] as const,
  reportSummary: ['reports', 'summary'] as const,
  // Tasks (list, one task, the assignee directory, records to link).
  tasks: ['tasks'] as const,
  taskList: (params: TaskListParams) => ['tasks', 'list', params] as const,
  task: (id: string) => ['tasks', 'one', id] as const,
  taskAssignees: (search: string) => ['tasks', 'assignees', search] as const,
  taskRecordOptions: (search: string) => ['tasks', 'record-options', search] as const,
  // Records and record types
  records: ['records'] as const,
  recordList: (params: RecordListParams) => ['records', 'list', params] as const,
  record: (id: string) => ['records', 'one', id] as const,
  recordTypes: ['record-types'] as const,
  ownMfa: ['mfa', 'status'] as const,
  // Single sign-on: the Administrator's providers, and the public sign-in side.
  identityProviders: ['identity-providers'] as const,
  identityProvider: (id: string) => ['identity-providers', 'one', id] as const,
  scimProvisioning: (id: string) => ['identity-providers', 'scim', id] as const,
  ssoProviders: ['sso', 'providers'] as const,
  ssoDiscover: (email: string) => ['sso', 'discover', email] as const,
  /** Whether the sign-in page offers "Forgot password?". */
  passwordResetAvailability: ['password-reset', 'availability'] as const,
  /** The installation's settings (Maximum Session Timeout). */
  settings: ['settings'] as const,
  /** Email delivery: SMTP settings, queue and recent messages (the Settings page's Email section). */
  email: ['email'] as const,
  /** A started authenticator setup (its secret): never refetched by invalidating anything else. */
  mfaEnrollment: ['mfa-enrollment'] as const,
};
