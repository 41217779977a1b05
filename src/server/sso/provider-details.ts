/**
 * The Identity Providers page's view of a provider: its row with the default group's name, the
 * email domains, group mappings, how many accounts signed in through it and a summary of its
 * SAML certificate. Read with one query per related table, however many providers are listed.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { isPostgres } from '../db/portable.js';
import { AppError } from '../app-error.js';
import { describeCertificate } from '../security/certificates.js';
import { samlSettingsOf, type IdentityProviderRow } from './provider-settings.js';

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

/** The details of `rows`, in their order, read with one query per related table. */
export async function detailsOf(db: Kysely<Database>, rows: IdentityProviderRow[]): Promise<IdentityProviderDetails[]> {
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
export async function getProviderRow(db: Kysely<Database>, id: string, lock = false): Promise<IdentityProviderRow> {
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
