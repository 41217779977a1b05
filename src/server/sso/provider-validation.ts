/**
 * The checks an identity provider must pass before it is created or changed. Every check runs
 * before the first write, so a refusal changes nothing: first the 400s, every bad field at once
 * (URLs, mappings, security groups that do not exist), then the 409s (a name taken in any letter
 * case, an email domain that belongs to another provider).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { isPostgres, isUniqueViolation } from '../db/portable.js';
import { AppError } from '../app-error.js';
import { parseCertificate } from '../security/certificates.js';
import { findGroupWithPermissions } from '../services/security-groups.js';
import { isLoopbackHost } from './loopback.js';
import type { IdentityProviderRow, OidcSettings, SamlSettings } from './provider-settings.js';

/** https, or http to a loopback host; anything else would send people's sign-ins over the open network. */
export function isAllowedProviderUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url));
}

export const HTTPS_REQUIRED = 'Use an https:// address (plain http is allowed only for 127.0.0.1, ::1 and localhost).';

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
export interface ProviderCandidate {
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
export async function checkCandidate(trx: Kysely<Database>, candidate: ProviderCandidate): Promise<void> {
  const errors = new FieldErrors();
  checkSettings(candidate, errors);
  checkMappingsShape(candidate, errors);
  await checkGroupsExist(trx, candidate, errors);
  errors.throwIfAny();
  await checkNameFree(trx, candidate);
  await checkDomainsFree(trx, candidate);
}

/** A concurrent write that slipped past the checks still ends as the same 409 (never a 500). */
export function mapUniqueRace(error: unknown): never {
  if (!isUniqueViolation(error)) throw error;
  const text = `${(error as { constraint?: string }).constraint ?? ''} ${(error as Error).message}`;
  throw text.includes('domain')
    ? new AppError('email_domain_taken', undefined, {
        emailDomains: 'One of these domains was just given to another identity provider.',
      })
    : nameTaken();
}

/** The stored form of a SAML certificate: normalised PEM (a 400 on saml.certificate when it does not parse). */
export function samlCertificatePem(input: string): string {
  return parseCertificate(input, 'saml.certificate').pem;
}
