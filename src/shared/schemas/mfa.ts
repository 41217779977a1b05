import { z } from 'zod';
import { PASSWORD_MAX_INPUT_UNITS } from './common.js';

// WebAuthn responses as @simplewebauthn/browser sends them (base64url fields). Sizes are generous
// for real authenticators and keep a hostile body small; unknown keys are dropped.
const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'Must be base64url.');
const CLIENT_EXTENSION_RESULTS = z.record(z.string(), z.unknown());
const TRANSPORTS = z.array(z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'])).max(10);

/** What navigator.credentials.get() returned (startAuthentication), to answer a sign-in challenge. */
export const PasskeyAssertionSchema = z.object({
  id: base64url(1400).min(1),
  rawId: base64url(1400).min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(4096).min(1),
    authenticatorData: base64url(4096).min(1),
    signature: base64url(1024).min(1),
    userHandle: base64url(200).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: CLIENT_EXTENSION_RESULTS,
});

/** What navigator.credentials.create() returned (startRegistration). */
export const PasskeyAttestationSchema = z.object({
  id: base64url(1400).min(1),
  rawId: base64url(1400).min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(4096).min(1),
    attestationObject: base64url(16384).min(1),
    authenticatorData: base64url(4096).optional(),
    transports: TRANSPORTS.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(2048).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: CLIENT_EXTENSION_RESULTS,
});

/**
 * Sign-in, step 2: the challenge from step 1 with exactly one of an authenticator code, a recovery
 * code or a passkey's answer (to options from POST /api/v1/session/mfa/passkey/options).
 */
export const MfaSignInSchema = z
  .object({
    challenge: z.string().min(1).max(200),
    code: z.string().trim().min(1, 'Authentication Code is required.').max(20).optional(),
    recoveryCode: z.string().trim().min(1, 'Recovery Code is required.').max(64).optional(),
    passkey: PasskeyAssertionSchema.optional(),
  })
  .strict()
  .refine((body) => [body.code, body.recoveryCode, body.passkey].filter((v) => v !== undefined).length === 1, {
    message: 'Send one of: an authentication code, a recovery code or a passkey.',
    path: ['code'],
  });

export const PasskeySignInOptionsRequestSchema = z.object({ challenge: z.string().min(1).max(200) }).strict();

const CredentialDescriptorSchema = z.object({
  id: z.string(),
  type: z.literal('public-key'),
  transports: z.array(z.string()).optional(),
});

/** PublicKeyCredentialRequestOptionsJSON: give it to startAuthentication() as is. */
export const PasskeyRequestOptionsSchema = z.object({
  challenge: z.string(),
  timeout: z.number().optional(),
  rpId: z.string().optional(),
  allowCredentials: z.array(CredentialDescriptorSchema).optional(),
  userVerification: z.string().optional(),
});
export type PasskeyRequestOptions = z.infer<typeof PasskeyRequestOptionsSchema>;

/** PublicKeyCredentialCreationOptionsJSON: give it to startRegistration() as is. */
export const PasskeyCreationOptionsSchema = z.object({
  rp: z.object({ name: z.string(), id: z.string().optional() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  challenge: z.string(),
  pubKeyCredParams: z.array(z.object({ alg: z.number(), type: z.literal('public-key') })),
  timeout: z.number().optional(),
  excludeCredentials: z.array(CredentialDescriptorSchema).optional(),
  authenticatorSelection: z
    .object({
      authenticatorAttachment: z.string().optional(),
      requireResidentKey: z.boolean().optional(),
      residentKey: z.string().optional(),
      userVerification: z.string().optional(),
    })
    .optional(),
  hints: z.array(z.string()).optional(),
  attestation: z.string().optional(),
  /** Only credProps is asked for (whether the passkey is discoverable). */
  extensions: z.object({ credProps: z.boolean().optional() }).optional(),
});
export type PasskeyCreationOptions = z.infer<typeof PasskeyCreationOptionsSchema>;

/** Step 1's answer for an account with a second factor: no session yet, only this challenge. */
export const MfaChallengeSchema = z.object({
  mfaRequired: z.literal(true),
  /** Opaque, single-use, valid for 10 minutes. */
  challenge: z.string(),
  /** The account has passkeys: the challenge may be answered with one instead of a code. */
  passkey: z.boolean(),
});
export type MfaChallenge = z.infer<typeof MfaChallengeSchema>;

export const MfaFactorSchema = z.object({
  id: z.string(),
  kind: z.enum(['totp', 'passkey']),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type MfaFactor = z.infer<typeof MfaFactorSchema>;

/** Your own MFA: never a secret, only what exists and when it was used. */
export const MfaStatusSchema = z.object({
  /** MFA is on for this account (the "Enroll in Multi-Factor Authentication" box). */
  required: z.boolean(),
  /** Required but not set up yet: this session may only enroll. */
  enrollmentPending: z.boolean(),
  factors: z.array(MfaFactorSchema),
  recoveryCodesLeft: z.number().int(),
});
export type MfaStatus = z.infer<typeof MfaStatusSchema>;

const currentPassword = z.string().max(PASSWORD_MAX_INPUT_UNITS);

export const StartTotpEnrollmentSchema = z
  .object({
    /** Needed, except in the enrollment-only session of an account that must set up MFA. */
    currentPassword: currentPassword.optional(),
  })
  .strict();

/** The new secret, in this response only: as text, as the otpauth:// URI, and as a QR code PNG. */
export const TotpEnrollmentSchema = z.object({
  secret: z.string(),
  otpauthUri: z.string(),
  qrCodeDataUrl: z.string(),
});
export type TotpEnrollment = z.infer<typeof TotpEnrollmentSchema>;

export const ConfirmTotpSchema = z
  .object({ code: z.string().trim().min(1, 'Authentication Code is required.').max(20) })
  .strict();

export const ConfirmedTotpSchema = z.object({
  factor: MfaFactorSchema,
  /** Ten single-use codes, shown this once; null when the account already had a factor (its codes still work). */
  recoveryCodes: z.array(z.string()).nullable(),
});
export type ConfirmedTotp = z.infer<typeof ConfirmedTotpSchema>;

/** Start adding a passkey: the same password rule as starting an authenticator app. */
export const StartPasskeyRegistrationSchema = StartTotpEnrollmentSchema;

export const RegisterPasskeySchema = z
  .object({
    name: z.string().trim().min(1, 'Passkey Name is required.').max(100, 'Passkey Name is at most 100 characters.'),
    response: PasskeyAttestationSchema,
  })
  .strict();

/** The added passkey; recovery codes as for a confirmed authenticator app (first factor only). */
export const RegisteredPasskeySchema = ConfirmedTotpSchema;

export const PasswordConfirmationSchema = z
  .object({ currentPassword: currentPassword.min(1, 'Current Password is required.') })
  .strict();

export const RecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
