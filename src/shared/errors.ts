/**
 * Every error the API can answer with: a stable code, its HTTP status and a message for people.
 * Every error body has one shape: `{ error: { code, message, fields?, items?, requestId } }`.
 */
export const ERRORS = {
  validation_failed: { status: 400, message: 'Some fields are not valid.' },
  bad_request: { status: 400, message: 'The request could not be understood.' },
  unauthenticated: { status: 401, message: 'Please sign in.' },
  invalid_credentials: { status: 401, message: 'The email or password is incorrect.' },
  session_expired: { status: 401, message: 'Your session has ended. Please sign in again.' },
  token_in_query: {
    status: 400,
    message: 'API tokens are accepted only in the Authorization header, never in the URL.',
  },
  csrf_failed: {
    status: 403,
    message: 'This request did not come from Latchkey itself and was refused.',
  },
  forbidden: { status: 403, message: 'You do not have permission to do this.' },
  administrator_protected: {
    status: 403,
    message: 'Only an Administrator can change an Administrator account.',
  },
  group_exceeds_own_rights: {
    status: 403,
    message: 'You cannot assign a security group with rights you do not have yourself.',
  },
  account_exceeds_own_rights: {
    status: 403,
    message:
      "This account's security group holds rights you do not have yourself, so you cannot change its password, multi-factor authentication, status, group or API token.",
  },
  password_change_required: {
    status: 403,
    message: 'You must change your password before you can do anything else.',
  },
  sso_account: {
    status: 409,
    message: 'This account signs in through its identity provider; it has no local password or security settings here.',
  },
  cannot_disable_self: { status: 409, message: 'You cannot disable your own account.' },
  cannot_change_own_group: {
    status: 409,
    message: 'You cannot change your own security group; someone else who manages accounts can.',
  },
  current_password_incorrect: { status: 400, message: 'The current password is incorrect.' },
  cannot_delete_self: { status: 409, message: 'You cannot delete your own account.' },
  last_administrator: {
    status: 409,
    message: 'This is the last enabled Administrator; the platform needs at least one.',
  },
  not_found: { status: 404, message: 'Not found.' },
  system_group_read_only: {
    status: 409,
    message: 'System security groups cannot be changed or deleted. Copy one to make a custom group.',
  },
  group_has_members: {
    status: 409,
    message: 'This security group still has members. Move them to another group before deleting it.',
  },
  group_name_taken: { status: 409, message: 'A security group with this name already exists.' },
  record_type_taken: { status: 409, message: 'A record type with this name already exists.' },
  record_name_taken: { status: 409, message: 'A record of this type with this name already exists.' },
  delete_permission_required: {
    status: 403,
    message: 'This would remove data, which needs the Delete permission your security group does not have.',
  },
  bulk_refused: {
    status: 409,
    message: 'Nothing was changed: some of the selected accounts cannot be changed this way (see `items`).',
  },
  import_has_errors: { status: 422, message: 'The file has errors, so nothing was imported.' },
  task_transition_not_allowed: {
    status: 409,
    message: 'The task cannot do that from its current status.',
  },
  attachment_too_large: { status: 413, message: 'The file is larger than attachments may be.' },
  // Multi-factor authentication.
  mfa_enrollment_required: {
    status: 403,
    message: 'Your account must set up multi-factor authentication before you can do anything else.',
  },
  mfa_challenge_invalid: {
    status: 401,
    message: 'This sign-in has expired or was already used. Please sign in again.',
  },
  mfa_code_invalid: { status: 400, message: 'The code is incorrect.' },
  mfa_last_factor: {
    status: 409,
    message:
      'Multi-factor authentication is on for this account, so its last authenticator cannot be removed. Add another one first, or ask an Administrator to reset it.',
  },
  mfa_not_enrolled: { status: 409, message: 'This account has no multi-factor authentication set up.' },
  mfa_required: {
    status: 403,
    message:
      'Multi-factor authentication was required for your account by an Administrator; only they can turn it off.',
  },
  mfa_enrollment_not_started: {
    status: 409,
    message: 'Start setting up the authenticator app first (the setup may have been replaced by a newer one).',
  },
  // Passkeys.
  passkey_invalid: {
    status: 400,
    message: 'The passkey could not be verified. Start again and use the passkey when your browser asks.',
  },
  passkey_already_registered: { status: 409, message: 'This passkey is already registered.' },
  passkey_not_available: { status: 409, message: 'This account has no passkey. Use a code instead.' },
  // Single sign-on.
  provider_name_taken: { status: 409, message: 'An identity provider with this name already exists.' },
  email_domain_taken: {
    status: 409,
    message: 'This email domain already belongs to another identity provider; a domain can have only one.',
  },
  provider_has_accounts: {
    status: 409,
    message:
      'Accounts sign in through this identity provider, so it cannot be removed. Disable it instead, or delete those accounts first.',
  },
  group_used_by_provider: {
    status: 409,
    message:
      'An identity provider uses this security group (as its default group or in its group mapping). Change the provider first.',
  },
  email_taken: { status: 409, message: 'An account with this email already exists.' },
  setup_not_available: {
    status: 409,
    message: 'Setup is finished: an account already exists. Sign in instead.',
  },
  setup_link_invalid: {
    status: 403,
    message: 'This setup link is not valid any more. Restart Latchkey to print a new one.',
  },
  login_locked: {
    status: 429,
    message: 'Too many failed sign-in attempts. Please wait a few minutes and try again.',
  },
  address_limited: {
    status: 429,
    message: 'Too many failed sign-in attempts from your network. Please wait a few minutes and try again.',
  },
  password_reset_limited: {
    status: 429,
    message: 'Too many password reset requests. Please wait a few minutes and try again.',
  },
  password_reset_link_invalid: {
    status: 400,
    message:
      'This password reset link cannot be used: it has expired, was already used, or the password has changed since. Ask for a new link.',
  },
  rate_limited: { status: 429, message: 'Too many requests. Please slow down.' },
  internal: { status: 500, message: 'Something went wrong on our side. Please try again.' },
  database_unavailable: {
    status: 503,
    message: 'Latchkey cannot reach its database just now. Please try again in a moment.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** Per-field messages, keyed by field name, for validation errors. */
    fields?: Record<string, string>;
    /** A bulk action refused (bulk_refused): each item refused, with its policy's code and message. */
    items?: RefusedItem[];
    /** The request's id (also its X-Request-Id header): what to quote to an operator. */
    requestId: string;
  };
}

/** One item a bulk action refused: which one, and why (the code and message its single action gives). */
export interface RefusedItem {
  id: string;
  /** The account's email; null when no account has this ID. */
  email: string | null;
  code: string;
  message: string;
}
