/**
 * The users list's vocabulary (statuses, types, sort columns, search rule) without zod:
 * schemas/users.ts builds the API's schemas from these, and the web's users page imports them from
 * here, so the validation library stays out of the JavaScript loaded before the list can show.
 */

export const ACCOUNT_STATUSES = ['enabled', 'disabled'] as const;
export const USER_TYPES = ['native', 'sso'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];
export type UserType = (typeof USER_TYPES)[number];

/**
 * Multi-factor authentication of an account: `off`; `pending` — required (by an Administrator)
 * but no factor confirmed yet, so the next sign-in must enroll; `on` — a confirmed factor.
 */
export const MFA_STATUSES = ['off', 'pending', 'on'] as const;
export type MfaStatus = (typeof MFA_STATUSES)[number];

/** The "Must change password" filter: accounts marked "User Must Change Password at Next Login", or not. */
export const MUST_CHANGE_PASSWORD_FILTERS = ['yes', 'no'] as const;
export type MustChangePasswordFilter = (typeof MUST_CHANGE_PASSWORD_FILTERS)[number];

export const USER_SORT_COLUMNS = [
  'email',
  'firstName',
  'lastName',
  'title',
  'telephone',
  'securityGroup',
  'functionalGroup',
  'accountStatus',
  'userType',
  'lastLoginAt',
  'sessionTimeoutMinutes',
  'createdAt',
] as const;
export type UserSortColumn = (typeof USER_SORT_COLUMNS)[number];

/** Searches shorter than this match the start of an email or name only (a substring needs three letters). */
export const SUBSTRING_SEARCH_MIN_LENGTH = 3;
