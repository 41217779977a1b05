/**
 * The Identity Provider form's values, and the API bodies made from them. The shared zod
 * contracts check the body before it is sent, so the form shows the same messages the server
 * would, under the same field names (`oidc.issuer`, `groupMappings.0.idpGroup`, …).
 */
import {
  CreateIdentityProviderSchema,
  SSO_PROTOCOLS,
  UpdateIdentityProviderSchema,
  type CreateIdentityProvider,
  type IdentityProvider,
  type SsoProtocolName,
  type UpdateIdentityProvider,
} from '../../../shared/schemas/identity-providers.js';

export interface MappingRow {
  /** Only for React's list keys: rows have no identity of their own. */
  key: number;
  idpGroup: string;
  securityGroupId: string | null;
}

export interface ProviderValues {
  protocol: SsoProtocolName;
  name: string;
  enabled: boolean;
  defaultGroupId: string | null;
  emailDomains: string[];
  allowEmailLinking: boolean;
  groupMappings: MappingRow[];
  oidc: { issuer: string; clientId: string; clientSecret: string; scopes: string; groupsClaim: string };
  /** Forget the stored client secret (a public client that uses PKCE only). */
  clearClientSecret: boolean;
  saml: { entityId: string; ssoUrl: string; logoutUrl: string; certificate: string; groupsAttribute: string };
}

/** The protocol a new provider's page starts with (`?protocol=`), OpenID Connect unless it names another. */
export const protocolOf = (value: string | null): SsoProtocolName =>
  (SSO_PROTOCOLS as readonly string[]).includes(value ?? '') ? (value as SsoProtocolName) : 'oidc';

let nextKey = 1;
export const newMappingRow = (idpGroup = '', securityGroupId: string | null = null): MappingRow => ({
  key: nextKey++,
  idpGroup,
  securityGroupId,
});

export function initialProviderValues(provider: IdentityProvider | null, protocol: SsoProtocolName): ProviderValues {
  return {
    protocol: provider?.protocol ?? protocol,
    name: provider?.name ?? '',
    enabled: provider?.enabled ?? true,
    defaultGroupId: provider?.defaultGroup.id ?? null,
    emailDomains: provider?.emailDomains ?? [],
    allowEmailLinking: provider?.allowEmailLinking ?? false,
    groupMappings: (provider?.groupMappings ?? []).map((m) => newMappingRow(m.idpGroup, m.securityGroupId)),
    oidc: {
      issuer: provider?.oidc?.issuer ?? '',
      clientId: provider?.oidc?.clientId ?? '',
      clientSecret: '',
      scopes: provider?.oidc?.scopes ?? 'openid email profile',
      groupsClaim: provider?.oidc?.groupsClaim ?? 'groups',
    },
    clearClientSecret: false,
    saml: {
      entityId: provider?.saml?.entityId ?? '',
      ssoUrl: provider?.saml?.ssoUrl ?? '',
      logoutUrl: provider?.saml?.logoutUrl ?? '',
      certificate: provider?.saml?.certificate ?? '',
      groupsAttribute: provider?.saml?.groupsAttribute ?? 'groups',
    },
  };
}

/** "@Corp.Example " → "corp.example": people paste domains in many shapes. */
export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^@+/, '');
}

function commonBody(values: ProviderValues) {
  return {
    name: values.name,
    enabled: values.enabled,
    defaultGroupId: values.defaultGroupId ?? '',
    emailDomains: values.emailDomains,
    allowEmailLinking: values.allowEmailLinking,
    // A row left completely empty is not a mapping; a half-filled one is sent and gets its message.
    groupMappings: values.groupMappings
      .filter((row) => row.idpGroup.trim() !== '' || row.securityGroupId !== null)
      .map((row) => ({ idpGroup: row.idpGroup, securityGroupId: row.securityGroupId ?? '' })),
  };
}

function oidcBody(values: ProviderValues) {
  const { clientSecret, ...rest } = values.oidc;
  return clientSecret === '' ? rest : { ...rest, clientSecret };
}

export function createBody(values: ProviderValues): CreateIdentityProvider {
  return values.protocol === 'oidc'
    ? { protocol: 'oidc', ...commonBody(values), oidc: oidcBody(values) }
    : { protocol: 'saml', ...commonBody(values), saml: values.saml };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Only what changed, so a save never overwrites what another Administrator changed meanwhile. */
export function updateBody(initial: ProviderValues, values: ProviderValues): UpdateIdentityProvider {
  const before = commonBody(initial);
  const after = commonBody(values);
  const changes: UpdateIdentityProvider = {};
  if (after.name !== before.name) changes.name = after.name;
  if (after.defaultGroupId !== before.defaultGroupId) changes.defaultGroupId = after.defaultGroupId;
  if (!same(after.emailDomains, before.emailDomains)) changes.emailDomains = after.emailDomains;
  if (after.allowEmailLinking !== before.allowEmailLinking) changes.allowEmailLinking = after.allowEmailLinking;
  if (!same(after.groupMappings, before.groupMappings)) changes.groupMappings = after.groupMappings;
  if (values.protocol === 'oidc') {
    const oidc: NonNullable<UpdateIdentityProvider['oidc']> = {};
    for (const key of ['issuer', 'clientId', 'scopes', 'groupsClaim'] as const) {
      if (values.oidc[key] !== initial.oidc[key]) oidc[key] = values.oidc[key];
    }
    // Empty keeps the stored secret; "Clear" sends an empty one, which stores none (PKCE only).
    if (values.oidc.clientSecret !== '') oidc.clientSecret = values.oidc.clientSecret;
    else if (values.clearClientSecret) oidc.clientSecret = '';
    if (Object.keys(oidc).length > 0) changes.oidc = oidc;
  } else {
    const saml: NonNullable<UpdateIdentityProvider['saml']> = {};
    for (const key of ['entityId', 'ssoUrl', 'logoutUrl', 'certificate', 'groupsAttribute'] as const) {
      if (values.saml[key] !== initial.saml[key]) saml[key] = values.saml[key];
    }
    if (Object.keys(saml).length > 0) changes.saml = saml;
  }
  return changes;
}

export function isDirty(initial: ProviderValues, values: ProviderValues): boolean {
  const strip = (v: ProviderValues) => ({ ...v, groupMappings: commonBody(v).groupMappings });
  return !same(strip(initial), strip(values));
}

/** The shared contract's messages keyed by field path; empty when the body is valid. */
export function checkBody(body: CreateIdentityProvider | UpdateIdentityProvider, creating: boolean) {
  const result = creating ? CreateIdentityProviderSchema.safeParse(body) : UpdateIdentityProviderSchema.safeParse(body);
  const fields: Record<string, string> = {};
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.join('.');
      fields[path] ??= issue.message;
    }
  }
  return fields;
}
