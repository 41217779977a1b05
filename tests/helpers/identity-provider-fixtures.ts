/**
 * Identity providers written straight into the database (the Identity Providers API has its own
 * tests), for tests of the sign-in flows and of the provisioning rules.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import { encryptSecret } from '../../src/server/security/encryption.js';
import {
  findIdentityProvider,
  identityProviderSecretAad,
  type IdentityProviderRow,
  type OidcSettings,
  type SamlSettings,
} from '../../src/server/sso/provider-settings.js';
import { nowIso } from '../../src/server/clock.js';
import type { UserWithGroup } from '../../src/server/db/schema.js';
import { makeUser, type TestApp } from './test-app.js';

export interface ProviderFixtureOptions {
  name?: string;
  enabled?: boolean;
  defaultGroupId?: string;
  allowEmailLinking?: boolean;
  emailDomains?: string[];
  /** IdP group → security group ID. */
  groupMappings?: Record<string, string>;
}

async function insertProvider(
  t: TestApp,
  protocol: 'oidc' | 'saml',
  settings: OidcSettings | SamlSettings,
  clientSecret: string | null,
  options: ProviderFixtureOptions,
): Promise<IdentityProviderRow> {
  const id = randomUUID();
  const name = options.name ?? `${protocol.toUpperCase()} ${randomBytes(3).toString('hex')}`;
  const now = new Date().toISOString();
  await t.db
    .insertInto('identity_providers')
    .values({
      id,
      name,
      name_normalized: name.toLowerCase(),
      protocol,
      enabled: options.enabled === false ? 0 : 1,
      default_group_id: options.defaultGroupId ?? SYSTEM_GROUP_IDS.readOnlyUser,
      allow_email_linking: options.allowEmailLinking ? 1 : 0,
      settings: JSON.stringify(settings),
      client_secret_encrypted: clientSecret
        ? encryptSecret(t.config.secretKey, clientSecret, identityProviderSecretAad(id))
        : null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (const domain of options.emailDomains ?? [])
    await t.db.insertInto('identity_provider_domains').values({ domain, provider_id: id }).execute();
  for (const [idpGroup, securityGroupId] of Object.entries(options.groupMappings ?? {}))
    await t.db
      .insertInto('identity_provider_group_mappings')
      .values({ provider_id: id, idp_group: idpGroup, security_group_id: securityGroupId })
      .execute();
  return (await findIdentityProvider(t.db, id))!;
}

export function insertOidcProvider(
  t: TestApp,
  settings: OidcSettings & { clientSecret?: string | null },
  options: ProviderFixtureOptions = {},
): Promise<IdentityProviderRow> {
  const { clientSecret = null, ...rest } = settings;
  return insertProvider(t, 'oidc', rest, clientSecret, options);
}

export function insertSamlProvider(
  t: TestApp,
  settings: SamlSettings,
  options: ProviderFixtureOptions = {},
): Promise<IdentityProviderRow> {
  return insertProvider(t, 'saml', settings, null, options);
}

/** An SSO account that signs in through the provider (a Read Only User, linked by its subject). */
export async function linkSsoAccount(
  t: TestApp,
  provider: Pick<IdentityProviderRow, 'id' | 'name'>,
): Promise<UserWithGroup> {
  const user = await makeUser(t, SYSTEM_GROUP_IDS.readOnlyUser, { userType: 'sso', ssoProvider: provider.name });
  await t.db
    .insertInto('sso_identities')
    .values({
      provider_id: provider.id,
      subject: `sub-${user.id}`,
      user_id: user.id,
      email: user.email,
      created_at: nowIso(),
      last_sign_in_at: null,
    })
    .execute();
  return user;
}
