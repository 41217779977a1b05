/**
 * Single sign-on: the API contracts of identity providers (the Administrator's
 * Identity Providers page) and of the public sign-in side (buttons, email-domain routing).
 */
import { z } from 'zod';
import { DecisionSchema } from './decision.js';

export const SSO_PROTOCOLS = ['oidc', 'saml'] as const;
export type SsoProtocolName = (typeof SSO_PROTOCOLS)[number];
export const SSO_PROTOCOL_LABELS: Record<SsoProtocolName, string> = {
  oidc: 'OpenID Connect',
  saml: 'SAML 2.0',
};

export const PROVIDER_NAME_MAX = 100;
/** A PEM certificate is a few KiB; metadata files of large IdPs reach a few hundred KiB. */
export const CERTIFICATE_MAX = 20_000;
export const METADATA_XML_MAX = 512 * 1024;

const trimmed = (max: number) => z.string().trim().max(max);
const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'Enter a full URL starting with https://');

/** "corp.example": lower-case, no "@", at least one dot. */
export const EmailDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'Enter a domain such as corp.example (no @).');

export const GroupMappingSchema = z.object({
  /** The group name exactly as the identity provider sends it (case-sensitive). */
  idpGroup: z.string().trim().min(1, 'Enter the identity provider group name.').max(200),
  securityGroupId: z.string().min(1).max(64),
});

/** What every provider has, whatever its protocol. */
const CommonFields = {
  name: trimmed(PROVIDER_NAME_MAX).min(1, 'Enter a name people will recognise, such as Okta.'),
  enabled: z.boolean().default(true),
  defaultGroupId: z.string().min(1, 'Choose the security group new accounts get.').max(64),
  /** Email domains whose people this provider signs in ("corp.example"). */
  emailDomains: z.array(EmailDomainSchema).max(50).default([]),
  /**
   * Allow a first sign-in whose verified email matches an existing native account to link to it
   * (the account becomes an SSO account and loses its local password). Off by default.
   */
  allowEmailLinking: z.boolean().default(false),
  groupMappings: z.array(GroupMappingSchema).max(200).default([]),
};

export const OidcSettingsInputSchema = z.object({
  /** The issuer; its /.well-known/openid-configuration is read (discovery). */
  issuer: httpUrl,
  clientId: trimmed(500).min(1, 'Enter the client ID.'),
  /** Write-only: never returned. On update, leave it out to keep the stored one. */
  clientSecret: z.string().max(2000).optional(),
  /** Space-separated; `openid` is always requested. */
  scopes: trimmed(500).default('openid email profile'),
  /** The ID token / userinfo claim that carries group names (an array or a string). Empty: no mapping. */
  groupsClaim: trimmed(100).default('groups'),
});

export const SamlSettingsInputSchema = z.object({
  /** The IdP's Entity ID (its Issuer). */
  entityId: trimmed(1000).min(1, 'Enter the identity provider Entity ID.'),
  /** Where people are sent to sign in (HTTP-Redirect binding). */
  ssoUrl: httpUrl,
  /** The IdP's sign-out page, offered after signing out of Latchkey. Optional. */
  logoutUrl: z.union([httpUrl, z.literal('')]).default(''),
  /** The IdP's signing certificate, PEM or bare base64. */
  certificate: z.string().trim().min(1, 'Paste the signing certificate.').max(CERTIFICATE_MAX),
  /** The attribute that carries group names. Empty: no mapping. */
  groupsAttribute: trimmed(300).default('groups'),
});

export const CreateIdentityProviderSchema = z.discriminatedUnion('protocol', [
  z.object({ protocol: z.literal('oidc'), ...CommonFields, oidc: OidcSettingsInputSchema }).strict(),
  z.object({ protocol: z.literal('saml'), ...CommonFields, saml: SamlSettingsInputSchema }).strict(),
]);
export type CreateIdentityProvider = z.infer<typeof CreateIdentityProviderSchema>;

/** Every field optional; the protocol never changes (remove and add instead). */
export const UpdateIdentityProviderSchema = z
  .object({
    name: CommonFields.name.optional(),
    enabled: z.boolean().optional(),
    defaultGroupId: CommonFields.defaultGroupId.optional(),
    emailDomains: z.array(EmailDomainSchema).max(50).optional(),
    allowEmailLinking: z.boolean().optional(),
    groupMappings: z.array(GroupMappingSchema).max(200).optional(),
    oidc: OidcSettingsInputSchema.partial().strict().optional(),
    saml: SamlSettingsInputSchema.partial().strict().optional(),
  })
  .strict();
export type UpdateIdentityProvider = z.infer<typeof UpdateIdentityProviderSchema>;

/** What the caller may do to the provider, decided by the server (policies/identity-providers.ts). */
export const IdentityProviderAbilitiesSchema = z.object({ update: DecisionSchema, delete: DecisionSchema });
export type IdentityProviderAbilities = z.infer<typeof IdentityProviderAbilitiesSchema>;

export const IdentityProviderSchema = z.object({
  id: z.string(),
  name: z.string(),
  protocol: z.enum(SSO_PROTOCOLS),
  enabled: z.boolean(),
  defaultGroup: z.object({ id: z.string(), name: z.string() }),
  emailDomains: z.array(z.string()),
  allowEmailLinking: z.boolean(),
  groupMappings: z.array(
    z.object({ idpGroup: z.string(), securityGroupId: z.string(), securityGroupName: z.string() }),
  ),
  oidc: z
    .object({
      issuer: z.string(),
      clientId: z.string(),
      scopes: z.string(),
      groupsClaim: z.string(),
      /** Whether a client secret is stored (it is never shown again). */
      hasClientSecret: z.boolean(),
    })
    .nullable(),
  saml: z
    .object({
      entityId: z.string(),
      ssoUrl: z.string(),
      logoutUrl: z.string(),
      groupsAttribute: z.string(),
      /** PEM; public. */
      certificate: z.string(),
      certificateSubject: z.string(),
      certificateExpiresAt: z.string(),
    })
    .nullable(),
  /** What to enter at the identity provider: redirect URI (OIDC) or ACS URL, SP Entity ID and metadata URL (SAML). */
  serviceProvider: z.object({
    redirectUri: z.string().nullable(),
    postLogoutRedirectUri: z.string().nullable(),
    entityId: z.string().nullable(),
    acsUrl: z.string().nullable(),
    metadataUrl: z.string().nullable(),
  }),
  /** Accounts signed in through it (it cannot be removed while it has any). */
  accountCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  can: IdentityProviderAbilitiesSchema,
});
export type IdentityProvider = z.infer<typeof IdentityProviderSchema>;

export const IdentityProviderListSchema = z.object({ providers: z.array(IdentityProviderSchema) });

export const ConnectionTestSchema = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string() })),
});
export type ConnectionTest = z.infer<typeof ConnectionTestSchema>;

export const SamlMetadataRequestSchema = z.object({ xml: z.string().min(1).max(METADATA_XML_MAX) }).strict();
/** The fields read from an IdP metadata file, for the form to fill in (nothing is saved). */
export const SamlMetadataSchema = z.object({
  entityId: z.string(),
  ssoUrl: z.string(),
  logoutUrl: z.string(),
  certificate: z.string(),
  certificateExpiresAt: z.string().nullable(),
});

/** Public: what the sign-in page shows ("Sign in with …"). */
export const SsoProviderButtonSchema = z.object({
  id: z.string(),
  name: z.string(),
  protocol: z.enum(SSO_PROTOCOLS),
  /** Where the browser goes to start signing in (a GET that redirects to the provider). */
  startUrl: z.string(),
});
export const SsoProviderButtonListSchema = z.object({ providers: z.array(SsoProviderButtonSchema) });
export const SsoDiscoverQuerySchema = z.object({ email: z.string().trim().max(254) });
export const SsoDiscoverSchema = z.object({ provider: SsoProviderButtonSchema.nullable() });

/** The SSO sign-in failure codes the sign-in page may show (as `?sso_error=`), each with a generic message. */
export const SSO_ERROR_MESSAGES = {
  failed: 'Single sign-on did not work. Please try again, or ask your administrator.',
  expired: 'The single sign-on attempt expired or was already used. Please try again.',
  account_disabled: 'Your account is disabled. Please contact your administrator.',
  account_exists:
    'An account with your email already exists in Latchkey and is not linked to this identity provider. Ask your administrator to link it.',
  provider_disabled: 'This identity provider is not available. Please sign in another way or ask your administrator.',
} as const;
export type SsoErrorCode = keyof typeof SSO_ERROR_MESSAGES;

/** An identity provider's SCIM token as shown after creation: never the token itself. */
export const MaskedScimTokenSchema = z.object({
  masked: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  lastUsedIp: z.string().nullable(),
});

export const SCIM_DEPROVISION_ACTIONS = ['delete', 'disable'] as const;

/** The Provisioning section of an identity provider's page (SCIM 2.0). */
export const ScimProvisioningSchema = z.object({
  /** The SCIM base URL to paste into Okta ("SCIM connector base URL") or Entra ID ("Tenant URL"). */
  baseUrl: z.string(),
  token: MaskedScimTokenSchema.nullable(),
  /** What a SCIM DELETE does: delete the account, or only disable it. */
  deprovision: z.enum(SCIM_DEPROVISION_ACTIONS),
  /** The latest provisioning changes, newest first (at most 10). */
  events: z.array(
    z.object({
      id: z.number(),
      occurredAt: z.string(),
      action: z.string(),
      targetEmail: z.string().nullable(),
    }),
  ),
});

export const UpdateScimProvisioningSchema = z.object({ deprovision: z.enum(SCIM_DEPROVISION_ACTIONS) }).strict();

export const GeneratedScimTokenSchema = z.object({
  /** The full token: shown once, here, and never again. */
  token: z.string(),
  scimToken: MaskedScimTokenSchema,
});
