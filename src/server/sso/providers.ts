/**
 * The Administrator's identity providers: create, change and remove OpenID Connect and SAML 2.0
 * providers. What the page reads is provider-details.ts; the checks before each write,
 * provider-validation.ts; "Test connection", connection-test.ts.
 *
 * Rules kept here: names unique in any letter case; an email domain belongs to one provider; the
 * default group and every mapped group exist; the OIDC client secret is stored only encrypted and
 * never leaves; a provider with accounts is not removed; each write and its audit entry share one
 * transaction, and every check runs before the first write, so a refusal changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { nowIso } from '../clock.js';
import { AppError } from '../app-error.js';
import { encryptSecret } from '../security/encryption.js';
import { describeCertificate, readCertificate } from '../security/certificates.js';
import type { CreateIdentityProvider, UpdateIdentityProvider } from '../../shared/schemas/identity-providers.js';
import { SSO_PROTOCOL_LABELS } from '../../shared/schemas/identity-providers.js';
import { recordAudit } from '../services/audit.js';
import { assertAllowed } from '../policies/decision.js';
import { removeProviderDecision } from '../policies/identity-providers.js';
import { detailsOf, getIdentityProvider, getProviderRow, type IdentityProviderDetails } from './provider-details.js';
import {
  identityProviderSecretAad,
  oidcSettingsOf,
  samlSettingsOf,
  type IdentityProviderRow,
  type OidcSettings,
  type SamlSettings,
} from './provider-settings.js';
import { checkCandidate, mapUniqueRace, samlCertificatePem, type ProviderCandidate } from './provider-validation.js';
import type { ActorContext } from '../request-context.js';

/** The request's context (who acts, from where) and what this service needs beyond it. */
export interface IdentityProviderContext extends ActorContext {
  /** The instance key that seals the OIDC client secret (config.secretKey). */
  secretKey: Buffer;
}

/** Replaces a provider's domains and group mappings with the candidate's. */
async function writeDomainsAndMappings(
  trx: Kysely<Database>,
  candidate: ProviderCandidate,
  what: { domains: boolean; mappings: boolean },
): Promise<void> {
  if (what.domains) {
    await trx.deleteFrom('identity_provider_domains').where('provider_id', '=', candidate.id).execute();
    if (candidate.emailDomains.length > 0)
      await trx
        .insertInto('identity_provider_domains')
        .values(candidate.emailDomains.map((domain) => ({ domain, provider_id: candidate.id })))
        .execute();
  }
  if (what.mappings) {
    await trx.deleteFrom('identity_provider_group_mappings').where('provider_id', '=', candidate.id).execute();
    if (candidate.groupMappings.length > 0)
      await trx
        .insertInto('identity_provider_group_mappings')
        .values(
          candidate.groupMappings.map((m) => ({
            provider_id: candidate.id,
            idp_group: m.idpGroup,
            security_group_id: m.securityGroupId,
          })),
        )
        .execute();
  }
}

/** The audit view of settings: public values only; a certificate by its subject and expiry, not its PEM. */
function auditableSettings(protocol: IdentityProviderRow['protocol'], settings: OidcSettings | SamlSettings) {
  if (protocol === 'oidc') return { ...(settings as OidcSettings) };
  const { certificate, ...rest } = settings as SamlSettings;
  const described = describeCertificate(certificate);
  return { ...rest, certificateSubject: described?.subject ?? '', certificateExpiresAt: described?.expiresAt ?? '' };
}

/** Lower-cased, de-duplicated, sorted: one spelling per domain. */
const normaliseDomains = (domains: readonly string[]) => [...new Set(domains.map((d) => d.toLowerCase()))].sort();

export async function createIdentityProvider(
  db: Db,
  ctx: IdentityProviderContext,
  input: CreateIdentityProvider,
): Promise<IdentityProviderDetails> {
  const id = randomUUID();
  let settings: OidcSettings | SamlSettings;
  let clientSecret = '';
  if (input.protocol === 'oidc') {
    const { clientSecret: secret = '', ...oidc } = input.oidc;
    settings = oidc;
    clientSecret = secret;
  } else {
    settings = { ...input.saml, certificate: samlCertificatePem(input.saml.certificate) };
  }
  const candidate: ProviderCandidate = {
    id,
    protocol: input.protocol,
    name: input.name,
    defaultGroupId: input.defaultGroupId,
    emailDomains: normaliseDomains(input.emailDomains),
    groupMappings: input.groupMappings,
    settings,
  };
  return db
    .transaction()
    .execute(async (trx) => {
      await checkCandidate(trx, candidate);
      const now = nowIso();
      await trx
        .insertInto('identity_providers')
        .values({
          id,
          name: input.name,
          name_normalized: input.name.toLowerCase(),
          protocol: input.protocol,
          enabled: input.enabled ? 1 : 0,
          default_group_id: input.defaultGroupId,
          allow_email_linking: input.allowEmailLinking ? 1 : 0,
          settings: JSON.stringify(settings),
          // Sealed with the provider's ID as associated data: copied to another row, it fails to decrypt.
          client_secret_encrypted: clientSecret
            ? encryptSecret(ctx.secretKey, clientSecret, identityProviderSecretAad(id))
            : null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await writeDomainsAndMappings(trx, candidate, { domains: true, mappings: true });
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'identity_provider.created',
        details: {
          providerId: id,
          name: input.name,
          protocol: input.protocol,
          enabled: input.enabled,
          defaultGroupId: input.defaultGroupId,
          allowEmailLinking: input.allowEmailLinking,
          emailDomains: candidate.emailDomains,
          groupMappings: candidate.groupMappings,
          settings: auditableSettings(input.protocol, settings),
          // Whether there is one, never what it is.
          clientSecret: input.protocol === 'oidc' ? (clientSecret ? 'set' : 'none') : undefined,
        },
        ip: ctx.ip,
      });
      return getIdentityProvider(trx, id);
    })
    .catch(mapUniqueRace);
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, i) => value === b[i]);
const mappingKey = (m: { idpGroup: string; securityGroupId: string }) => `${m.idpGroup}\u0000${m.securityGroupId}`;

/**
 * Applies `changes`; fields left out keep their value. A protocol's settings block for the other
 * protocol is a 400 (the protocol never changes: remove the provider and add it again).
 */
export async function updateIdentityProvider(
  db: Db,
  ctx: IdentityProviderContext,
  id: string,
  changes: UpdateIdentityProvider,
): Promise<IdentityProviderDetails> {
  return db
    .transaction()
    .execute(async (trx) => {
      const row = await getProviderRow(trx, id, true);
      const before = (await detailsOf(trx, [row]))[0]!;
      const otherProtocol = row.protocol === 'oidc' ? 'saml' : 'oidc';
      if (changes[otherProtocol] !== undefined) {
        const message = `This provider uses ${SSO_PROTOCOL_LABELS[row.protocol]}; its protocol cannot change. Remove it and add a new one instead.`;
        throw new AppError('validation_failed', message, { [otherProtocol]: message });
      }

      const audit: Record<string, unknown> = {};
      const change = <T>(field: string, from: T, to: T | undefined): T => {
        if (to === undefined || to === from) return from;
        audit[field] = { from, to };
        return to;
      };

      const name = change('name', row.name, changes.name);
      const enabled = change('enabled', row.enabled === 1, changes.enabled);
      const defaultGroupId = change('defaultGroupId', row.default_group_id, changes.defaultGroupId);
      const allowEmailLinking = change('allowEmailLinking', row.allow_email_linking === 1, changes.allowEmailLinking);

      const emailDomains = changes.emailDomains ? normaliseDomains(changes.emailDomains) : before.emailDomains;
      const domainsChanged = !sameList(emailDomains, before.emailDomains);
      if (domainsChanged)
        audit.emailDomains = {
          added: emailDomains.filter((d) => !before.emailDomains.includes(d)),
          removed: before.emailDomains.filter((d) => !emailDomains.includes(d)),
        };

      const beforeMappings = before.groupMappings.map(({ idpGroup, securityGroupId }) => ({
        idpGroup,
        securityGroupId,
      }));
      const groupMappings = changes.groupMappings ?? beforeMappings;
      const beforeKeys = beforeMappings.map(mappingKey).sort();
      const mappingsChanged = !sameList(groupMappings.map(mappingKey).sort(), beforeKeys);
      if (mappingsChanged)
        audit.groupMappings = {
          added: groupMappings.filter((m) => !beforeKeys.includes(mappingKey(m))),
          removed: beforeMappings.filter((m) => !groupMappings.some((n) => mappingKey(n) === mappingKey(m))),
        };

      let settings: OidcSettings | SamlSettings;
      let secretColumn = row.client_secret_encrypted;
      if (row.protocol === 'oidc') {
        const current = oidcSettingsOf(row);
        const { clientSecret, ...patch } = changes.oidc ?? {};
        settings = {
          issuer: change('oidc.issuer', current.issuer, patch.issuer),
          clientId: change('oidc.clientId', current.clientId, patch.clientId),
          scopes: change('oidc.scopes', current.scopes, patch.scopes),
          groupsClaim: change('oidc.groupsClaim', current.groupsClaim, patch.groupsClaim),
        } satisfies OidcSettings;
        // Left out: keep the stored secret. '': clear it (a public client). The audit says only that it changed.
        if (clientSecret === '' && row.client_secret_encrypted !== null) {
          secretColumn = null;
          audit.clientSecret = 'removed';
        } else if (clientSecret) {
          secretColumn = encryptSecret(ctx.secretKey, clientSecret, identityProviderSecretAad(id));
          audit.clientSecret = 'changed';
        }
      } else {
        const current = samlSettingsOf(row);
        const patch = changes.saml ?? {};
        const certificate =
          patch.certificate === undefined ? current.certificate : samlCertificatePem(patch.certificate);
        if (certificate !== current.certificate) {
          const from = describeCertificate(current.certificate);
          const to = readCertificate(certificate);
          audit['saml.certificate'] = {
            from: from && { subject: from.subject, expiresAt: from.expiresAt },
            to: { subject: to.subject, expiresAt: to.expiresAt },
          };
        }
        settings = {
          entityId: change('saml.entityId', current.entityId, patch.entityId),
          ssoUrl: change('saml.ssoUrl', current.ssoUrl, patch.ssoUrl),
          logoutUrl: change('saml.logoutUrl', current.logoutUrl, patch.logoutUrl),
          certificate,
          groupsAttribute: change('saml.groupsAttribute', current.groupsAttribute, patch.groupsAttribute),
        } satisfies SamlSettings;
      }

      if (Object.keys(audit).length === 0) return before;

      await checkCandidate(trx, {
        id,
        protocol: row.protocol,
        name,
        defaultGroupId,
        emailDomains,
        groupMappings,
        settings,
      });

      await trx
        .updateTable('identity_providers')
        .set({
          name,
          name_normalized: name.toLowerCase(),
          enabled: enabled ? 1 : 0,
          default_group_id: defaultGroupId,
          allow_email_linking: allowEmailLinking ? 1 : 0,
          settings: JSON.stringify(settings),
          client_secret_encrypted: secretColumn,
          updated_at: nowIso(),
        })
        .where('id', '=', id)
        .execute();
      await writeDomainsAndMappings(
        trx,
        { id, protocol: row.protocol, name, defaultGroupId, emailDomains, groupMappings, settings },
        { domains: domainsChanged, mappings: mappingsChanged },
      );
      if (name !== row.name) {
        // "Managed by <name>" on the View User page follows the rename, for the accounts it vouches for.
        await trx
          .updateTable('users')
          .set({ sso_provider: name })
          .where('id', 'in', trx.selectFrom('sso_identities').select('user_id').where('provider_id', '=', id))
          .execute();
      }
      // Disabling a provider (say, one that is compromised) also ends every session it started, on
      // every node at once (sessions are checked in the database on each request).
      let sessionsEnded = 0;
      if (row.enabled === 1 && !enabled) {
        const ended = await trx.deleteFrom('sessions').where('identity_provider_id', '=', id).executeTakeFirst();
        sessionsEnded = Number(ended.numDeletedRows);
      }
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'identity_provider.updated',
        details: {
          providerId: id,
          name,
          protocol: row.protocol,
          changes: audit,
          ...(sessionsEnded > 0 ? { sessionsEnded } : {}),
        },
        ip: ctx.ip,
      });
      return getIdentityProvider(trx, id);
    })
    .catch(mapUniqueRace);
}

function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/**
 * Removes a provider with no accounts, with its domains, group mappings, sign-ins in progress and
 * remembered SAML assertions. A provider with accounts is refused (409): disabling it is the way
 * to stop sign-ins without orphaning those accounts.
 */
export async function deleteIdentityProvider(db: Db, ctx: Omit<IdentityProviderContext, 'secretKey'>, id: string) {
  await db
    .transaction()
    .execute(async (trx) => {
      // Locked first, then counted: a sign-in creating an identity meanwhile waits for this row,
      // and then trips sso_identities' foreign key (mapped to the same 409 below).
      const row = await getProviderRow(trx, id, true);
      const { accountCount } = (await detailsOf(trx, [row]))[0]!;
      assertAllowed(removeProviderDecision(ctx.actor, accountCount));
      for (const table of [
        'identity_provider_domains',
        'identity_provider_group_mappings',
        'sso_login_flows',
        'sso_used_assertions',
      ] as const) {
        await trx.deleteFrom(table).where('provider_id', '=', id).execute();
      }
      // No foreign key on sessions: a session that outlived its account's identity must not point at nothing.
      await trx
        .updateTable('sessions')
        .set({ identity_provider_id: null })
        .where('identity_provider_id', '=', id)
        .execute();
      await trx.deleteFrom('identity_providers').where('id', '=', id).execute();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'identity_provider.deleted',
        details: { providerId: id, name: row.name, protocol: row.protocol },
        ip: ctx.ip,
      });
    })
    .catch((error: unknown) => {
      throw isForeignKeyViolation(error) ? new AppError('provider_has_accounts') : error;
    });
}
