/** Identity providers as the API shows them (what the viewer may do: policies/identity-providers.ts). */
import type { Actor } from '../auth/actor.js';
import { identityProviderDecisions } from '../policies/identity-providers.js';
import type { IdentityProviderDetails } from '../sso/provider-details.js';
import {
  oidcSettingsOf,
  samlSettingsOf,
  serviceProviderUrls,
  ssoStartPath,
  type IdentityProviderRow,
} from '../sso/provider-settings.js';
import type { IdentityProvider } from '../../shared/schemas/identity-providers.js';

/**
 * A provider as the Identity Providers page shows it. Fields are listed one by one: the client
 * secret (and its ciphertext) can never slip out, only whether one is stored.
 */
export function presentIdentityProvider(
  details: IdentityProviderDetails,
  publicUrl: URL,
  viewer: Actor,
): IdentityProvider {
  const { row } = details;
  const urls = serviceProviderUrls(publicUrl, row.id);
  const oidc = row.protocol === 'oidc' ? oidcSettingsOf(row) : null;
  const saml = row.protocol === 'saml' ? samlSettingsOf(row) : null;
  return {
    id: row.id,
    name: row.name,
    protocol: row.protocol,
    enabled: row.enabled === 1,
    defaultGroup: { id: row.default_group_id, name: details.defaultGroupName },
    emailDomains: details.emailDomains,
    allowEmailLinking: row.allow_email_linking === 1,
    groupMappings: details.groupMappings.map((m) => ({
      idpGroup: m.idpGroup,
      securityGroupId: m.securityGroupId,
      securityGroupName: m.securityGroupName,
    })),
    oidc: oidc && {
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      scopes: oidc.scopes,
      groupsClaim: oidc.groupsClaim,
      hasClientSecret: row.client_secret_encrypted !== null,
    },
    saml: saml && {
      entityId: saml.entityId,
      ssoUrl: saml.ssoUrl,
      logoutUrl: saml.logoutUrl,
      groupsAttribute: saml.groupsAttribute,
      certificate: saml.certificate,
      certificateSubject: details.certificate?.subject ?? '',
      certificateExpiresAt: details.certificate?.expiresAt ?? '',
    },
    serviceProvider: {
      redirectUri: oidc ? urls.oidcRedirectUri : null,
      postLogoutRedirectUri: oidc ? urls.postLogoutRedirectUri : null,
      entityId: saml ? urls.samlEntityId : null,
      acsUrl: saml ? urls.samlAcsUrl : null,
      metadataUrl: saml ? urls.samlMetadataUrl : null,
    },
    accountCount: details.accountCount,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    can: identityProviderDecisions(viewer, details),
  };
}

/** A "Sign in with …" button: public, so only what the sign-in page needs. */
export function presentSsoButton(row: IdentityProviderRow) {
  return { id: row.id, name: row.name, protocol: row.protocol, startUrl: ssoStartPath(row) };
}
