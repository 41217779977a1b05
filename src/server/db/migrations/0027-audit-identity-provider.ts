import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * The identity provider an audit entry is about (SCIM provisioning names its provider), as a column
 * with an index, so a provider's Provisioning section finds its latest entries among ten million
 * without reading them all: before, it searched every SCIM entry's details text for the
 * provider's ID. Entries written before are filled in from those details. Nullable, no foreign
 * key: the log outlives a deleted provider.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_events add column identity_provider_id text`.execute(db);
  const providerInDetails = isPostgres(db)
    ? sql`(details::jsonb ->> 'providerId')`
    : sql`json_extract(details, '$.providerId')`;
  await sql`update audit_events set identity_provider_id = ${providerInDetails} where action like 'scim.%'`.execute(db);
  await sql`create index audit_events_identity_provider_idx on audit_events (identity_provider_id, id)
    where identity_provider_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index audit_events_identity_provider_idx`.execute(db);
  await sql`alter table audit_events drop column identity_provider_id`.execute(db);
}
