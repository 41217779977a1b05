import type { z } from 'zod';
import type {
  ForgotPasswordSchema,
  PasswordResetAvailability,
  ResetPasswordWithLink,
} from '../../shared/schemas/password-reset.js';
import { request } from './client.js';

/** Whether the sign-in page offers "Forgot password?" (email configured, self-service reset on). */
export function fetchPasswordResetAvailability(signal?: AbortSignal): Promise<PasswordResetAvailability> {
  return request<PasswordResetAvailability>('/api/v1/auth/forgot-password', { signal, expectUnauthenticated: true });
}

/** Asks for a link by email; the answer is the same for every email. */
export function askForPasswordResetLink(input: z.input<typeof ForgotPasswordSchema>): Promise<{ message: string }> {
  return request<{ message: string }>('/api/v1/auth/forgot-password', {
    method: 'POST',
    body: input,
    expectUnauthenticated: true,
  });
}

/** Sets the new password with the secret from the link; signs nobody in. */
export function resetPasswordWithLink(input: ResetPasswordWithLink): Promise<void> {
  return request<void>('/api/v1/auth/reset-password', { method: 'POST', body: input, expectUnauthenticated: true });
}
