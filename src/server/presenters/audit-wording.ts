/**
 * What an audit entry changed, in the product's words: "Must change password: off → on",
 * "Security Group: Regular User → Administrator". The one place this wording lives: the API
 * answers it (AuditEvent.summary), the Logs page shows it, the CSV export writes it.
 *
 * Pure: the names of the accounts and security groups an entry refers to by ID are loaded by the
 * service (one query per page) and handed in as `AuditNames`.
 */

/** How a detail's value reads. */
type Kind =
  | 'text'
  | 'onOff' // a setting: on / off (stored as true/false or 1/0)
  | 'yesNo' // a fact: yes / no
  | 'group' // a security group ID, shown by its name
  | 'account' // an account ID, shown by its name and email
  | 'time' // an ISO time, shown in UTC
  | 'list'
  | 'hidden'; // an ID the rest of the entry already names

interface Field {
  label: string;
  kind?: Kind;
  /** Words for stored values (enabled → Enabled). */
  values?: Record<string, string>;
}

const ON_OFF: Kind = 'onOff';
const DATE_FORMATS = {
  'yyyy-mm-dd': 'yyyy-mm-dd',
  'mm/dd/yyyy': 'mm/dd/yyyy',
  'dd/mm/yyyy': 'dd/mm/yyyy',
  'dd mon yyyy': 'dd mon yyyy',
};

/**
 * Every detail key an entry may hold, by the name it is written under (columns and API fields
 * alike), with the label the product uses for it. A key not listed reads as its name in words.
 */
export const AUDIT_FIELDS: Record<string, Field> = {
  // Account Settings (user.updated; sso.profile_updated)
  email: { label: 'Email' },
  first_name: { label: 'First Name' },
  last_name: { label: 'Last Name' },
  title: { label: 'Title' },
  telephone: { label: 'Telephone' },
  functional_group: { label: 'Functional Group' },
  date_format: { label: 'Date format', values: DATE_FORMATS },
  time_format: { label: 'Time format', values: { '24-hour': '24-hour', '12-hour': '12-hour' } },
  session_timeout_minutes: { label: 'Session Timeout (minutes)' },
  theme: { label: 'UI theme', values: { light: 'Light', dark: 'Dark', system: 'Same as the system' } },
  // Password & Security (user.security_updated, user.password_reset)
  security_group_id: { label: 'Security Group', kind: 'group' },
  securityGroup: { label: 'Security Group', kind: 'group' },
  status: { label: 'Account Status', values: { enabled: 'Enabled', disabled: 'Disabled' } },
  mfa_enrolled: { label: 'Multi-factor authentication', kind: ON_OFF },
  mfa_required_by_other: { label: 'MFA required by an administrator', kind: ON_OFF },
  must_change_password: { label: 'Must change password', kind: ON_OFF },
  mustChangePassword: { label: 'Must change password', kind: ON_OFF },
  userType: { label: 'User type', values: { native: 'Native', sso: 'SSO' } },
  by: {
    label: 'Reset by',
    values: { self: 'the account itself', cli: 'the command line', email_link: 'a link emailed to the account' },
  },
  sessionsEnded: { label: 'Sessions ended' },
  tokenRevoked: { label: 'API token revoked', kind: 'yesNo' },
  masked: { label: 'API token' },
  replacedPrevious: { label: 'Replaced the previous token', kind: 'yesNo' },
  // Forgot password (password_reset.requested)
  outcome: {
    label: 'Outcome',
    values: {
      sent: 'link emailed',
      no_account: 'not sent: no account with this email',
      sso_account: 'not sent: the account signs in with single sign-on',
      account_disabled: 'not sent: the account is disabled',
      turned_off: 'not sent: self-service password reset is off',
      email_not_configured: 'not sent: email is not configured',
    },
  },
  // Sign-in protection
  lockedUntil: { label: 'Locked until', kind: 'time' },
  limitedUntil: { label: 'Refused until', kind: 'time' },
  failures: { label: 'Failed attempts' },
  windowMinutes: { label: 'Within (minutes)' },
  address: { label: 'Address' },
  // MFA
  factorId: { label: 'Authenticator ID', kind: 'hidden' },
  kind: { label: 'Authenticator', values: { totp: 'Authenticator app', webauthn: 'Passkey', passkey: 'Passkey' } },
  recoveryCodesIssued: { label: 'Recovery codes issued', kind: 'yesNo' },
  recoveryCodesLeft: { label: 'Recovery codes left' },
  factorsRemoved: { label: 'Authenticators removed' },
  method: { label: 'Method' },
  // Sessions
  session: { label: 'Session', kind: 'hidden' },
  ip: { label: 'Address' },
  userAgent: { label: 'Browser' },
  signedInAt: { label: 'Signed in', kind: 'time' },
  current: { label: 'This session', kind: 'yesNo' },
  // Security groups
  groupId: { label: 'Security group ID', kind: 'hidden' },
  name: { label: 'Name' },
  description: { label: 'Description' },
  permissions: { label: 'Permissions', kind: 'list' },
  permissionsAdded: { label: 'Permissions added', kind: 'list' },
  permissionsRemoved: { label: 'Permissions removed', kind: 'list' },
  // Identity providers and single sign-on
  providerId: { label: 'Identity provider ID', kind: 'hidden' },
  provider: { label: 'Identity provider' },
  protocol: { label: 'Protocol', values: { oidc: 'OpenID Connect', saml: 'SAML' } },
  enabled: { label: 'Enabled', kind: ON_OFF },
  defaultGroupId: { label: 'Default security group', kind: 'group' },
  allowEmailLinking: { label: 'Link accounts by email', kind: ON_OFF },
  emailDomains: { label: 'Email domains', kind: 'list' },
  groupMappings: { label: 'Group mappings', kind: 'list' },
  clientSecret: { label: 'Client secret' },
  settings: { label: 'Settings' },
  wasNative: { label: 'Was a native account', kind: 'yesNo' },
  idpGroups: { label: 'Identity provider groups', kind: 'list' },
  reason: { label: 'Reason', values: { last_administrator: 'the last enabled Administrator' } },
  // Records
  recordTypeId: { label: 'Record type ID', kind: 'hidden' },
  recordId: { label: 'Record ID', kind: 'hidden' },
  type: { label: 'Record type' },
  owner: { label: 'Owner' },
  changedProperties: { label: 'Properties changed', kind: 'list' },
  count: { label: 'Count' },
  names: { label: 'Names', kind: 'list' },
  mode: { label: 'Mode' },
  created: { label: 'Created' },
  updated: { label: 'Updated' },
  deleted: { label: 'Deleted' },
  // Tasks
  taskId: { label: 'Task ID', kind: 'hidden' },
  noteId: { label: 'Note ID', kind: 'hidden' },
  attachmentId: { label: 'Attachment ID', kind: 'hidden' },
  dueDate: { label: 'Due date' },
  fileName: { label: 'File' },
  sizeBytes: { label: 'Size (bytes)' },
  sha256: { label: 'SHA-256', kind: 'hidden' },
  // Installation settings and log retention
  maxSessionTimeoutMinutes: { label: 'Maximum session timeout (minutes)' },
  logRetentionDays: { label: 'Log retention (days)' },
  selfServicePasswordReset: { label: 'Self-service password reset', kind: ON_OFF },
  retentionDays: { label: 'Log retention (days)' },
  olderThan: { label: 'Older than', kind: 'time' },
  auditEventsRemoved: { label: 'System events deleted' },
  loginAttemptsRemoved: { label: 'Login attempts deleted' },
};

/** Fields whose `from`/`to` at the top of an entry are of another kind than text, by action. */
const TOP_LEVEL_CHANGE: Record<string, Field> = {
  'task.status_changed': { label: 'Status' },
  'task.assignee_changed': { label: 'Assignee', kind: 'account' },
};

/** The names of the accounts and security groups an entry refers to, loaded for a page at a time. */
export interface AuditNames {
  /** Account ID → "First Last" (accounts that still exist). */
  accounts: ReadonlyMap<string, { name: string; email: string }>;
  /** Security group ID → its name. */
  groups: ReadonlyMap<string, string>;
}

export const NO_NAMES: AuditNames = { accounts: new Map(), groups: new Map() };

type Details = Record<string, unknown>;

/** An entry's details as stored (JSON text); anything but an object reads as none. */
export function parseDetails(text: string): Details {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Details;
  } catch {
    // stored by hand, or damaged: shown as no details
  }
  return {};
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isChange = (value: unknown): value is { from: unknown; to: unknown } =>
  isObject(value) && ('from' in value || 'to' in value);
const isAddedRemoved = (value: unknown): value is { added?: unknown; removed?: unknown } =>
  isObject(value) && ('added' in value || 'removed' in value) && !('from' in value);

/** The security group IDs an entry refers to (to load their names). */
export function groupIdsIn(details: Details): string[] {
  return idsOfKind(details, 'group');
}

/** The account IDs an entry's details refer to (a task's assignee). */
export function accountIdsIn(action: string, details: Details): string[] {
  if (TOP_LEVEL_CHANGE[action]?.kind !== 'account') return [];
  return [details.from, details.to].filter((id): id is string => typeof id === 'string');
}

function idsOfKind(details: Details, kind: Kind): string[] {
  const ids: string[] = [];
  const visit = (key: string, value: unknown) => {
    if (AUDIT_FIELDS[key]?.kind === kind) {
      for (const v of isChange(value) ? [value.from, value.to] : [value]) if (typeof v === 'string') ids.push(v);
    }
    if (key === 'groupMappings' && isAddedRemoved(value)) {
      for (const list of [value.added, value.removed])
        if (Array.isArray(list))
          for (const m of list) if (isObject(m) && typeof m.securityGroupId === 'string') ids.push(m.securityGroupId);
    }
  };
  for (const [key, value] of Object.entries(details)) {
    if (key === 'changes' && isObject(value)) for (const [k, v] of Object.entries(value)) visit(k, v);
    else visit(key, value);
  }
  return ids;
}

/** "sessionsEnded" or "first_name" → "Sessions ended", "First name": a key no table lists, in words. */
export function keyInWords(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A stored UTC time as "2026-12-07 14:03 UTC" (the server cannot know the reader's zone). */
function utcTime(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One value as words, by its field's kind. */
export function valueInWords(value: unknown, field: Field | undefined, names: AuditNames = NO_NAMES): string {
  if (value === null || value === undefined || value === '') return field?.kind === 'list' ? 'none' : '—';
  const kind = field?.kind ?? 'text';
  if (kind === 'onOff') return value === true || value === 1 || value === '1' ? 'on' : 'off';
  if (kind === 'yesNo') return value === true || value === 1 || value === '1' ? 'yes' : 'no';
  if (kind === 'group' && typeof value === 'string') return names.groups.get(value) ?? value;
  if (kind === 'account' && typeof value === 'string') {
    const account = names.accounts.get(value);
    return account ? `${account.name} (${account.email})` : value;
  }
  if (kind === 'time' && typeof value === 'string') return utcTime(value);
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((v) => listItem(v, names)).join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return field?.values?.[String(value)] ?? String(value);
  if (isObject(value))
    return Object.entries(value)
      .map(([k, v]) => `${AUDIT_FIELDS[k]?.label ?? keyInWords(k)} ${valueInWords(v, AUDIT_FIELDS[k], names)}`)
      .join(', ');
  return JSON.stringify(value);
}

/** An item of a list: a group mapping reads "admins → Administrator". */
function listItem(value: unknown, names: AuditNames): string {
  if (isObject(value) && 'idpGroup' in value && 'securityGroupId' in value)
    return `${String(value.idpGroup)} → ${valueInWords(value.securityGroupId, { label: '', kind: 'group' }, names)}`;
  return valueInWords(value, undefined, names);
}

function line(key: string, value: unknown, names: AuditNames, field = AUDIT_FIELDS[key]): string | null {
  if (field?.kind === 'hidden') return null;
  const label = field?.label ?? keyInWords(key);
  if (isChange(value))
    return `${label}: ${valueInWords(value.from, field, names)} → ${valueInWords(value.to, field, names)}`;
  if (isAddedRemoved(value)) {
    const parts = [
      ...(Array.isArray(value.added) && value.added.length ? [`added ${valueInWords(value.added, field, names)}`] : []),
      ...(Array.isArray(value.removed) && value.removed.length
        ? [`removed ${valueInWords(value.removed, field, names)}`]
        : []),
    ];
    return `${label}: ${parts.join('; ') || 'none'}`;
  }
  return `${label}: ${valueInWords(value, field, names)}`;
}

/**
 * An entry's details as lines people read, changes first: "Must change password: off → on",
 * "Sessions ended: 2". Never more than the details hold (they hold no secret).
 */
export function describeAuditDetails(action: string, details: Details, names: AuditNames = NO_NAMES): string[] {
  const lines: (string | null)[] = [];
  const { changes, from, to, ...rest } = details;
  const topLevel = TOP_LEVEL_CHANGE[action];
  if (topLevel && (from !== undefined || to !== undefined)) lines.push(line('', { from, to }, names, topLevel));
  else if (from !== undefined || to !== undefined) {
    if (from !== undefined) rest.from = from;
    if (to !== undefined) rest.to = to;
  }
  if (isObject(changes)) for (const [key, value] of Object.entries(changes)) lines.push(line(key, value, names));
  else if (changes !== undefined) rest.changes = changes;
  for (const [key, value] of Object.entries(rest)) lines.push(line(key, value, names));
  return lines.filter((l): l is string => l !== null);
}
