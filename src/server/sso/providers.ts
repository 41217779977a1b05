/**
 * The Administrator's identity providers: create, read, change, remove and test OpenID
 * Connect and SAML 2.0 providers, and the two public questions the sign-in page asks (which
 * providers to offer, which provider owns an email's domain).
 *
 * Rules kept here: names unique in any letter case; an email domain belongs to one provider; the
 * default group and every mapped group exist; the OIDC client secret is stored only encrypted and
 * never leaves; a provider with accounts is not removed; each write and its audit entry share one
 * transaction, and every check runs before the first write, so a refusal changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { isPostgres, isUniqueViolation } from '../db/portable.js';
import { nowIso, nowMs } from '../clock.js';
import { AppError } from '../app-error.js';
import type { Actor } from '../auth/actor.js';
import { encryptSecret } from '../security/encryption.js';
import {
  certificateValidityAt,
  describeCertificate,
  parseCertificate,
  readCertificate,
} from '../security/certificates.js';
import type {
  ConnectionTest,
  CreateIdentityProvider,
  UpdateIdentityProvider,
} from '../../shared/schemas/identity-providers.js';
import { SSO_PROTOCOL_LABELS } from '../../shared/schemas/identity-providers.js';
import { recordAudit } from '../services/audit.js';
import {
  clientSecretOf,
  identityProviderSecretAad,
  oidcSettingsOf,
  samlSettingsOf,
  type IdentityProviderRow,
  type OidcSettings,
  type SamlSettings,
} from './provider-settings.js';
import { findGroupWithPermissions } from '../services/security-groups.js';

export interface IdentityProviderContext {
  actor: Actor;
  ip: string;
  /** The instance key that seals the OIDC client secret (config.secretKey). */
  secretKey: Buffer;
}

export interface GroupMappingDetails {
  idpGroup: string;
  securityGroupId: string;
  securityGroupName: string;
}

/** A provider with what the Identity Providers page shows beside its row. */
export interface IdentityProviderDetails {
  row: IdentityProviderRow;
  defaultGroupName: string;
  /** Sorted. */
  emailDomains: string[];
  /** Sorted by IdP group name. */
  groupMappings: GroupMappingDetails[];
  /** sso_identities rows: accounts that signed in through it. */
  accountCount: number;
  /** SAML only: the stored certificate's subject and expiry (null when OIDC, or when it no longer parses). */
  certificate: { subject: string; expiresAt: string } | null;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The details of `rows`, in their order, read with one query per related table. */
async function detailsOf(db: Kysely<Database>, rows: IdentityProviderRow[]): Promise<IdentityProviderDetails[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [domains, mappings, counts, groups] = await Promise.all([
    db.selectFrom('identity_provider_domains').selectAll().where('provider_id', 'in', ids).execute(),
    db
      .selectFrom('identity_provider_group_mappings as m')
      .innerJoin('security_groups as g', 'g.id', 'm.security_group_id')
      .select(['m.provider_id', 'm.idp_group', 'm.security_group_id', 'g.name as group_name'])
      .where('m.provider_id', 'in', ids)
      .execute(),
    db
      .selectFrom('sso_identities')
      .select(['provider_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('provider_id', 'in', ids)
      .groupBy('provider_id')
      .execute(),
    db
      .selectFrom('security_groups')
      .select(['id', 'name'])
      .where('id', 'in', [...new Set(rows.map((row) => row.default_group_id))])
      .execute(),
  ]);
  const groupName = new Map(groups.map((group) => [group.id, group.name]));
  const accountCount = new Map(counts.map((count) => [count.provider_id, Number(count.n)]));
  return rows.map((row) => ({
    row,
    defaultGroupName: groupName.get(row.default_group_id) ?? '',
    emailDomains: domains
      .filter((d) => d.provider_id === row.id)
      .map((d) => d.domain)
      .sort(),
    groupMappings: mappings
      .filter((m) => m.provider_id === row.id)
      .map((m) => ({ idpGroup: m.idp_group, securityGroupId: m.security_group_id, securityGroupName: m.group_name }))
      .sort((a, b) => (a.idpGroup < b.idpGroup ? -1 : a.idpGroup > b.idpGroup ? 1 : 0)),
    accountCount: accountCount.get(row.id) ?? 0,
    certificate: row.protocol === 'saml' ? describeCertificate(samlSettingsOf(row).certificate) : null,
  }));
}

/** Every provider, sorted by name (in any letter case). */
export async function listIdentityProviders(db: Db): Promise<IdentityProviderDetails[]> {
  const rows = await db.selectFrom('identity_providers').selectAll().orderBy('name_normalized').execute();
  return detailsOf(db, rows);
}

/**
 * One provider row or 404. Inside a transaction on PostgreSQL, `lock` holds the row until the end
 * so a change or removal and a concurrent sign-in cannot interleave; SQLite serialises writes.
 */
async function getProviderRow(db: Kysely<Database>, id: string, lock = false): Promise<IdentityProviderRow> {
  let query = db.selectFrom('identity_providers').selectAll().where('id', '=', id);
  if (lock && isPostgres(db as Kysely<unknown>)) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new AppError('not_found', 'No identity provider with this ID.');
  return row;
}

/** One provider with its details, or 404. */
export async function getIdentityProvider(db: Kysely<Database>, id: string): Promise<IdentityProviderDetails> {
  const [details] = await detailsOf(db, [await getProviderRow(db, id)]);
  return details!;
}

// ---------------------------------------------------------------------------------------------
// Validation: every check runs before the first write.

/** The hosts a provider may be reached on over plain http: this machine only (tests, local IdPs). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** https, or http to a loopback host; anything else would send people's sign-ins over the open network. */
export function isAllowedProviderUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

const HTTPS_REQUIRED = 'Use an https:// address (plain http is allowed only for 127.0.0.1, ::1 and localhost).';

/** 400 field errors, gathered so the form can mark every bad field at once. */
class FieldErrors {
  private readonly fields: Record<string, string> = {};
  add(field: string, message: string): void {
    this.fields[field] ??= message;
  }
  throwIfAny(): void {
    const messages = Object.values(this.fields);
    if (messages.length > 0) throw new AppError('validation_failed', messages[0], this.fields);
  }
}

/** What a provider will look like after a create or update, checked as a whole. */
interface ProviderCandidate {
  id: string;
  protocol: IdentityProviderRow['protocol'];
  name: string;
  defaultGroupId: string;
  emailDomains: string[];
  groupMappings: Array<{ idpGroup: string; securityGroupId: string }>;
  settings: OidcSettings | SamlSettings;
}

function checkSettings(candidate: ProviderCandidate, errors: FieldErrors): void {
  if (candidate.protocol === 'oidc') {
    const settings = candidate.settings as OidcSettings;
    if (!isAllowedProviderUrl(settings.issuer)) errors.add('oidc.issuer', HTTPS_REQUIRED);
  } else {
    const settings = candidate.settings as SamlSettings;
    if (!isAllowedProviderUrl(settings.ssoUrl)) errors.add('saml.ssoUrl', HTTPS_REQUIRED);
    if (settings.logoutUrl !== '' && !isAllowedProviderUrl(settings.logoutUrl))
      errors.add('saml.logoutUrl', HTTPS_REQUIRED);
  }
}

function checkMappingsShape(candidate: ProviderCandidate, errors: FieldErrors): void {
  const seen = new Set<string>();
  candidate.groupMappings.forEach((mapping, index) => {
    if (seen.has(mapping.idpGroup))
      errors.add(
        `groupMappings.${index}.idpGroup`,
        `The identity provider group "${mapping.idpGroup}" is mapped twice; map each group once.`,
      );
    seen.add(mapping.idpGroup);
  });
}

/**
 * The default and mapped security groups exist. Each is read with a share lock on PostgreSQL, so
 * it cannot be deleted while this transaction references it (deleteGroup takes an update lock).
 */
async function checkGroupsExist(
  trx: Kysely<Database>,
  candidate: ProviderCandidate,
  errors: FieldErrors,
): Promise<void> {
  const exists = new Map<string, boolean>();
  const groupExists = async (id: string) => {
    if (!exists.has(id)) exists.set(id, (await findGroupWithPermissions(trx, id, 'share')) !== undefined);
    return exists.get(id)!;
  };
  if (!(await groupExists(candidate.defaultGroupId)))
    errors.add('defaultGroupId', 'This security group does not exist. Choose another.');
  for (const [index, mapping] of candidate.groupMappings.entries()) {
    if (!(await groupExists(mapping.securityGroupId)))
      errors.add(`groupMappings.${index}.securityGroupId`, 'This security group does not exist. Choose another.');
  }
}

/**
 * Provider names are unique in any letter case (name_normalized is unique). On PostgreSQL a
 * transaction-scoped advisory lock makes concurrent creates and renames take turns, so the 409
 * comes from this check rather than from the constraint.
 */
async function checkNameFree(trx: Kysely<Database>, candidate: ProviderCandidate): Promise<void> {
  if (isPostgres(trx as Kysely<unknown>)) await sql`select pg_advisory_xact_lock(${PROVIDER_WRITE_LOCK})`.execute(trx);
  const clash = await trx
    .selectFrom('identity_providers')
    .select('id')
    .where('name_normalized', '=', candidate.name.toLowerCase())
    .where('id', '!=', candidate.id)
    .executeTakeFirst();
  if (clash) throw nameTaken();
}

/** An arbitrary, fixed key for the advisory lock that serialises provider name and domain changes. */
const PROVIDER_WRITE_LOCK = 734_501_006;

const nameTaken = () =>
  new AppError('provider_name_taken', undefined, { name: 'An identity provider with this name already exists.' });

/** Each domain belongs to one provider: a 409 naming the domains another provider already has. */
async function checkDomainsFree(trx: Kysely<Database>, candidate: ProviderCandidate): Promise<void> {
  if (candidate.emailDomains.length === 0) return;
  const taken = await trx
    .selectFrom('identity_provider_domains as d')
    .innerJoin('identity_providers as p', 'p.id', 'd.provider_id')
    .select(['d.domain', 'p.name'])
    .where('d.domain', 'in', candidate.emailDomains)
    .where('d.provider_id', '!=', candidate.id)
    .orderBy('d.domain')
    .execute();
  if (taken.length === 0) return;
  const message = `${taken.map((t) => `${t.domain} already belongs to ${t.name}`).join('; ')}. A domain can have only one identity provider.`;
  throw new AppError('email_domain_taken', message, { emailDomains: message });
}

/** The whole candidate: 400s (every bad field at once) first, then the 409s. */
async function checkCandidate(trx: Kysely<Database>, candidate: ProviderCandidate): Promise<void> {
  const errors = new FieldErrors();
  checkSettings(candidate, errors);
  checkMappingsShape(candidate, errors);
  await checkGroupsExist(trx, candidate, errors);
  errors.throwIfAny();
  await checkNameFree(trx, candidate);
  await checkDomainsFree(trx, candidate);
}

/** A concurrent write that slipped past the checks still ends as the same 409 (never a 500). */
function mapUniqueRace(error: unknown): never {
  if (!isUniqueViolation(error)) throw error;
  const text = `${(error as { constraint?: string }).constraint ?? ''} ${(error as Error).message}`;
  throw text.includes('domain')
    ? new AppError('email_domain_taken', undefined, {
        emailDomains: 'One of these domains was just given to another identity provider.',
      })
    : nameTaken();
}

/** The stored form of a SAML certificate: normalised PEM (a 400 on saml.certificate when it does not parse). */
function samlCertificatePem(input: string): string {
  return parseCertificate(input, 'saml.certificate').pem;
}

// ---------------------------------------------------------------------------------------------
// Writing

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
      if (accountCount > 0) throw new AppError('provider_has_accounts');
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

// ---------------------------------------------------------------------------------------------
// Public: the sign-in page

/** Enabled providers, sorted by name: the "Sign in with …" buttons. */
export async function listEnabledIdentityProviders(db: Db): Promise<IdentityProviderRow[]> {
  return db.selectFrom('identity_providers').selectAll().where('enabled', '=', 1).orderBy('name_normalized').execute();
}

/**
 * The enabled provider that owns the email's domain (the part after the last "@", in any letter
 * case), or undefined. It looks at domains only, so it says nothing about whether an account exists.
 */
export async function findIdentityProviderForEmail(db: Db, email: string): Promise<IdentityProviderRow | undefined> {
  const domain = email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
  if (!domain) return undefined;
  return db
    .selectFrom('identity_provider_domains as d')
    .innerJoin('identity_providers as p', 'p.id', 'd.provider_id')
    .selectAll('p')
    .where('d.domain', '=', domain)
    .where('p.enabled', '=', 1)
    .executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// Connection test

type Check = ConnectionTest['checks'][number];

/** How long the whole discovery fetch may take; the administrator is waiting for the answer. */
const DISCOVERY_TIMEOUT_MS = 5_000;
const DISCOVERY_MAX_BYTES = 512 * 1024;
const MAX_SAME_HOST_REDIRECTS = 3;

/** The words for a failed fetch: a timeout, or the network error's code (never the URL's secrets: there are none). */
function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${DISCOVERY_TIMEOUT_MS / 1000} seconds`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused (nothing listens there)',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name could not be resolved',
    ECONNRESET: 'the connection was reset',
    ETIMEDOUT: 'the connection timed out',
    EHOSTUNREACH: 'the host is unreachable',
    CERT_HAS_EXPIRED: 'its TLS certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted',
    ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
  };
  if (cause?.code && reasons[cause.code]) return reasons[cause.code]!;
  if (cause?.code) return `network error ${cause.code}`;
  return 'a network error';
}

/** The body as text, refusing one larger than `maxBytes` (a discovery document is a few KiB). */
async function readLimited(response: Response, maxBytes: number): Promise<string | null> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs the discovery document: redirects are followed only on the same origin (a redirect to
 * another host could point the test, and this server, anywhere), with one deadline for it all.
 */
async function fetchDiscovery(url: URL): Promise<{ document: Record<string, unknown> } | { failure: string }> {
  const signal = AbortSignal.timeout(DISCOVERY_TIMEOUT_MS);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const response = await fetch(current, { redirect: 'manual', signal, headers: { accept: 'application/json' } });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        const next = new URL(location, current);
        if (next.origin !== url.origin)
          return { failure: `it redirects to another host (${next.origin}), which Latchkey does not follow` };
        if (hop >= MAX_SAME_HOST_REDIRECTS) return { failure: 'it redirects too many times' };
        current = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        return { failure: `it answered HTTP ${response.status}` };
      }
      const text = await readLimited(response, DISCOVERY_MAX_BYTES);
      if (text === null) return { failure: `the answer is larger than ${DISCOVERY_MAX_BYTES / 1024} KiB` };
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        return { failure: 'the answer is not JSON' };
      }
      if (document === null || typeof document !== 'object' || Array.isArray(document))
        return { failure: 'the answer is not a JSON object' };
      return { document: document as Record<string, unknown> };
    }
  } catch (error) {
    return { failure: describeFetchError(error) };
  }
}

/** Where OpenID Connect Discovery 1.0 §4 says the configuration of `issuer` is. */
export function discoveryUrlOf(issuer: string): URL {
  return new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
}

async function checkOidcProvider(row: IdentityProviderRow, secretKey: Buffer): Promise<Check[]> {
  const settings = oidcSettingsOf(row);
  const checks: Check[] = [];
  if (!isAllowedProviderUrl(settings.issuer)) {
    checks.push({ name: 'Issuer URL', ok: false, message: `${settings.issuer} is not allowed. ${HTTPS_REQUIRED}` });
  } else {
    const url = discoveryUrlOf(settings.issuer);
    const fetched = await fetchDiscovery(url);
    if ('failure' in fetched) {
      checks.push({
        name: 'Discovery document',
        ok: false,
        message: `Could not read ${url.href}: ${fetched.failure}.`,
      });
    } else {
      const { document } = fetched;
      checks.push({ name: 'Discovery document', ok: true, message: `Read ${url.href}.` });
      const issuer = document.issuer;
      checks.push(
        issuer === settings.issuer
          ? { name: 'Issuer', ok: true, message: `The provider names itself ${settings.issuer}, as configured.` }
          : {
              name: 'Issuer',
              ok: false,
              message:
                typeof issuer === 'string'
                  ? `The provider names itself ${issuer}, but the configured issuer is ${settings.issuer}. They must match exactly (including any trailing slash).`
                  : 'The discovery document has no issuer.',
            },
      );
      for (const [field, label] of [
        ['authorization_endpoint', 'Authorization endpoint'],
        ['token_endpoint', 'Token endpoint'],
        ['jwks_uri', 'Signing keys (jwks_uri)'],
      ] as const) {
        const value = document[field];
        checks.push(
          typeof value === 'string' && value !== ''
            ? { name: label, ok: true, message: `${field}: ${value}` }
            : { name: label, ok: false, message: `The discovery document has no ${field}.` },
        );
      }
    }
  }
  try {
    const secret = clientSecretOf(row, secretKey);
    checks.push({
      name: 'Client secret',
      ok: true,
      message: secret
        ? 'A client secret is stored and can be decrypted.'
        : 'No client secret is stored: Latchkey signs in as a public client (PKCE only).',
    });
  } catch {
    checks.push({
      name: 'Client secret',
      ok: false,
      message:
        'The stored client secret cannot be decrypted with this server’s secret key (was the key changed?). Enter the secret again.',
    });
  }
  return checks;
}

function checkSamlProvider(row: IdentityProviderRow): Check[] {
  const settings = samlSettingsOf(row);
  const checks: Check[] = [];
  try {
    const certificate = readCertificate(settings.certificate);
    const validity = certificateValidityAt(certificate, nowMs());
    checks.push({
      name: 'Signing certificate',
      ok: validity.ok,
      message: `${certificate.subject}: ${validity.message}`,
    });
  } catch (error) {
    checks.push({
      name: 'Signing certificate',
      ok: false,
      message: `The stored certificate cannot be read: ${(error as Error).message}`,
    });
  }
  checks.push(
    isAllowedProviderUrl(settings.ssoUrl)
      ? { name: 'SSO URL', ok: true, message: `People are sent to ${settings.ssoUrl} to sign in.` }
      : { name: 'SSO URL', ok: false, message: `${settings.ssoUrl} is not allowed. ${HTTPS_REQUIRED}` },
  );
  if (settings.logoutUrl !== '')
    checks.push(
      isAllowedProviderUrl(settings.logoutUrl)
        ? { name: 'Logout URL', ok: true, message: `Sign-out is offered at ${settings.logoutUrl}.` }
        : { name: 'Logout URL', ok: false, message: `${settings.logoutUrl} is not allowed. ${HTTPS_REQUIRED}` },
    );
  checks.push(
    settings.entityId.trim() !== ''
      ? { name: 'Entity ID', ok: true, message: `Assertions must come from ${settings.entityId}.` }
      : { name: 'Entity ID', ok: false, message: 'The identity provider’s Entity ID is empty.' },
  );
  return checks;
}

/**
 * Checks a provider's configuration without signing anyone in: for OIDC, its discovery document
 * and the stored client secret; for SAML, the certificate, URLs and Entity ID. A network failure
 * is a failed check with its reason, never an error.
 */
export async function testIdentityProviderConnection(db: Db, secretKey: Buffer, id: string): Promise<ConnectionTest> {
  const row = await getProviderRow(db, id);
  const checks = row.protocol === 'oidc' ? await checkOidcProvider(row, secretKey) : checkSamlProvider(row);
  return { ok: checks.every((check) => check.ok), checks };
}
