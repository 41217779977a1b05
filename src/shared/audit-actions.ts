/**
 * Every audit action, named `<object>.<what happened>`, with the words people read for it and the
 * category the System Events filter groups it under. The server's recordAudit accepts only these
 * names, and tests/unit/audit-wording.test.ts fails for an action written anywhere in src/server
 * (a direct insert too) that is missing here: a new action is added here or nowhere.
 *
 * The wording of what an entry changed ("Must change password: off → on") is the server's
 * (src/server/presenters/audit-wording.ts), so the API, the Logs page and the CSV export say the same.
 */

/** The System Events categories, in the order the filter lists them, with their names. */
export const AUDIT_CATEGORIES = {
  accounts: 'Accounts',
  security: 'Password & Security',
  sessions: 'Sessions',
  groups: 'Security Groups',
  'identity-providers': 'Identity Providers',
  provisioning: 'Provisioning (SCIM)',
  records: 'Records',
  tasks: 'Tasks',
  settings: 'Settings',
  system: 'System',
} as const;

export type AuditCategory = keyof typeof AUDIT_CATEGORIES;
export const AUDIT_CATEGORY_IDS = Object.keys(AUDIT_CATEGORIES) as [AuditCategory, ...AuditCategory[]];

export const AUDIT_ACTIONS = {
  'setup.first_administrator_created': { label: 'First administrator created', category: 'accounts' },
  'user.created': { label: 'User created', category: 'accounts' },
  'user.updated': { label: 'Account settings changed', category: 'accounts' },
  'user.deleted': { label: 'User deleted', category: 'accounts' },
  'users.imported': { label: 'Users imported (CSV)', category: 'accounts' },
  'sso.account_created': { label: 'Account created by single sign-on', category: 'accounts' },
  'sso.account_linked': { label: 'Account linked to an identity provider', category: 'accounts' },
  'sso.profile_updated': { label: 'Profile updated from identity provider', category: 'accounts' },
  'sso.group_changed': { label: 'Security group set by identity provider', category: 'accounts' },
  'sso.group_change_refused': {
    label: 'Identity provider group change refused (last Administrator)',
    category: 'accounts',
  },
  'user.password_reset': { label: 'Password reset', category: 'security' },
  'password_reset.requested': { label: 'Password reset link asked for (Forgot password)', category: 'security' },
  'user.security_updated': { label: 'Password & Security changed', category: 'security' },
  'api_token.generated': { label: 'API token generated', category: 'security' },
  'api_token.revoked': { label: 'API token revoked', category: 'security' },
  'mfa.factor_enrolled': { label: 'MFA authenticator added', category: 'security' },
  'mfa.factor_removed': { label: 'MFA authenticator removed', category: 'security' },
  'mfa.reset': { label: 'MFA reset (authenticators removed, sessions ended)', category: 'security' },
  'mfa.recovery_codes_regenerated': { label: 'MFA recovery codes generated again', category: 'security' },
  'mfa.recovery_code_used': { label: 'MFA recovery code used to sign in', category: 'security' },
  'mfa.code_failed': { label: 'MFA code failed at sign-in', category: 'security' },
  'account.locked': { label: 'Sign-in locked after failed attempts', category: 'security' },
  'account.unlocked': {
    label: 'Sign-in unlocked (by an administrator, or a password reset by email)',
    category: 'security',
  },
  'address.limited': { label: 'Failed sign-ins refused from an address (too many)', category: 'security' },
  'session.signed_out': { label: 'Signed out', category: 'sessions' },
  'session.ended': { label: 'Session signed out (Sessions tab)', category: 'sessions' },
  'sessions.ended_all': { label: 'Signed out everywhere (Sessions tab)', category: 'sessions' },
  'sso.signed_in': { label: 'Signed in with single sign-on', category: 'sessions' },
  'sso.sign_in_failed': { label: 'Single sign-on refused', category: 'sessions' },
  'security_group.created': { label: 'Security group created', category: 'groups' },
  'security_group.updated': { label: 'Security group changed', category: 'groups' },
  'security_group.deleted': { label: 'Security group deleted', category: 'groups' },
  'identity_provider.created': { label: 'Identity provider added', category: 'identity-providers' },
  'identity_provider.updated': { label: 'Identity provider changed', category: 'identity-providers' },
  'identity_provider.deleted': { label: 'Identity provider deleted', category: 'identity-providers' },
  'scim_token.generated': { label: 'SCIM token generated', category: 'identity-providers' },
  'scim_token.revoked': { label: 'SCIM token revoked', category: 'identity-providers' },
  'scim.user_created': { label: 'Account created by SCIM provisioning', category: 'provisioning' },
  'scim.user_updated': { label: 'Account changed by SCIM provisioning', category: 'provisioning' },
  'scim.user_deactivated': {
    label: 'Account deactivated by SCIM provisioning (sessions and API token ended)',
    category: 'provisioning',
  },
  'scim.user_reactivated': { label: 'Account reactivated by SCIM provisioning', category: 'provisioning' },
  'scim.user_deleted': { label: 'Account deleted by SCIM provisioning', category: 'provisioning' },
  'scim.group_created': { label: 'Group created by SCIM provisioning', category: 'provisioning' },
  'scim.group_updated': { label: 'Group or its members changed by SCIM provisioning', category: 'provisioning' },
  'scim.group_deleted': { label: 'Group deleted by SCIM provisioning', category: 'provisioning' },
  'scim.security_group_changed': { label: 'Security group set by SCIM group membership', category: 'provisioning' },
  'scim.change_refused': {
    label: 'SCIM provisioning change refused (last Administrator)',
    category: 'provisioning',
  },
  'record_type.created': { label: 'Record type created', category: 'records' },
  'record.created': { label: 'Record created', category: 'records' },
  'record.updated': { label: 'Record changed', category: 'records' },
  'record.deleted': { label: 'Record deleted', category: 'records' },
  'records.bulk_deleted': { label: 'Records deleted (several at once)', category: 'records' },
  'records.imported': { label: 'Records imported', category: 'records' },
  'task.created': { label: 'Task created', category: 'tasks' },
  'task.updated': { label: 'Task changed', category: 'tasks' },
  'task.status_changed': { label: 'Task status changed', category: 'tasks' },
  'task.assignee_changed': { label: 'Task assignee changed', category: 'tasks' },
  'task.note_added': { label: 'Task note added', category: 'tasks' },
  'task.deleted': { label: 'Task deleted', category: 'tasks' },
  'task_attachment.added': { label: 'Task attachment added', category: 'tasks' },
  'task_attachment.removed': { label: 'Task attachment deleted', category: 'tasks' },
  'settings.updated': { label: 'Installation settings changed', category: 'settings' },
  'logs.retention_applied': { label: 'Old log entries deleted (log retention)', category: 'system' },
  'demo.loaded': { label: 'Demo data loaded', category: 'system' },
} as const satisfies Record<string, { label: string; category: AuditCategory }>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** The words for each action (what the Logs page and the exports show). */
export const AUDIT_ACTION_LABELS = Object.fromEntries(
  Object.entries(AUDIT_ACTIONS).map(([action, { label }]) => [action, label]),
) as Record<AuditAction, string>;

export function isAuditAction(action: string): action is AuditAction {
  return Object.prototype.hasOwnProperty.call(AUDIT_ACTIONS, action);
}

/** An action's words; an unknown one (from a newer or older version) as it is stored. */
export function auditActionLabel(action: string): string {
  return isAuditAction(action) ? AUDIT_ACTIONS[action].label : action;
}

export function auditActionCategory(action: string): AuditCategory | null {
  return isAuditAction(action) ? AUDIT_ACTIONS[action].category : null;
}

/** The actions of a category, sorted (the System Events filter reads each from its index). */
export function auditActionsIn(category: AuditCategory): AuditAction[] {
  return (Object.keys(AUDIT_ACTIONS) as AuditAction[]).filter((a) => AUDIT_ACTIONS[a].category === category).sort();
}
