/**
 * Table types as Kysely sees them. Timestamps are ISO-8601 UTC text written by the app (SQLite and
 * PostgreSQL return native timestamps differently; text sorts and compares the same on both).
 * Booleans are integers 0/1 for the same reason.
 */
import type { Generated } from 'kysely';

export interface SecurityGroupTable {
  id: string;
  name: string;
  description: string;
  is_system: number;
  created_at: string;
  updated_at: string;
}

export interface GroupPermissionTable {
  group_id: string;
  permission: string;
}

/**
 * The table also has mfa_factor_confirmed and mfa_status (migration 0014), which only the
 * database writes (triggers on mfa_factors; a generated column, or on PostgreSQL a trigger on
 * users). They are left out of this type on purpose, so no insert or update of the app can name
 * them; the users list reads mfa_status by SQL.
 */
export interface UserTable {
  id: string;
  email: string;
  /** Lower-cased email: the login ID, unique. */
  email_normalized: string;
  first_name: string;
  last_name: string;
  /** Lower-cased names for indexed, case-insensitive prefix search. */
  first_name_normalized: string;
  last_name_normalized: string;
  title: string;
  telephone: string;
  security_group_id: string;
  functional_group: string;
  status: 'enabled' | 'disabled';
  user_type: 'native' | 'sso';
  /** Name of the identity provider for SSO accounts. */
  sso_provider: string | null;
  /** argon2id PHC string; null for SSO accounts. */
  password_hash: string | null;
  must_change_password: number;
  mfa_enrolled: number;
  /** 1 when someone else (not the person) set mfa_enrolled: they cannot turn their MFA off (0008). */
  mfa_required_by_other: number;
  session_timeout_minutes: number;
  date_format: string;
  time_format: string;
  theme: string;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionTable {
  /** SHA-256 (hex) of the session ID; the ID itself is only ever in the cookie. */
  id_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  /** Absolute end: 12 hours after sign-in. */
  expires_at: string;
  ip: string;
  user_agent: string;
  /** The identity provider this session signed in through (0007-sso); null for password sign-ins. */
  identity_provider_id: string | null;
  /** A random, non-secret name for the session, for the API and the UI (0017-session-details). */
  public_id: string;
  /** How the session signed in (0017-session-details). */
  sign_in_method: SessionSignInMethod;
}

export type SessionSignInMethod = 'password' | 'mfa' | 'passkey' | 'sso';

export interface ApiTokenTable {
  /** One token per account (the seed's single API Token field). */
  user_id: string;
  token_hash: string;
  masked: string;
  created_at: string;
  created_by: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
}

export interface AuditEventTable {
  id: Generated<number>;
  occurred_at: string;
  actor_user_id: string | null;
  actor_email: string | null;
  /** The actor's security group (its name when it acted); null without an actor or before 0008. */
  actor_group_name: string | null;
  target_user_id: string | null;
  target_email: string | null;
  action: string;
  /** JSON object of what changed; never a secret. */
  details: string;
  ip: string | null;
  /** The identity provider the entry is about (SCIM provisioning), or null (0027-audit-identity-provider). */
  identity_provider_id: string | null;
}

export interface LoginHistoryTable {
  id: Generated<number>;
  occurred_at: string;
  user_id: string | null;
  email: string;
  success: number;
  /** Why it failed (for administrators); the person saw only the generic message. */
  reason: string | null;
  method: string;
  ip: string;
  user_agent: string;
}

export interface LoginThrottleTable {
  /** `account:<email>` or `ip:<address>`. */
  key: string;
  /**
   * In the window: for an account, failures plus checks in progress (each reserves one before it
   * runs, login-throttle.ts); for an address, failures.
   */
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface SetupTokenTable {
  token_hash: string;
  created_at: string;
  expires_at: string;
}

export interface RecordTypeTable {
  /** Built-in types have readable IDs (computer, user, application); added types get a UUID. */
  id: string;
  name: string;
  /** Lower-cased name, unique: "computer" and "Computer" are the same type. */
  name_normalized: string;
  is_builtin: number;
  created_at: string;
}

/**
 * records.type_sort (the type's name_normalized) is left out: triggers keep it (migration 0012),
 * only the list's sort reads it, and no writer needs to set it.
 */
export interface RecordTable {
  id: string;
  type_id: string;
  name: string;
  /** Lower-cased name: unique within a type, and the indexed prefix search. */
  name_normalized: string;
  owner: string;
  /** JSON object of string keys to string values. */
  properties: string;
  created_by_user_id: string | null;
  created_at: string;
  updated_at: string;
}

export type TaskStatus = 'not_started' | 'in_progress' | 'complete' | 'cancelled' | 'failed';

/**
 * tasks.assignee_sort (the assignee's "first last email", lower-cased) is left out: triggers keep
 * it (migration 0012), only the list's sort reads it, and no writer needs to set it.
 */
export interface TaskTable {
  id: string;
  title: string;
  title_normalized: string;
  record_id: string | null;
  status: TaskStatus;
  assignee_user_id: string | null;
  /** A calendar day, yyyy-mm-dd. */
  due_date: string | null;
  created_by_user_id: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  /** When it became Complete, Cancelled or Failed. */
  finished_at: string | null;
}

export interface TaskNoteTable {
  id: Generated<number>;
  task_id: string;
  author_user_id: string | null;
  author_email: string;
  body: string;
  created_at: string;
}

export interface TaskAttachmentTable {
  id: string;
  task_id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
  uploaded_by_user_id: string | null;
  uploaded_by_email: string;
  uploaded_at: string;
}

export interface MfaFactorTable {
  id: string;
  user_id: string;
  /** An authenticator app, or a passkey (WebAuthn; the columns below, from 0006-passkeys). */
  kind: 'totp' | 'passkey';
  name: string;
  /** encryption.ts format, associated data from mfaFactorAad(); never returned by the API. */
  secret_encrypted: string | null;
  /** Null until the person has typed a code from it; only confirmed factors count. */
  confirmed_at: string | null;
  last_used_at: string | null;
  /** Replay guard: the last TOTP time step accepted (30-second steps fit an integer for centuries). */
  last_used_step: number | null;
  created_at: string;
  /** Passkeys only (null for TOTP): the credential ID, base64url, unique across accounts. */
  credential_id: string | null;
  /** Passkeys only: the COSE public key, base64url (public: useless to anyone reading a dump). */
  public_key: string | null;
  /** Passkeys only: the authenticator's signature counter (bigint: PostgreSQL returns it as text). */
  sign_count: number | string | null;
  /** Passkeys only: JSON array of transports the browser reported ('internal', 'usb', …). */
  transports: string | null;
  aaguid: string | null;
  /** 'singleDevice' or 'multiDevice' (a synced passkey). */
  device_type: string | null;
  backed_up: number | null;
}

export interface MfaRecoveryCodeTable {
  user_id: string;
  /** SHA-256 (hex) of the normalised code. */
  code_hash: string;
  used_at: string | null;
  created_at: string;
}

export interface MfaChallengeTable {
  /** SHA-256 (hex) of the opaque challenge the browser holds. */
  id_hash: string;
  user_id: string;
  purpose: 'sign_in' | 'enroll';
  created_at: string;
  expires_at: string;
  failed_attempts: number;
  ip: string;
  user_agent: string;
}

/** One WebAuthn ceremony's challenge: single use, short-lived, tied to the account (0006-passkeys). */
export interface WebauthnChallengeTable {
  /** The random challenge itself, base64url, as sent in the options and signed by the authenticator. */
  challenge: string;
  user_id: string;
  purpose: 'registration' | 'authentication';
  /** For authentication: the sign-in challenge (mfa_challenges.id_hash) it belongs to. */
  sign_in_challenge_hash: string | null;
  created_at: string;
  expires_at: string;
}

export type SsoProtocol = 'oidc' | 'saml';

/** 0007-sso. */
export interface IdentityProviderTable {
  id: string;
  name: string;
  name_normalized: string;
  protocol: SsoProtocol;
  enabled: number;
  /** Where a first sign-in lands when no group mapping matches. */
  default_group_id: string;
  /** May a verified email link to an existing native account with that email (making it SSO)? */
  allow_email_linking: number;
  /** JSON: OidcSettings or SamlSettings (sso/provider-settings.ts); never a secret. */
  settings: string;
  /** OIDC only: encryption.ts format, associated data from identityProviderSecretAad(); never returned. */
  client_secret_encrypted: string | null;
  created_at: string;
  updated_at: string;
  /** What a SCIM DELETE does to an account (0022-scim). */
  scim_deprovision: Generated<'delete' | 'disable'>;
}

export interface IdentityProviderDomainTable {
  /** Lower-case email domain ("corp.example"); one provider per domain. */
  domain: string;
  provider_id: string;
}

export interface IdentityProviderGroupMappingTable {
  provider_id: string;
  /** The group name exactly as the identity provider sends it. */
  idp_group: string;
  security_group_id: string;
}

export interface SsoIdentityTable {
  provider_id: string;
  /** OIDC `sub` or SAML NameID: the provider's stable ID for the person. */
  subject: string;
  user_id: string;
  /** The email the provider last sent (for administrators; never used to find the account). */
  email: string;
  created_at: string;
  last_sign_in_at: string | null;
}

export interface SsoLoginFlowTable {
  /** SHA-256 (hex) of the OIDC state or the SAML AuthnRequest ID. */
  id_hash: string;
  provider_id: string;
  /** SHA-256 (hex) of the random value in the browser's SSO flow cookie. */
  browser_binding_hash: string;
  /** OIDC only: the PKCE code verifier, encrypted. */
  pkce_verifier_encrypted: string | null;
  /** OIDC only: the nonce the ID token must carry. */
  nonce: string | null;
  /** A path inside Latchkey to land on after signing in. */
  return_to: string;
  created_at: string;
  expires_at: string;
}

export interface SsoUsedAssertionTable {
  /** SHA-256 (hex) of provider ID + assertion ID. */
  assertion_id_hash: string;
  provider_id: string;
  expires_at: string;
}

/** An identity provider's SCIM bearer token, stored hashed (0022-scim). */
export interface ScimTokenTable {
  provider_id: string;
  token_hash: string;
  masked: string;
  created_at: string;
  created_by: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
}

/** The provider that provisioned an account by SCIM, and the directory's ID for it (0022-scim). */
export interface ScimUserTable {
  user_id: string;
  provider_id: string;
  external_id: string | null;
  created_at: string;
}

/** A group an identity provider's directory pushed by SCIM (0023-scim-groups). */
export interface ScimGroupTable {
  id: string;
  provider_id: string;
  display_name: string;
  display_name_normalized: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface ScimGroupMemberTable {
  group_id: string;
  user_id: string;
}

/** The installation's own settings: exactly one row (id 'installation'), made by migration 0009. */
export interface InstallationSettingsTable {
  id: string;
  /** The longest inactivity timeout any account may have; the session check caps every account at it. */
  max_session_timeout_minutes: number;
  /** Days of login history and audit events to keep; null keeps them forever (migration 0013). */
  log_retention_days: number | null;
  /** 1: the sign-in page offers "Forgot password?" (the default); 0: an Administrator turned it off (migration 0025). */
  self_service_password_reset: number;
  updated_at: string;
}

/** An emailed "Forgot password" link (migration 0025): only the hash of its secret is kept. */
export interface PasswordResetLinkTable {
  id: string;
  user_id: string;
  /** SHA-256 (hex) of the link's 256-bit secret. */
  token_hash: string;
  created_at: string;
  /** 30 minutes after created_at. */
  expires_at: string;
  /** When it was used; null while it can still be used. */
  used_at: string | null;
  requested_ip: string;
}

/** An account as services read it: its row, its group's name, whether it has a confirmed MFA factor. */
export type UserWithGroup = UserTable & {
  group_name: string;
  /** A confirmed MFA factor exists (SQLite answers 0/1, PostgreSQL a boolean). */
  has_mfa_factor: number | boolean;
};

/** Rows per counted table, kept by triggers (migration 0016): an unfiltered list's exact total. */
export interface RowCountTable {
  table_name: 'users' | 'records' | 'tasks';
  row_count: number | string;
}

/** An email queued, being sent, sent or failed (0024-email-outbox). */
export interface EmailOutboxTable {
  id: string;
  user_id: string | null;
  recipient: string;
  kind: string;
  subject: string;
  /** The text sealed with the installation key; null once sent or failed. */
  body_encrypted: string | null;
  status: 'queued' | 'sending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface Database {
  security_groups: SecurityGroupTable;
  group_permissions: GroupPermissionTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  audit_events: AuditEventTable;
  login_history: LoginHistoryTable;
  login_throttle: LoginThrottleTable;
  setup_tokens: SetupTokenTable;
  record_types: RecordTypeTable;
  records: RecordTable;
  tasks: TaskTable;
  task_notes: TaskNoteTable;
  task_attachments: TaskAttachmentTable;
  mfa_factors: MfaFactorTable;
  mfa_recovery_codes: MfaRecoveryCodeTable;
  mfa_challenges: MfaChallengeTable;
  webauthn_challenges: WebauthnChallengeTable;
  identity_providers: IdentityProviderTable;
  identity_provider_domains: IdentityProviderDomainTable;
  identity_provider_group_mappings: IdentityProviderGroupMappingTable;
  sso_identities: SsoIdentityTable;
  sso_login_flows: SsoLoginFlowTable;
  sso_used_assertions: SsoUsedAssertionTable;
  installation_settings: InstallationSettingsTable;
  password_reset_links: PasswordResetLinkTable;
  row_counts: RowCountTable;
  scim_tokens: ScimTokenTable;
  scim_users: ScimUserTable;
  scim_groups: ScimGroupTable;
  scim_group_members: ScimGroupMemberTable;
  email_outbox: EmailOutboxTable;
}
