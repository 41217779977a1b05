import { z } from 'zod';
import { DecisionSchema } from './decision.js';
import { PASSWORD_MAX_INPUT_UNITS } from './common.js';
import { pageInfoFields, pageQueryFields } from './paging.js';
import {
  ACCOUNT_STATUSES,
  MFA_STATUSES,
  MUST_CHANGE_PASSWORD_FILTERS,
  SUBSTRING_SEARCH_MIN_LENGTH,
  USER_SORT_COLUMNS,
  USER_TYPES,
  type AccountStatus,
  type MfaStatus,
  type MustChangePasswordFilter,
  type UserSortColumn,
  type UserType,
} from '../user-list.js';

export {
  ACCOUNT_STATUSES,
  MFA_STATUSES,
  MUST_CHANGE_PASSWORD_FILTERS,
  SUBSTRING_SEARCH_MIN_LENGTH,
  USER_SORT_COLUMNS,
  USER_TYPES,
  type AccountStatus,
  type MfaStatus,
  type MustChangePasswordFilter,
  type UserSortColumn,
  type UserType,
};

export const DATE_FORMATS = ['yyyy-mm-dd', 'mm/dd/yyyy', 'dd/mm/yyyy', 'dd mon yyyy'] as const;
export const TIME_FORMATS = ['24-hour', '12-hour'] as const;
export const THEMES = ['light', 'dark', 'system'] as const;

export const SESSION_TIMEOUT_MIN = 5;
export const SESSION_TIMEOUT_MAX = 720;

const trimmed = (max: number) => z.string().trim().max(max, `Must be at most ${max} characters.`);
const requiredText = (label: string, max: number) =>
  z.string().trim().min(1, `${label} is required.`).max(max, `${label} must be at most ${max} characters.`);

export const EmailSchema = z
  .string()
  .trim()
  .min(1, 'Email is required.')
  .max(254, 'Email must be at most 254 characters.')
  .pipe(z.email('Enter a valid email address, such as name@example.com.'));

export const TelephoneSchema = trimmed(40).regex(/^[0-9+()\-.\s x]*$/i, 'Use digits, spaces and + ( ) - . only.');

export const SessionTimeoutSchema = z
  .number({ error: 'Session Timeout must be a number of minutes.' })
  .int('Session Timeout must be a whole number of minutes.')
  .min(SESSION_TIMEOUT_MIN, `Session Timeout must be at least ${SESSION_TIMEOUT_MIN} minutes.`)
  .max(SESSION_TIMEOUT_MAX, `Session Timeout must be at most ${SESSION_TIMEOUT_MAX} minutes (12 hours).`);

/**
 * What the signed-in viewer may do to an account, as the server decides it (policies/accounts.ts,
 * enforced by the same function): each a Decision whose refusal names the code and message the
 * server answers with.
 */
export const UserAbilitiesSchema = z.object({
  /** Save its Account Settings: always your own; another's with Users & Groups Update, an Administrator's only as an Administrator. */
  update: DecisionSchema,
  /**
   * Delete it: with Users & Groups Delete, never yourself, an Administrator only as an Administrator.
   * (Deleting the last enabled Administrator is still refused when it is tried: that depends on the data.)
   */
  delete: DecisionSchema,
  /**
   * Enable or disable it: with Users & Groups Update, never yourself, an Administrator only as an
   * Administrator. The Password & Security tab has this field; SSO accounts (no such tab) use
   * PUT /api/v1/users/{id}/account-status.
   */
  changeAccountStatus: DecisionSchema,
  /** End its sign-in lock early (after too many failed attempts): as changeAccountStatus, never your own. */
  unlockSignIn: DecisionSchema,
});
export type UserAbilities = z.infer<typeof UserAbilitiesSchema>;

/** A user as the API shows it. Secrets (hashes, tokens) are never part of it. */

export const AccountStatusChangeSchema = z.object({ accountStatus: z.enum(['enabled', 'disabled']) }).strict();

export const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  title: z.string(),
  telephone: z.string(),
  securityGroup: z.object({ id: z.string(), name: z.string() }),
  functionalGroup: z.string(),
  accountStatus: z.enum(ACCOUNT_STATUSES),
  userType: z.enum(USER_TYPES),
  ssoProvider: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  sessionTimeoutMinutes: z.number(),
  dateFormat: z.enum(DATE_FORMATS),
  timeFormat: z.enum(TIME_FORMATS),
  theme: z.enum(THEMES),
  mustChangePassword: z.boolean(),
  mfaEnrolled: z.boolean(),
  mfaStatus: z.enum(MFA_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** What the caller may do to this account (nothing, for an anonymous caller). */
  can: UserAbilitiesSchema,
  /**
   * When the account's sign-in lock (too many failed attempts) ends, or null when it is not locked.
   * Only in answers about one account (GET /api/v1/users/{id} and its changes); lists leave it out.
   */
  signInLockedUntil: z.string().nullable().optional(),
});
export type User = z.infer<typeof UserSchema>;

/** The list's filters and search (also the CSV export's). */
const userListFilterFields = {
  /**
   * Case-insensitive. From three characters on: anywhere in the email or in "first last". Shorter:
   * the start of the email, first name or last name.
   */
  search: z.string().trim().max(200).optional(),
  /** Only accounts of this security group (its ID). */
  securityGroupId: z.string().min(1).max(200).optional(),
  /** Only enabled or only disabled accounts. */
  accountStatus: z.enum(ACCOUNT_STATUSES).optional(),
  /** Only native (password) or only SSO accounts. */
  userType: z.enum(USER_TYPES).optional(),
  /** Only accounts with this MFA status. */
  mfa: z.enum(MFA_STATUSES).optional(),
  /** Only accounts marked "User Must Change Password at Next Login" (yes) or only the others (no). */
  mustChangePassword: z.enum(MUST_CHANGE_PASSWORD_FILTERS).optional(),
  sort: z.enum(USER_SORT_COLUMNS).default('email'),
  order: z.enum(['asc', 'desc']).default('asc'),
};

export const ListUsersQuerySchema = z.object({ ...userListFilterFields, ...pageQueryFields(25) }).strict();
export type ListUsersQuery = z.infer<typeof ListUsersQuerySchema>;

export const ExportUsersQuerySchema = z.object(userListFilterFields).strict();
export type ExportUsersQuery = z.infer<typeof ExportUsersQuerySchema>;
export type UserListFilters = Omit<ExportUsersQuery, 'sort' | 'order'>;

export const UserListSchema = z.object({
  users: z.array(UserSchema),
  ...pageInfoFields,
});
export type UserList = z.infer<typeof UserListSchema>;

/** The fields of the Account Settings tab. Email is the login ID and is read-only there. */
export const AccountSettingsSchema = z
  .object({
    firstName: requiredText('First Name', 100),
    lastName: requiredText('Last Name', 100),
    title: trimmed(100),
    telephone: TelephoneSchema,
    dateFormat: z.enum(DATE_FORMATS),
    timeFormat: z.enum(TIME_FORMATS),
    sessionTimeoutMinutes: SessionTimeoutSchema,
    functionalGroup: trimmed(100),
    theme: z.enum(THEMES),
  })
  .partial()
  .strict();
export type AccountSettings = z.infer<typeof AccountSettingsSchema>;

export const CreateUserSchema = z
  .object({
    email: EmailSchema,
    firstName: requiredText('First Name', 100),
    lastName: requiredText('Last Name', 100),
    title: trimmed(100).default(''),
    telephone: TelephoneSchema.default(''),
    userType: z.enum(USER_TYPES).default('native'),
    password: z.string().max(PASSWORD_MAX_INPUT_UNITS).optional(),
    confirmPassword: z.string().max(PASSWORD_MAX_INPUT_UNITS).optional(),
    securityGroupId: z.string().min(1, 'Security Group is required.'),
    sessionTimeoutMinutes: SessionTimeoutSchema,
    functionalGroup: trimmed(100).default(''),
    /** The identity provider's name (Okta, Entra ID…): SSO accounts only, shown as "Managed by …". */
    ssoProvider: trimmed(100).optional(),
    /**
     * "User Must Change Password at Next Login": native accounts only, and only for those who may
     * force a password change (Administrators). The new account chooses its own password first.
     */
    mustChangePassword: z.boolean().default(false),
  })
  .strict();

/**
 * The New User request (POST /api/v1/users): CreateUserSchema's fields, plus the rule tying
 * ssoProvider to userType: required for an SSO account, refused for a native one. (The CLI checks
 * its own --sso / --provider pair and validates the rest with CreateUserSchema.)
 */
export const CreateUserRequestSchema = CreateUserSchema.superRefine((user, ctx) => {
  if (user.userType === 'sso' && !user.ssoProvider) {
    ctx.addIssue({ code: 'custom', path: ['ssoProvider'], message: 'Identity Provider is required for SSO users.' });
  } else if (user.userType === 'native' && user.ssoProvider) {
    ctx.addIssue({
      code: 'custom',
      path: ['ssoProvider'],
      message: 'Only SSO users have an identity provider; native users sign in with a password.',
    });
  }
  if (user.userType === 'sso' && user.mustChangePassword) {
    ctx.addIssue({
      code: 'custom',
      path: ['mustChangePassword'],
      message: 'SSO users have no Latchkey password to change: their identity provider signs them in.',
    });
  }
});
export type CreateUserInput = z.input<typeof CreateUserRequestSchema>;

/** Security groups have their own schemas file; re-exported here for code that imported them from users. */
export { SecurityGroupSchema, type SecurityGroup } from './security-groups.js';
