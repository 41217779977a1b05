import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connection.js';
import { nowIso } from '../clock.js';
import { hashPassword } from '../security/password-hashing.js';
import { generateSecret } from '../security/secrets.js';
import { SYSTEM_GROUP_IDS } from '../../shared/permissions.js';

const DOMAIN = 'demo.latchkey.test';

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

/**
 * Loads a realistic example: accounts in every security group, a disabled account and an SSO
 * account. Every demo start gives the demo accounts a fresh random password (there is no default
 * password, even in the demo) and returns it so it can be printed.
 */
export async function seedDemoData(db: Db): Promise<string> {
  const password = `demo-${generateSecret(9)}`;
  const passwordHash = await hashPassword(password);
  const now = nowIso();
  await db.transaction().execute(async (trx) => {
    for (const [index, person] of PEOPLE.entries()) {
      const email =
        person.email ??
        `${person.first}.${person.last}@${DOMAIN}`
          .toLowerCase()
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, '');
      const existing = await trx
        .selectFrom('users')
        .select('id')
        .where('email_normalized', '=', email)
        .executeTakeFirst();
      if (existing) {
        if (!person.sso)
          await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', existing.id).execute();
        continue;
      }
      await trx
        .insertInto('users')
        .values({
          id: randomUUID(),
          email,
          email_normalized: email,
          first_name: person.first,
          last_name: person.last,
          first_name_normalized: person.first.toLowerCase(),
          last_name_normalized: person.last.toLowerCase(),
          title: person.title,
          telephone: `+1 555 01${String(index).padStart(2, '0')}`,
          security_group_id: person.group,
          functional_group: person.functionalGroup,
          status: person.disabled ? 'disabled' : 'enabled',
          user_type: person.sso ? 'sso' : 'native',
          sso_provider: person.sso ? 'Okta' : null,
          password_hash: person.sso ? null : passwordHash,
          must_change_password: 0,
          mfa_enrolled: 0,
          mfa_required_by_other: 0,
          session_timeout_minutes: [15, 30, 60][index % 3]!,
          date_format: 'yyyy-mm-dd',
          time_format: '24-hour',
          theme: 'light',
          last_login_at: index % 4 === 3 ? null : new Date(Date.now() - index * 7_200_000).toISOString(),
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    await trx
      .insertInto('audit_events')
      .values({
        occurred_at: now,
        actor_user_id: null,
        actor_email: null,
        target_user_id: null,
        target_email: null,
        action: 'demo.loaded',
        details: '{}',
        ip: null,
      })
      .execute();
  });
  return password;
}
