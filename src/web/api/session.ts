import type { z } from 'zod';
import type { MfaChallenge } from '../../shared/schemas/mfa.js';
import type { Me, SetupSchema, SignInSchema } from '../../shared/schemas/session.js';
import type { User } from '../../shared/schemas/users.js';
import { ApiError, request } from './client.js';

export type SignInInput = z.input<typeof SignInSchema>;
export type SetupInput = z.input<typeof SetupSchema>;

/**
 * Who is signed in, or null when nobody is (a 401 is an answer here, not an error). `onSignedOut`
 * hears the 401's code, so a session that expired while the tab was closed can be explained.
 */
export async function fetchMe(onSignedOut?: (code: string) => void): Promise<Me | null> {
  try {
    return await request<Me>('/api/v1/me', { expectUnauthenticated: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      onSignedOut?.(error.code);
      return null;
    }
    throw error;
  }
}

/** Step 1: a session (Me), or for an account with MFA a challenge for step 2 (api/mfa.ts). */
export function signIn(input: SignInInput): Promise<Me | MfaChallenge> {
  return request<Me | MfaChallenge>('/api/v1/session', { method: 'POST', body: input, expectUnauthenticated: true });
}

export function signOut(): Promise<void> {
  return request<void>('/api/v1/session', { method: 'DELETE', expectUnauthenticated: true });
}

export function fetchSetupStatus(): Promise<{ setupRequired: boolean }> {
  return request<{ setupRequired: boolean }>('/api/v1/setup');
}

export function completeSetup(input: SetupInput): Promise<User> {
  return request<User>('/api/v1/setup', { method: 'POST', body: input });
}
