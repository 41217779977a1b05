import { z } from 'zod';
import { PASSWORD_MAX_INPUT_UNITS } from './common.js';

/** GET /api/v1/auth/forgot-password: whether the sign-in page offers "Forgot password?". */
export const PasswordResetAvailabilitySchema = z.object({
  /** Email is configured and an Administrator has not turned self-service password reset off. */
  available: z.boolean(),
});
export type PasswordResetAvailability = z.infer<typeof PasswordResetAvailabilitySchema>;

/** POST /api/v1/auth/forgot-password. */
export const ForgotPasswordSchema = z
  .object({
    email: z.string().trim().min(1, 'Email is required.').max(254, 'Email must be at most 254 characters.'),
  })
  .strict();

/** The one answer to every accepted request, whatever the email: it tells nobody whether an account exists. */
export const FORGOT_PASSWORD_ANSWER =
  'If this email belongs to an account with a Latchkey password, a link to choose a new one is on its way. ' +
  'It works once, for 30 minutes. Nothing arrived? Check your spam folder, or ask your administrator.';

export const ForgotPasswordAnswerSchema = z.object({ message: z.string() });

/** POST /api/v1/auth/reset-password: the secret from the link (after `#token=`) and the new password. */
export const ResetPasswordWithLinkSchema = z
  .object({
    token: z.string().min(1, 'The link is incomplete.').max(200, 'The link is not valid.'),
    newPassword: z.string().min(1, 'New Password is required.').max(PASSWORD_MAX_INPUT_UNITS),
  })
  .strict();
export type ResetPasswordWithLink = z.infer<typeof ResetPasswordWithLinkSchema>;
