import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * What the Sessions tab of an account shows about each of its sessions, beyond what 0001 kept
 * (address, user agent, signed in, last seen) and 0007 (the identity provider):
 *
 * - sessions.public_id: a random, non-secret name for a session, for the API and the UI to point
 *   at one (the session ID is a secret: only its hash is stored, and neither is ever shown). Kept
 *   by a rotation, which is the same sign-in with a new secret.
 * - sessions.sign_in_method: how it signed in: 'password', 'mfa' (a password and an authenticator
 *   app or recovery code), 'passkey' (a password and a passkey) or 'sso' (identity_provider_id
 *   names the provider).
 *
 * Sessions that exist already (at most 12 hours' worth) get a random public ID each, 'sso' when
 * they came through an identity provider, 'mfa' when their account has a confirmed second factor
 * (it could not have signed in without it), else 'password'. Neither column is in the credential
 * change triggers (0010): naming a session changes nothing it may do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sessions add column public_id text not null default ''`.execute(db);
  await sql`alter table sessions add column sign_in_method text not null default 'password'`.execute(db);
  const random = isPostgres(db)
    ? sql`md5(random()::text || clock_timestamp()::text || id_hash)`
    : sql`lower(hex(randomblob(16)))`;
  await sql`update sessions set public_id = ${random}`.execute(db);
  await sql`update sessions set sign_in_method = case
      when identity_provider_id is not null then 'sso'
      when user_id in (select user_id from mfa_factors where confirmed_at is not null) then 'mfa'
      else 'password' end`.execute(db);
  await sql`create unique index sessions_public_id_idx on sessions (public_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index sessions_public_id_idx`.execute(db);
  await sql`alter table sessions drop column sign_in_method`.execute(db);
  await sql`alter table sessions drop column public_id`.execute(db);
}
