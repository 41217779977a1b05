/**
 * Every audit action, named `<object>.<what happened>`, with the words the Logs page shows for it.
 * The server's recordAudit accepts only these names, so a new action is added here or nowhere.
 */
export const AUDIT_ACTION_LABELS = {
  'setup.first_administrator_created': 'First administrator created',
  'user.created': 'User created',
  'user.updated': 'User updated',
  'user.deleted': 'User deleted',
  'user.password_reset': 'Password reset',
  'user.security_updated': 'Security settings updated',
  'api_token.generated': 'API token generated',
  'api_token.revoked': 'API token revoked',
  'session.signed_out': 'Signed out',
  'security_group.created': 'Security group created',
  'security_group.updated': 'Security group updated',
  'security_group.deleted': 'Security group deleted',
  'record_type.created': 'Record type created',
  'record.deleted': 'Record deleted',
  'records.bulk_deleted': 'Records deleted (bulk)',
  'records.imported': 'Records imported',
  'task.deleted': 'Task deleted',
  'task_attachment.removed': 'Task attachment removed',
  'mfa.factor_enrolled': 'MFA authenticator added',
  'mfa.factor_removed': 'MFA authenticator removed',
  'mfa.reset': 'MFA reset (factors removed, sessions ended)',
  'mfa.recovery_codes_regenerated': 'MFA recovery codes regenerated',
  'mfa.recovery_code_used': 'MFA recovery code used to sign in',
  'mfa.code_failed': 'MFA code failed at sign-in',
  'identity_provider.created': 'Identity provider added',
  'identity_provider.updated': 'Identity provider changed',
  'identity_provider.deleted': 'Identity provider removed',
  'sso.account_created': 'Account created by single sign-on',
  'sso.account_linked': 'Account linked to an identity provider',
  'sso.group_changed': 'Security group set by identity provider',
  'sso.group_change_refused': 'Identity provider group change refused (last Administrator)',
  'sso.profile_updated': 'Profile updated from identity provider',
  'sso.signed_in': 'Signed in with single sign-on',
  'sso.sign_in_failed': 'Single sign-on refused',
  'settings.updated': 'Installation settings changed',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTION_LABELS;
