/**
 * The security groups seeded accounts are spread over (the system ones and a few custom ones this
 * adds), and the identity provider of the SSO accounts. Both are found again by name on a later
 * run, not made twice; each one made is in the audit log, as if made in the app.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/connection.js';
import { GRANTABLE_PERMISSIONS, SYSTEM_GROUP_IDS } from '../../../shared/permissions.js';
import { SEED_DOMAIN } from './synthetic.js';

/** The custom security groups a seed creates (found again by name on a later run). */
const CUSTOM_GROUPS = [
  {
    name: 'Seeded: Service Desk',
    permissions: [
      'records:view',
      'records:update',
      'tasks:view',
      'tasks:update',
      'tasks:start',
      'tasks:complete',
      'users_groups:view',
    ],
  },
  {
    name: 'Seeded: External Auditors',
    permissions: ['records:view', 'reports:view', 'reports:export', 'event_logs:view', 'event_logs:export'],
  },
  {
    name: 'Seeded: Field Engineers',
    permissions: [
      'records:view',
      'records:create',
      'records:update',
      'tasks:view',
      'tasks:start',
      'tasks:complete',
      'tasks:fail',
    ],
  },
  { name: 'Seeded: Contractors', permissions: ['records:view', 'tasks:view'] },
] as const;
const IDENTITY_PROVIDER_NAME = 'Seeded Okta';

export interface Groups {
  /** Security group IDs with their weight. */
  weights: (readonly [string, number])[];
  names: Map<string, string>;
}

export async function ensureGroups(db: Db, now: string): Promise<Groups> {
  const custom: string[] = [];
  for (const group of CUSTOM_GROUPS) {
    const existing = await db
      .selectFrom('security_groups')
      .select('id')
      .where('name', '=', group.name)
      .executeTakeFirst();
    if (existing) {
      custom.push(existing.id);
      continue;
    }
    const id = randomUUID();
    const permissions = group.permissions.filter((p) => (GRANTABLE_PERMISSIONS as readonly string[]).includes(p));
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('security_groups')
        .values({
          id,
          name: group.name,
          description: 'Made by latchkey seed.',
          is_system: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .insertInto('group_permissions')
        .values(permissions.map((permission) => ({ group_id: id, permission })))
        .execute();
      await trx
        .insertInto('audit_events')
        .values({
          occurred_at: now,
          actor_user_id: null,
          actor_email: null,
          actor_group_name: null,
          target_user_id: null,
          target_email: null,
          action: 'security_group.created',
          details: JSON.stringify({ groupId: id, name: group.name, permissions }),
          ip: 'cli',
        })
        .execute();
    });
    custom.push(id);
  }
  const weights: (readonly [string, number])[] = [
    [SYSTEM_GROUP_IDS.administrator, 0.5],
    [SYSTEM_GROUP_IDS.regularUser, 38],
    [SYSTEM_GROUP_IDS.regularUserNoDelete, 20],
    [SYSTEM_GROUP_IDS.readOnlyUser, 22],
    [SYSTEM_GROUP_IDS.orchestrationUser, 4.5],
    ...custom.map((id) => [id, 15 / custom.length] as const),
  ];
  const rows = await db.selectFrom('security_groups').select(['id', 'name']).execute();
  return { weights, names: new Map(rows.map((r) => [r.id, r.name])) };
}

/** The seed's identity provider: OpenID Connect, disabled (it points at no real issuer). */
export async function ensureIdentityProvider(db: Db, now: string): Promise<{ id: string; name: string }> {
  const existing = await db
    .selectFrom('identity_providers')
    .select(['id', 'name'])
    .where('name_normalized', '=', IDENTITY_PROVIDER_NAME.toLowerCase())
    .executeTakeFirst();
  if (existing) return existing;
  const id = randomUUID();
  const settings = {
    issuer: `https://sso.${SEED_DOMAIN}`,
    clientId: 'latchkey-seed',
    scopes: 'openid email profile',
    groupsClaim: 'groups',
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('identity_providers')
      .values({
        id,
        name: IDENTITY_PROVIDER_NAME,
        name_normalized: IDENTITY_PROVIDER_NAME.toLowerCase(),
        protocol: 'oidc',
        enabled: 0,
        default_group_id: SYSTEM_GROUP_IDS.readOnlyUser,
        allow_email_linking: 0,
        settings: JSON.stringify(settings),
        client_secret_encrypted: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await trx
      .insertInto('audit_events')
      .values({
        occurred_at: now,
        actor_user_id: null,
        actor_email: null,
        actor_group_name: null,
        target_user_id: null,
        target_email: null,
        action: 'identity_provider.created',
        details: JSON.stringify({ providerId: id, name: IDENTITY_PROVIDER_NAME, protocol: 'oidc', enabled: false }),
        ip: 'cli',
      })
      .execute();
  });
  return { id, name: IDENTITY_PROVIDER_NAME };
}
