import { z } from 'zod';
import { DecisionSchema } from './decision.js';
import { PASSWORD_MAX_INPUT_UNITS, PASSWORD_MAX_LENGTH } from './common.js';
import { ACCOUNT_STATUSES } from './users.js';

/** The API token as shown after creation: never the token itself. */
export const MaskedApiTokenSchema = z.object({
  masked: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  lastUsedIp: z.string().nullable(),
});

/**
 * What the viewer may change on this account's Password & Security tab, computed by the server
 * (the UI shows or hides controls from it and never re-derives the rules).
 */
export const SecurityAbilitiesSchema = z.object({
  changeSecurityGroup: DecisionSchema,
  changeAccountStatus: DecisionSchema,
  changeMfaEnrollment: DecisionSchema,
  generateApiToken: DecisionSchema,
  /** Revoke the account's API token (DELETE …/api-token): as generateApiToken. */
  revokeApiToken: DecisionSchema,
  setMustChangePassword: DecisionSchema,
  /** `own`: current password needed; `other`: an administrative reset; `none`: not allowed. */
  resetPassword: z.enum(['own', 'other', 'none']),
  /** Clearing "Enroll in Multi-Factor Authentication" is allowed and needs the viewer's current password (their own MFA). */
  turnOffMfaNeedsCurrentPassword: z.boolean(),
});
export type SecurityAbilities = z.infer<typeof SecurityAbilitiesSchema>;

export const SecuritySettingsSchema = z.object({
  userId: z.string(),
  email: z.string(),
  securityGroup: z.object({ id: z.string(), name: z.string(), description: z.string() }),
  accountStatus: z.enum(ACCOUNT_STATUSES),
  apiToken: MaskedApiTokenSchema.nullable(),
  /** "Enroll in Multi-Factor Authentication": the account uses (or must set up) MFA. */
  mfaEnrolled: z.boolean(),
  /** The account has a confirmed authenticator (mfaEnrolled without it: set-up pending at next sign-in). */
  mfaActive: z.boolean(),
  /** Someone else (an Administrator) required MFA for this account: its owner cannot turn it off. */
  mfaRequiredByOther: z.boolean(),
  mustChangePassword: z.boolean(),
  can: SecurityAbilitiesSchema,
});
export type SecuritySettings = z.infer<typeof SecuritySettingsSchema>;

const password = z
  .string()
  .max(PASSWORD_MAX_INPUT_UNITS, `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`);

/** A password change: `currentPassword` is required when it is your own password. */
export const PasswordChangeSchema = z
  .object({
    currentPassword: password.optional(),
    newPassword: password,
    confirmNewPassword: password,
  })
  .strict();

/** Everything the Change button saves, in one request: all of it is applied, or none of it. */
export const UpdateSecuritySchema = z
  .object({
    securityGroupId: z.string().min(1).max(64).optional(),
    accountStatus: z.enum(ACCOUNT_STATUSES).optional(),
    mfaEnrolled: z.boolean().optional(),
    mustChangePassword: z.boolean().optional(),
    resetPassword: PasswordChangeSchema.optional(),
    /**
     * Your current password: needed to turn off your own multi-factor authentication (your own
     * password reset may carry it in `resetPassword.currentPassword` instead).
     */
    currentPassword: password.optional(),
  })
  .strict();
export type UpdateSecurity = z.infer<typeof UpdateSecuritySchema>;

/** Changing your own password (Reset Your Password, and the forced-change screen). */
export const ChangeOwnPasswordSchema = z
  .object({
    currentPassword: password.min(1, 'Current Password is required.'),
    newPassword: password,
    confirmNewPassword: password,
  })
  .strict();

export const GeneratedApiTokenSchema = z.object({
  /** The full token: shown once, here, and never again. */
  token: z.string(),
  apiToken: MaskedApiTokenSchema,
});
