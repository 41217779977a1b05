import type {
  ConfirmedTotp,
  MfaChallenge,
  MfaStatus,
  PasskeyCreationOptions,
  PasskeyRequestOptions,
  TotpEnrollment,
} from '../../shared/schemas/mfa.js';
import type { Me } from '../../shared/schemas/session.js';
import { request } from './client.js';

export type { ConfirmedTotp, MfaChallenge, MfaStatus, PasskeyCreationOptions, PasskeyRequestOptions, TotpEnrollment };

export function isMfaChallenge(result: Me | MfaChallenge): result is MfaChallenge {
  return 'mfaRequired' in result && result.mfaRequired;
}

/** Sign-in step 2: the challenge from step 1 with an authenticator code, a recovery code or a passkey's answer. */
export function completeMfaSignIn(input: {
  challenge: string;
  code?: string;
  recoveryCode?: string;
  passkey?: unknown;
}): Promise<Me> {
  return request<Me>('/api/v1/session/mfa', { method: 'POST', body: input, expectUnauthenticated: true });
}

export function getOwnMfa(signal?: AbortSignal): Promise<MfaStatus> {
  return request<MfaStatus>('/api/v1/me/mfa', { signal });
}

/** `currentPassword` may be left out only in the enrollment-only session after sign-in. */
export function startTotpEnrollment(currentPassword?: string): Promise<TotpEnrollment> {
  return request<TotpEnrollment>('/api/v1/me/mfa/totp', {
    method: 'POST',
    body: currentPassword === undefined ? {} : { currentPassword },
  });
}

export function confirmTotpEnrollment(code: string): Promise<ConfirmedTotp> {
  return request<ConfirmedTotp>('/api/v1/me/mfa/totp/confirm', { method: 'POST', body: { code } });
}

export function removeMfaFactor(id: string, currentPassword: string): Promise<void> {
  return request<void>(`/api/v1/me/mfa/factors/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    body: { currentPassword },
  });
}

export function regenerateRecoveryCodes(currentPassword: string): Promise<{ recoveryCodes: string[] }> {
  return request<{ recoveryCodes: string[] }>('/api/v1/me/mfa/recovery-codes', {
    method: 'POST',
    body: { currentPassword },
  });
}

/** Sign-in step 2 with a passkey: WebAuthn request options for the challenge from step 1. */
export function getPasskeySignInOptions(challenge: string): Promise<PasskeyRequestOptions> {
  return request<PasskeyRequestOptions>('/api/v1/session/mfa/passkey/options', {
    method: 'POST',
    body: { challenge },
    expectUnauthenticated: true,
  });
}

/** `currentPassword` may be left out only in the enrollment-only session after sign-in. */
export function startPasskeyRegistration(currentPassword?: string): Promise<PasskeyCreationOptions> {
  return request<PasskeyCreationOptions>('/api/v1/me/mfa/passkeys/options', {
    method: 'POST',
    body: currentPassword === undefined ? {} : { currentPassword },
  });
}

export function registerPasskey(name: string, response: unknown): Promise<ConfirmedTotp> {
  return request<ConfirmedTotp>('/api/v1/me/mfa/passkeys', { method: 'POST', body: { name, response } });
}
