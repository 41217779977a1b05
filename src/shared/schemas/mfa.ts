import { z } from 'zod';
import { PASSWORD_MAX_INPUT_UNITS } from './common.js';

/** Sign-in, step 2: the challenge from step 1 with either an authenticator code or a recovery code. */
export const MfaSignInSchema = z
  .object({
    challenge: z.string().min(1).max(200),
    code: z.string().trim().min(1, 'Authentication Code is required.').max(20).optional(),
    recoveryCode: z.string().trim().min(1, 'Recovery Code is required.').max(64).optional(),
  })
  .strict()
  .refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), {
    message: 'Send either an authentication code or a recovery code.',
    path: ['code'],
  });

/** Step 1's answer for an account with a second factor: no session yet, only this challenge. */
export const MfaChallengeSchema = z.object({
  mfaRequired: z.literal(true),
  /** Opaque, single-use, valid for 10 minutes. */
  challenge: z.string(),
});
export type MfaChallenge = z.infer<typeof MfaChallengeSchema>;

export const MfaFactorSchema = z.object({
  id: z.string(),
  kind: z.enum(['totp']),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type MfaFactor = z.infer<typeof MfaFactorSchema>;

/** Your own MFA: never a secret, only what exists and when it was used. */
export const MfaStatusSchema = z.object({
  /** MFA is on for this account (the "Enroll in Multi-Factor Authentication" box). */
  required: z.boolean(),
  /** Required but not set up yet: this session may only enrol. */
  enrollmentPending: z.boolean(),
  factors: z.array(MfaFactorSchema),
  recoveryCodesLeft: z.number().int(),
});
export type MfaStatus = z.infer<typeof MfaStatusSchema>;

const currentPassword = z.string().max(PASSWORD_MAX_INPUT_UNITS);

export const StartTotpEnrolmentSchema = z
  .object({
    /** Needed, except in the enrolment-only session of an account that must set up MFA. */
    currentPassword: currentPassword.optional(),
  })
  .strict();

/** The new secret, in this response only: as text, as the otpauth:// URI, and as a QR code PNG. */
export const TotpEnrolmentSchema = z.object({
  secret: z.string(),
  otpauthUri: z.string(),
  qrCodeDataUrl: z.string(),
});
export type TotpEnrolment = z.infer<typeof TotpEnrolmentSchema>;

export const ConfirmTotpSchema = z
  .object({ code: z.string().trim().min(1, 'Authentication Code is required.').max(20) })
  .strict();

export const ConfirmedTotpSchema = z.object({
  factor: MfaFactorSchema,
  /** Ten single-use codes, shown this once; null when the account already had a factor (its codes still work). */
  recoveryCodes: z.array(z.string()).nullable(),
});
export type ConfirmedTotp = z.infer<typeof ConfirmedTotpSchema>;

export const PasswordConfirmationSchema = z
  .object({ currentPassword: currentPassword.min(1, 'Current Password is required.') })
  .strict();

export const RecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
