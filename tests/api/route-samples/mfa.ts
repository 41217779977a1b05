/** Route samples for multi-factor authentication; see ../route-samples.ts for what a sample must be. */
import { PUBLIC, SIGNED_IN, SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED } from '../../../src/server/auth/access.js';
import { createPendingTotpFactor } from '../../../src/server/services/mfa-factors.js';
import { SYSTEM_GROUP_IDS } from '../../../src/shared/permissions.js';
import { quickUser } from '../../helpers/fixtures.js';
import { passkeyRegistrationOptions, relyingPartyFor } from '../../../src/server/services/passkeys.js';
import { challengeFor, codeNow, givePasskeyFactor, giveTotpFactor } from '../../helpers/mfa-fixtures.js';
import { SoftwareAuthenticator } from '../../helpers/webauthn-authenticator.js';
import { TEST_PASSWORD } from '../../helpers/test-app.js';
import type { RouteSample } from '../route-samples.js';

export const MFA_ROUTE_SAMPLES: Record<string, RouteSample> = {
  // Step 2 of sign-in, for an account of its own with an authenticator (public: no session yet).
  'POST /api/v1/session/mfa': {
    access: PUBLIC,
    // No audit entry: a sign-in is recorded in the login history.
    audits: [],
    freshCaller: true,
    build: async (ctx) => {
      const account = await quickUser(ctx.t, SYSTEM_GROUP_IDS.readOnlyUser);
      const { secret } = await giveTotpFactor(ctx.t, account.id);
      return { body: { challenge: await challengeFor(ctx.t, account.email), code: codeNow(secret) } };
    },
  },
  // Step 2 with a passkey: options for a live challenge of an account of its own that has a passkey.
  'POST /api/v1/session/mfa/passkey/options': {
    access: PUBLIC,
    // No audit entry: a one-time challenge; changes no setting.
    audits: [],
    build: async (ctx) => {
      const account = await quickUser(ctx.t, SYSTEM_GROUP_IDS.readOnlyUser);
      await givePasskeyFactor(ctx.t, account);
      return { body: { challenge: await challengeFor(ctx.t, account.email) } };
    },
  },
  'POST /api/v1/me/mfa/passkeys/options': {
    access: SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED,
    // No audit entry: a one-time challenge; changes no setting.
    audits: [],
    build: () => ({ body: { currentPassword: TEST_PASSWORD } }),
  },
  // A real attestation from the software authenticator, to options made for the caller.
  'POST /api/v1/me/mfa/passkeys': {
    access: SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED,
    audits: ['mfa.factor_enrolled'],
    freshCaller: true,
    build: async (ctx) => {
      const options = await passkeyRegistrationOptions(
        ctx.t.db,
        relyingPartyFor(ctx.t.config.publicUrl),
        ctx.caller,
        [],
      );
      const authenticator = new SoftwareAuthenticator(ctx.t.config.publicUrl.origin);
      return { body: { name: 'Laptop', response: authenticator.createCredential(options) } };
    },
  },
  'GET /api/v1/me/mfa': { access: SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED, build: () => ({}) },
  'POST /api/v1/me/mfa/totp': {
    access: SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED,
    // No audit entry: an unconfirmed authenticator protects nothing yet; confirming it is audited.
    audits: [],
    build: () => ({ body: { currentPassword: TEST_PASSWORD } }),
  },
  'POST /api/v1/me/mfa/totp/confirm': {
    access: SIGNED_IN_EVEN_IF_MFA_ENROLLMENT_REQUIRED,
    audits: ['mfa.factor_enrolled'],
    freshCaller: true,
    build: async (ctx) => {
      const { secret } = await createPendingTotpFactor(ctx.t.db, ctx.t.config.secretKey, ctx.caller.id, 'App');
      return { body: { code: codeNow(secret) } };
    },
  },
  'DELETE /api/v1/me/mfa/factors/:id': {
    access: SIGNED_IN,
    audits: ['mfa.factor_removed'],
    freshCaller: true,
    build: async (ctx) => {
      await giveTotpFactor(ctx.t, ctx.caller.id);
      const second = await giveTotpFactor(ctx.t, ctx.caller.id);
      return { params: { id: second.factorId }, body: { currentPassword: TEST_PASSWORD } };
    },
  },
  'POST /api/v1/me/mfa/recovery-codes': {
    access: SIGNED_IN,
    audits: ['mfa.recovery_codes_regenerated'],
    freshCaller: true,
    build: async (ctx) => {
      await giveTotpFactor(ctx.t, ctx.caller.id);
      return { body: { currentPassword: TEST_PASSWORD } };
    },
  },
};
