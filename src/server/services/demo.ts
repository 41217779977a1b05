/**
 * `npm run demo`: a lived-in installation. Named people in every security group (and a custom
 * one), a disabled and an SSO account, the (disabled) identity provider the SSO account signs in
 * with, records, tasks in every status and a year of log history. The records, tasks and log
 * entries come from the synthetic seeder's own generators (services/seed/), made about these
 * people; they are made once, on the first demo start, and the people found again afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import { isPostgres } from '../db/portable.js';
import { nowIso } from '../clock.js';
import { recordAudit } from './audit.js';
import { newUserRow } from './users.js';
import { hashPassword } from '../security/password-hashing.js';
import { generateSecret } from '../security/secrets.js';
import { SYSTEM_GROUP_IDS } from '../../shared/permissions.js';
import type { SeedPeople } from './seed/accounts.js';
import { seedAuditEvents, seedLoginHistory } from './seed/events.js';
import { ensureCustomGroup, ensureIdentityProvider, SERVICE_DESK_PERMISSIONS } from './seed/groups.js';
import { postgresWriter } from './seed/postgres-writer.js';
import { seedRecords } from './seed/records.js';
import { sqliteWriter } from './seed/sqlite-writer.js';
import { seedTasks } from './seed/tasks.js';

const DOMAIN = 'demo.latchkey.test';

/** How much history the first demo start makes: enough to page through, quick to write (well under a second). */
export const DEMO_COUNTS = { records: 60, tasks: 40, events: 400 } as const;

/** The demo's custom security group (its members are the PEOPLE with group SERVICE_DESK). */
const SERVICE_DESK = 'Service Desk';
const SERVICE_DESK_GROUP = {
  name: SERVICE_DESK,
  description: 'First-line support: updates records and works tasks; sees accounts but cannot change them.',
  permissions: SERVICE_DESK_PERMISSIONS,
};
/** The identity provider of the demo's SSO account (its sso_provider): disabled, it points at no real issuer. */
const DEMO_PROVIDER = {
  name: 'Okta',
  issuer: `https://sso.${DOMAIN}`,
  clientId: 'latchkey-demo',
  defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
};

interface DemoPerson {
  first: string;
  last: string;
  title: string;
  group: string;
  functionalGroup: string;
  disabled?: boolean;
  sso?: boolean;
  email?: string;
}

const PEOPLE: DemoPerson[] = [
  {
    first: 'Ada',
    last: 'Admin',
    title: 'Platform Administrator',
    group: SYSTEM_GROUP_IDS.administrator,
    functionalGroup: 'IT Operations',
    email: `admin@${DOMAIN}`,
  },
  {
    first: 'Grace',
    last: 'Hopper',
    title: 'Migration Lead',
    group: SYSTEM_GROUP_IDS.administrator,
    functionalGroup: 'Transformation Office',
  },
  {
    first: 'Raj',
    last: 'Patel',
    title: 'Project Analyst',
    group: SYSTEM_GROUP_IDS.regularUser,
    functionalGroup: 'Workplace',
  },
  {
    first: 'Mei',
    last: 'Chen',
    title: 'Application Owner',
    group: SYSTEM_GROUP_IDS.regularUser,
    functionalGroup: 'Finance Apps',
  },
  {
    first: 'Tomás',
    last: 'García',
    title: 'Field Engineer',
    group: SYSTEM_GROUP_IDS.regularUserNoDelete,
    functionalGroup: 'Deskside',
  },
  {
    first: 'Olu',
    last: 'Adeyemi',
    title: 'Data Steward',
    group: SYSTEM_GROUP_IDS.regularUserNoDelete,
    functionalGroup: 'Data Quality',
  },
  {
    first: 'Sara',
    last: 'Lind',
    title: 'Auditor',
    group: SYSTEM_GROUP_IDS.readOnlyUser,
    functionalGroup: 'Internal Audit',
  },
  {
    first: 'Kenji',
    last: 'Watanabe',
    title: 'Executive Sponsor',
    group: SYSTEM_GROUP_IDS.readOnlyUser,
    functionalGroup: 'Leadership',
  },
  {
    first: 'Runbook',
    last: 'Bot',
    title: 'Orchestration Service',
    group: SYSTEM_GROUP_IDS.orchestrationUser,
    functionalGroup: 'Automation',
  },
  {
    first: 'Lena',
    last: 'Novak',
    title: 'Scheduler',
    group: SYSTEM_GROUP_IDS.orchestrationUser,
    functionalGroup: 'Automation',
  },
  {
    first: 'Noah',
    last: 'Field',
    title: 'Service Desk Agent',
    group: SERVICE_DESK,
    functionalGroup: 'Service Desk',
  },
  {
    first: 'Ines',
    last: 'Moreau',
    title: 'Service Desk Lead',
    group: SERVICE_DESK,
    functionalGroup: 'Service Desk',
  },
  {
    first: 'Former',
    last: 'Contractor',
    title: 'Contractor (left)',
    group: SYSTEM_GROUP_IDS.regularUser,
    functionalGroup: 'Workplace',
    disabled: true,
  },
  {
    first: 'Priya',
    last: 'Sharma',
    title: 'Security Architect',
    group: SYSTEM_GROUP_IDS.readOnlyUser,
    functionalGroup: 'Security',
    sso: true,
  },
];

const emailOf = (person: DemoPerson) =>
  person.email ??
  `${person.first}.${person.last}@${DOMAIN}`
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');

/**
 * Loads the demo (see the top of this file). Every demo start gives the demo accounts a fresh
 * random password (there is no default password, even in the demo) and returns it so it can be
 * printed.
 */
export async function seedDemoData(db: Db): Promise<string> {
  const password = `demo-${generateSecret(9)}`;
  const passwordHash = await hashPassword(password);
  const now = nowIso();
  const serviceDesk = await ensureCustomGroup(db, now, SERVICE_DESK_GROUP);
  const provider = await ensureIdentityProvider(db, now, DEMO_PROVIDER);
  const groupOf = (person: DemoPerson) => (person.group === SERVICE_DESK ? serviceDesk : person.group);
  const firstStart = !(await db
    .selectFrom('audit_events')
    .select('id')
    .where('action', '=', 'demo.loaded')
    .executeTakeFirst());

  const ids = await db.transaction().execute(async (trx) => {
    const ids: string[] = [];
    for (const [index, person] of PEOPLE.entries()) {
      const email = emailOf(person);
      const existing = await trx
        .selectFrom('users')
        .select('id')
        .where('email_normalized', '=', email)
        .executeTakeFirst();
      if (existing) {
        if (!person.sso)
          await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', existing.id).execute();
        ids.push(existing.id);
        continue;
      }
      const id = randomUUID();
      ids.push(id);
      await trx
        .insertInto('users')
        .values(
          newUserRow(
            {
              id,
              email,
              firstName: person.first,
              lastName: person.last,
              title: person.title,
              telephone: `+1 555 01${String(index).padStart(2, '0')}`,
              securityGroupId: groupOf(person),
              functionalGroup: person.functionalGroup,
              status: person.disabled ? 'disabled' : 'enabled',
              userType: person.sso ? 'sso' : 'native',
              ssoProvider: provider.name,
              passwordHash: person.sso ? null : passwordHash,
              mustChangePassword: false,
              sessionTimeoutMinutes: [15, 30, 60][index % 3]!,
              lastLoginAt: index % 4 === 3 ? null : new Date(Date.now() - index * 7_200_000).toISOString(),
            },
            now,
          ),
        )
        .execute();
      if (person.sso)
        await trx
          .insertInto('sso_identities')
          .values({
            provider_id: provider.id,
            subject: `demo-${id}`,
            user_id: id,
            email,
            created_at: now,
            last_sign_in_at: null,
          })
          .execute();
    }
    return ids;
  });

  if (firstStart) await seedHistory(db, demoPeople(ids, await groupNames(db), groupOf));
  await recordAudit(db, { actor: null, action: 'demo.loaded', ip: 'cli' });
  return password;
}

async function groupNames(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('security_groups').select(['id', 'name']).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** The demo's people as the seeder's generators see accounts (by index). */
function demoPeople(ids: string[], names: Map<string, string>, groupOf: (person: DemoPerson) => string): SeedPeople {
  return {
    ids,
    count: PEOPLE.length,
    administrators: PEOPLE.flatMap((person, i) => (person.group === SYSTEM_GROUP_IDS.administrator ? [i] : [])),
    domain: DOMAIN,
    groups: { weights: [], names },
    first: (i) => PEOPLE[i % PEOPLE.length]!.first,
    last: (i) => PEOPLE[i % PEOPLE.length]!.last,
    email: (i) => emailOf(PEOPLE[i % PEOPLE.length]!),
    group: (i) => groupOf(PEOPLE[i % PEOPLE.length]!),
    isSso: (i) => PEOPLE[i % PEOPLE.length]!.sso === true,
    mfa: () => 'off',
  };
}

/** Records, tasks (every status) and a year of log entries, by the seeder's generators. */
async function seedHistory(db: Db, people: SeedPeople): Promise<void> {
  const nowMs = Date.now();
  const types = await db.selectFrom('record_types').select(['id', 'name_normalized']).execute();
  const typeSort = new Map(types.map((type) => [type.id, type.name_normalized]));
  const writer = isPostgres(db as Kysely<unknown>) ? await postgresWriter(db) : sqliteWriter(db);
  let failed = true;
  try {
    const recordIds = await seedRecords(writer, people, DEMO_COUNTS.records, '', nowMs, typeSort);
    await seedTasks(writer, people, recordIds, DEMO_COUNTS.tasks, nowMs);
    const logins = Math.round(DEMO_COUNTS.events * 0.6);
    await seedLoginHistory(writer, people, logins, nowMs);
    await seedAuditEvents(writer, people, DEMO_COUNTS.events - logins, nowMs);
    failed = false;
  } finally {
    await writer.close(failed);
  }
}
