import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../portable.js';

/**
 * The users list filters by MFA status (off / pending / on) at a million accounts. "Pending" is
 * "MFA required (mfa_enrolled = 1) and no confirmed factor": a fact about another table, which no
 * index of users could serve, so filtering by it read every account.
 *
 * - users.mfa_factor_confirmed: 1 while the account has a confirmed factor. Kept by triggers on
 *   mfa_factors (a factor added, confirmed, moved or removed), so every writer keeps it right: each
 *   service, the seed, an operator's own SQL. Each trigger recomputes the flag from the factors
 *   (never counts up or down) and writes only when it changes.
 * - users.mfa_status: generated from that flag and mfa_enrolled, by the same rule as the service's
 *   mfaStatusOf (a confirmed factor means "on", whatever the flag says); never written.
 * - An index (mfa_status, email, id): the filter with the default sort is one range of it, and a
 *   count of a status stops after its limit without touching the table.
 *
 * On SQLite, mfa_status is a VIRTUAL generated column (computed when read; the index stores it).
 * PostgreSQL has only STORED generated columns, and adding one rewrites the whole table and every
 * index under an exclusive lock (minutes at a million accounts, with sign-ins blocked); there it is
 * a plain column that a BEFORE trigger on users sets from the same rule on every insert and update
 * (whatever a writer put in it), so adding it is instant and only the accounts whose status is not
 * "off" are written once.
 */
/** The rule, on the row `row` ('' for the table's own columns, 'new.' inside a trigger). */
const statusRule = (row = '') =>
  `case when ${row}mfa_factor_confirmed = 1 then 'on' when ${row}mfa_enrolled = 1 then 'pending' else 'off' end`;

/** The flag as the factors say it, for the account `id` (an SQL expression). */
const confirmedFactorOf = (id: string) =>
  `case when exists (select 1 from mfa_factors f where f.user_id = ${id} and f.confirmed_at is not null) then 1 else 0 end`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  await sql`alter table users add column mfa_factor_confirmed integer not null default 0`.execute(db);
  if (postgres) {
    await sql`alter table users add column mfa_status text not null default 'off'`.execute(db);
    await sql
      .raw(
        `create function latchkey_users_mfa_status() returns trigger language plpgsql as $$
        begin
          new.mfa_status := ${statusRule('new.')};
          return new;
        end $$`,
      )
      .execute(db);
    // Only writes that can change the status pay for the trigger (a sign-in's last_login_at does not).
    await sql`create trigger users_mfa_status before insert or update of mfa_enrolled, mfa_factor_confirmed, mfa_status
      on users for each row execute function latchkey_users_mfa_status()`.execute(db);
    // One write per account that is not "off"; the trigger computes the status.
    await sql`update users set mfa_factor_confirmed = case when id in
        (select user_id from mfa_factors where confirmed_at is not null) then 1 else 0 end
      where mfa_enrolled = 1 or id in (select user_id from mfa_factors where confirmed_at is not null)`.execute(db);
  } else {
    await sql`update users set mfa_factor_confirmed = 1
      where id in (select user_id from mfa_factors where confirmed_at is not null)`.execute(db);
    await sql`alter table users add column mfa_status text generated always as (${sql.raw(statusRule())}) virtual`.execute(
      db,
    );
  }
  const email = postgres ? sql`email_normalized collate "C"` : sql`email_normalized`;
  await sql`create index users_mfa_status_email_idx on users (mfa_status, ${email}, id)`.execute(db);

  if (postgres) {
    await sql
      .raw(
        `create function latchkey_users_mfa_factor_confirmed() returns trigger language plpgsql as $$
        begin
          if tg_op <> 'INSERT' then
            update users set mfa_factor_confirmed = ${confirmedFactorOf('old.user_id')}
              where id = old.user_id and mfa_factor_confirmed <> ${confirmedFactorOf('old.user_id')};
          end if;
          if tg_op <> 'DELETE' then
            update users set mfa_factor_confirmed = ${confirmedFactorOf('new.user_id')}
              where id = new.user_id and mfa_factor_confirmed <> ${confirmedFactorOf('new.user_id')};
          end if;
          return null;
        end $$`,
      )
      .execute(db);
    await sql`create trigger mfa_factors_confirmed_flag after insert or delete or update of user_id, confirmed_at
      on mfa_factors for each row execute function latchkey_users_mfa_factor_confirmed()`.execute(db);
    return;
  }
  // SQLite has no "or" between trigger events: one trigger per event.
  const set = (row: 'old' | 'new') =>
    `update users set mfa_factor_confirmed = ${confirmedFactorOf(`${row}.user_id`)}
      where id = ${row}.user_id and mfa_factor_confirmed <> ${confirmedFactorOf(`${row}.user_id`)};`;
  const triggers = [
    ['insert', 'after insert', [set('new')]],
    ['delete', 'after delete', [set('old')]],
    ['update', 'after update of user_id, confirmed_at', [set('old'), set('new')]],
  ] as const;
  for (const [name, event, body] of triggers) {
    await sql
      .raw(`create trigger mfa_factors_confirmed_flag_${name} ${event} on mfa_factors begin ${body.join(' ')} end`)
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger mfa_factors_confirmed_flag on mfa_factors`.execute(db);
    await sql`drop function latchkey_users_mfa_factor_confirmed()`.execute(db);
    await sql`drop trigger users_mfa_status on users`.execute(db);
    await sql`drop function latchkey_users_mfa_status()`.execute(db);
  } else {
    for (const name of ['insert', 'delete', 'update'])
      await sql.raw(`drop trigger mfa_factors_confirmed_flag_${name}`).execute(db);
  }
  await sql`drop index users_mfa_status_email_idx`.execute(db);
  await sql`alter table users drop column mfa_status`.execute(db);
  await sql`alter table users drop column mfa_factor_confirmed`.execute(db);
}
