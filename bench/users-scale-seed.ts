/**
 * Fills a scratch database with N synthetic accounts by SQL alone (a recursive CTE on SQLite,
 * generate_series on PostgreSQL), for measuring the User Accounts list at a million rows without
 * waiting for argon2 or the API. Not for real installations: every account has the same unusable
 * password hash.
 *
 *   node --import tsx bench/users-scale-seed.ts sqlite /tmp/scale.db 1000000
 *   node --import tsx bench/users-scale-seed.ts postgres postgres://postgres@127.0.0.1:5432/scratch 1000000
 *
 * Emails are user<n>@example.test (so "user5" matches 111,111 of a million); names come from lists
 * that include non-ASCII ones (Åsa, Strauß, Élodie); about 5 % are disabled, 10 % SSO, 20 % never
 * signed in, 30 % have a confirmed MFA factor and 5 % more must still enrol.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/server/db/connection.js';
import { migrateToLatest } from '../src/server/db/migrate.js';
import { isPostgres } from '../src/server/db/portable.js';

export const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Margaret',
  'Dennis',
  'Barbara',
  'Ken',
  'Frances',
  'John',
  'Radia',
  'Tim',
  'Katherine',
  'Donald',
  'Hedy',
  'Edsger',
  'Annie',
  'Niklaus',
  'Sophie',
  'Bjarne',
  'Åsa',
  'Jürgen',
  'Élodie',
  'Søren',
  'José',
  'Zoë',
  'Björn',
  'Chloé',
  'Maëlle',
  'Ørjan',
  'Mary',
  'James',
  'Patricia',
  'Robert',
  'Jennifer',
  'Michael',
  'Linda',
  'William',
  'Elizabeth',
  'David',
  'Susan',
  'Richard',
  'Jessica',
  'Joseph',
  'Sarah',
  'Thomas',
  'Karen',
  'Charles',
  'Nancy',
  'Christopher',
  'Lisa',
  'Daniel',
  'Betty',
  'Matthew',
  'Helen',
  'Anthony',
  'Sandra',
  'Mark',
  'Donna',
  'Paul',
  'Carol',
  'Steven',
  'Ruth',
  'Andrew',
  'Sharon',
  'Kenneth',
  'Michelle',
  'Joshua',
  'Laura',
  'Kevin',
  'Emily',
  'Brian',
  'Kimberly',
  'George',
  'Deborah',
  'Timothy',
  'Dorothy',
  'Ronald',
  'Amy',
  'Jason',
  'Angela',
  'Edward',
  'Ashley',
  'Jeffrey',
  'Brenda',
  'Ryan',
  'Emma',
  'Jacob',
  'Olivia',
  'Gary',
  'Cynthia',
];
export const LAST_NAMES = [
  'Hopper',
  'Lovelace',
  'Turing',
  'Torvalds',
  'Hamilton',
  'Ritchie',
  'Liskov',
  'Thompson',
  'Allen',
  'McCarthy',
  'Perlman',
  'Berners-Lee',
  'Johnson',
  'Knuth',
  'Lamarr',
  'Dijkstra',
  'Easley',
  'Wirth',
  'Wilson',
  'Stroustrup',
  'Ångström',
  'Strauß',
  'Großmann',
  'Müller',
  'Núñez',
  'Éclair',
  'Løvaas',
  'Çelik',
  'Dvořák',
  'Østergaard',
  'Smith',
  'Jones',
  'Williams',
  'Brown',
  'Davis',
  'Miller',
  'Moore',
  'Taylor',
  'Anderson',
  'Thomas',
  'Jackson',
  'White',
  'Harris',
  'Martin',
  'Garcia',
  'Martinez',
  'Robinson',
  'Clark',
  'Rodriguez',
  'Lewis',
  'Lee',
  'Walker',
  'Hall',
  'Young',
  'Hernandez',
  'King',
  'Wright',
  'Lopez',
  'Hill',
  'Scott',
  'Green',
  'Adams',
  'Baker',
  'Gonzalez',
  'Nelson',
  'Carter',
  'Mitchell',
  'Perez',
  'Roberts',
  'Turner',
  'Phillips',
  'Campbell',
  'Parker',
  'Evans',
  'Edwards',
  'Collins',
  'Stewart',
  'Sanchez',
  'Morris',
  'Rogers',
  'Reed',
  'Cook',
  'Morgan',
  'Bell',
  'Murphy',
  'Bailey',
  'Rivera',
  'Cooper',
  'Richardson',
  'Cox',
  'Howard',
  'Ward',
  'Torres',
  'Peterson',
  'Gray',
  'Ramirez',
  'James',
  'Watson',
  'Brooks',
  'Kelly',
  'Sanders',
  'Price',
  'Bennett',
  'Wood',
  'Barnes',
  'Ross',
  'Henderson',
  'Coleman',
  'Jenkins',
  'Perry',
  'Powell',
  'Long',
  'Patterson',
  'Hughes',
  'Flores',
  'Washington',
  'Butler',
];
const TITLES = ['', 'Engineer', 'analyst', 'Manager', 'Director', 'Intern', 'Architect', 'Technician', 'Clerk'];
const FUNCTIONAL_GROUPS = ['', 'Finance', 'operations', 'Sales', 'Support', 'Research', 'Legal', 'Ökonomie'];
export const CUSTOM_GROUPS = ['Contractors', 'Auditors', 'Field Staff', 'Help Desk', 'Zeta Team'];

const NOW = '2025-06-01T00:00:00.000Z';

/** `$[(n * step) % length]` of a JSON array of `values`: a deterministic spread over the list. */
function pick(values: readonly string[], step: number, n = sql.raw('n')) {
  return sql<string>`json_extract(${JSON.stringify(values)}, '$[' || ((${n} * ${sql.lit(step)}) % ${sql.lit(values.length)}) || ']')`;
}
function pickPg(values: readonly string[], step: number) {
  return sql<string>`(${sql.val(values)}::text[])[((n * ${sql.lit(step)}) % ${sql.lit(values.length)}) + 1]`;
}

export async function seedUsers(db: Db, count: number): Promise<void> {
  const postgres = isPostgres(db as never);
  for (const [i, name] of CUSTOM_GROUPS.entries()) {
    await db
      .insertInto('security_groups')
      .values({ id: `custom-${i}`, name, description: '', is_system: 0, created_at: NOW, updated_at: NOW })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const groups = [
    'administrator',
    'regular-user',
    'regular-user-no-delete',
    'read-only-user',
    'orchestration-user',
  ].concat(CUSTOM_GROUPS.map((_, i) => `custom-${i}`));
  const p = postgres ? pickPg : pick;
  // Columns of every generated account, as SQL of n (0-based).
  const first = p(FIRST_NAMES, 7);
  const last = p(LAST_NAMES, 13);
  const columns = sql`
    ${postgres ? sql`md5(n::text)::uuid::text` : sql`lower(hex(randomblob(16)))`} as id,
    'user' || n || '@example.test' as email, 'user' || n || '@example.test' as email_normalized,
    ${first} as first_name, ${last} as last_name, lower(${first}) as first_name_normalized, lower(${last}) as last_name_normalized,
    ${p(TITLES, 3)} as title, '+1 555 ' || (n % 10000) as telephone,
    ${p(groups, 1)} as security_group_id, ${p(FUNCTIONAL_GROUPS, 5)} as functional_group,
    case when n % 20 = 3 then 'disabled' else 'enabled' end as status,
    case when n % 10 = 7 then 'sso' else 'native' end as user_type,
    case when n % 10 = 7 then 'Okta' else null end as sso_provider,
    case when n % 10 = 7 then null else '$argon2id$unusable' end as password_hash,
    0 as must_change_password,
    case when n % 20 in (1, 2, 4, 5, 6, 8, 9) then 1 else 0 end as mfa_enrolled,
    0 as mfa_required_by_other,
    15 + (n % 12) * 5 as session_timeout_minutes,
    'yyyy-mm-dd' as date_format, '24-hour' as time_format, 'light' as theme,
    case when n % 5 = 0 then null else ${timestamp('n % 31536000')} end as last_login_at,
    ${timestamp('(n * 31) % 63072000 + 63072000')} as created_at, ${sql.lit(NOW)} as updated_at`;
  function timestamp(secondsBeforeNow: string) {
    return postgres
      ? sql`to_char((timestamptz ${sql.lit(NOW)} - (${sql.raw(secondsBeforeNow)}) * interval '1 second') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${sql.lit(NOW)}, '-' || (${sql.raw(secondsBeforeNow)}) || ' seconds')`;
  }
  const batch = 100_000;
  for (let from = 0; from < count; from += batch) {
    const to = Math.min(count, from + batch) - 1;
    const rows = postgres
      ? sql`select ${columns} from generate_series(${from}::int, ${to}::int) as n`
      : sql`select ${columns} from (with recursive s(n) as (select ${sql.lit(from)} union all select n + 1 from s where n < ${sql.lit(to)}) select n from s)`;
    await sql`insert into users (id, email, email_normalized, first_name, last_name, first_name_normalized, last_name_normalized,
      title, telephone, security_group_id, functional_group, status, user_type, sso_provider, password_hash,
      must_change_password, mfa_enrolled, mfa_required_by_other, session_timeout_minutes, date_format, time_format, theme,
      last_login_at, created_at, updated_at) ${rows}`.execute(db);
    process.stdout.write(`  ${to + 1} accounts\n`);
  }
  // Factors: every account with mfa_enrolled and n % 20 in (1, 2, 4, 5, 6, 8) — i.e. all enrolled but n % 20 = 9.
  await sql`insert into mfa_factors (id, user_id, kind, name, secret_encrypted, confirmed_at, created_at)
    select ${postgres ? sql`md5('f' || u.id)::uuid::text` : sql`lower(hex(randomblob(16)))`}, u.id, 'totp', 'Phone', 'x', ${NOW}, ${NOW}
    from users u where u.mfa_enrolled = 1 and u.email_normalized not like '%9@example.test'`.execute(db);
}

async function main() {
  const [kind, where, countText] = process.argv.slice(2);
  const count = Number(countText ?? 1_000_000);
  if ((kind !== 'sqlite' && kind !== 'postgres') || !where)
    throw new Error('usage: sqlite <file> | postgres <url> [count]');
  const db = openDatabase(kind === 'sqlite' ? { kind, file: where } : { kind, url: where });
  const start = performance.now();
  await migrateToLatest(db);
  await seedUsers(db, count);
  if (kind === 'postgres') await sql`analyze`.execute(db);
  else await sql`analyze`.execute(db);
  process.stdout.write(`seeded ${count} accounts in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  await db.destroy();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
