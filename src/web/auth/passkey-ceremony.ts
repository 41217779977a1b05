/**
 * The browser's side of passkeys: the two WebAuthn ceremonies through @simplewebauthn/browser, the
 * server's calls around them, and plain-language messages for what can go wrong on this side (no
 * authenticator, the person cancelled, the passkey exists already). Server errors stay ApiErrors.
 */
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { Me } from '../../shared/schemas/session.js';
import {
  completeMfaSignIn,
  getPasskeySignInOptions,
  registerPasskey,
  startPasskeyRegistration,
  type ConfirmedTotp,
} from '../api/mfa.js';

/** A problem on this device (not the server's answer): shown as is. */
export class PasskeyDeviceError extends Error {}

const NO_WEBAUTHN = 'This browser cannot use passkeys. Use a code from an authenticator app instead.';

function deviceError(error: unknown, kind: 'create' | 'use'): PasskeyDeviceError {
  const name = error instanceof Error ? error.name : '';
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError')
    return new PasskeyDeviceError('This device already holds a passkey for your account. Use another device.');
  if (name === 'NotAllowedError' || name === 'AbortError' || code === 'ERROR_CEREMONY_ABORTED')
    return new PasskeyDeviceError(
      kind === 'create'
        ? 'No passkey was created: it was cancelled, timed out, or this device has no authenticator. Try again.'
        : 'The passkey was not used: it was cancelled, timed out, or this device has none of your passkeys. Try again or type a code.',
    );
  if (code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID')
    return new PasskeyDeviceError(
      'Passkeys do not work at this address. Open Latchkey at its usual address (a domain name over HTTPS).',
    );
  return new PasskeyDeviceError(
    kind === 'create'
      ? 'Your browser could not create a passkey. Try again, or set up an authenticator app instead.'
      : 'Your browser could not use the passkey. Try again or type a code.',
  );
}

export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

/** Options from the server → the browser creates the passkey → the server verifies and stores it. */
export async function addPasskey(name: string, currentPassword?: string): Promise<ConfirmedTotp> {
  if (!browserSupportsWebAuthn()) throw new PasskeyDeviceError(NO_WEBAUTHN);
  const options = await startPasskeyRegistration(currentPassword);
  let response;
  try {
    // The server's options are PublicKeyCredentialCreationOptionsJSON (schemas/mfa.ts checks the shape).
    response = await startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON });
  } catch (error) {
    throw deviceError(error, 'create');
  }
  return registerPasskey(name, response);
}

/** Sign-in step 2 with a passkey: options for the challenge → the browser signs → the session. */
export async function signInWithPasskey(challenge: string): Promise<Me> {
  if (!browserSupportsWebAuthn()) throw new PasskeyDeviceError(NO_WEBAUTHN);
  const options = await getPasskeySignInOptions(challenge);
  let response;
  try {
    response = await startAuthentication({ optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON });
  } catch (error) {
    throw deviceError(error, 'use');
  }
  return completeMfaSignIn({ challenge, passkey: response });
}
