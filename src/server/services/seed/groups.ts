/**
 * The security groups seeded accounts are spread over (the system ones and a few custom ones this
 * adds), and the identity provider of the SSO accounts. Both are found again by name on a later
 * run, not made twice; each one made is in the audit log, as if made in the app.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/connection.js';
import { GRANTABLE_PERMISSIONS, SYSTEM_GROUP_IDS } from '../../../shared/permissions.js';
import { SEED_DOMAIN } from './synthetic.js';
import { recordAudit } from '../audit.js';

/** First-line support: updates records and works tasks; sees accounts but cannot change them. */
export const SERVICE_DESK_PERMISSIONS = [
  'records:view',
  'records:update',
  'tasks:view',
  'tasks:update',
  'tasks:start',
  'tasks:complete',
  'users_groups:view',
] as const;

/** The custom security groups a seed creates (found again by name on a later run). */
const CUSTOM_GROUPS = [
  { name: 'Seeded: Service Desk', permissions: SERVICE_DESK_PERMISSIONS },
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

export interface CustomGroup {
  name: string;
  permissions: readonly string[];
  description: string;
}

/**
 * A custom security group, found again by name or made (with its `security_group.created` audit
 * entry, as if made in the app). Returns its ID. The seed's groups and the demo's come here.
 */
export async function ensureCustomGroup(db: Db, now: string, group: CustomGroup): Promise<string> {
  const existing = await db
    .selectFrom('security_groups')
    .select('id')
    .where('name', '=', group.name)
    .executeTakeFirst();
  if (existing) return existing.id;
  const id = randomUUID();
  const permissions = group.permissions.filter((p) => (GRANTABLE_PERMISSIONS as readonly string[]).includes(p));
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('security_groups')
      .values({ id, name: group.name, description: group.description, is_system: 0, created_at: now, updated_at: now })
      .execute();
    if (permissions.length > 0)
      await trx
        .insertInto('group_permissions')
        .values(permissions.map((permission) => ({ group_id: id, permission })))
        .execute();
    await recordAudit(trx, {
      actor: null,
      action: 'security_group.created',
      details: { groupId: id, name: group.name, permissions },
      ip: 'cli',
    });
  });
  return id;
}

export async function ensureGroups(db: Db, now: string): Promise<Groups> {
  const custom: string[] = [];
  for (const group of CUSTOM_GROUPS)
    custom.push(await ensureCustomGroup(db, now, { ...group, description: 'Made by latchkey seed.' }));
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

export interface SeededProvider {
  name: string;
  issuer: string;
  clientId: string;
  defaultGroupId: string;
}

const SEED_PROVIDER: SeededProvider = {
  name: IDENTITY_PROVIDER_NAME,
  issuer: `https://sso.${SEED_DOMAIN}`,
  clientId: 'latchkey-seed',
  defaultGroupId: SYSTEM_GROUP_IDS.readOnlyUser,
};

/**
 * An identity provider, OpenID Connect and disabled (it points at no real issuer), found again by
 * name or made with its audit entry: the seed's (by default) or the demo's.
 */
export async function ensureIdentityProvider(
  db: Db,
  now: string,
  provider: SeededProvider = SEED_PROVIDER,
): Promise<{ id: string; name: string }> {
  const existing = await db
    .selectFrom('identity_providers')
    .select(['id', 'name'])
    .where('name_normalized', '=', provider.name.toLowerCase())
    .executeTakeFirst();
  if (existing) return existing;
  const id = randomUUID();
  const settings = {
    issuer: provider.issuer,
    clientId: provider.clientId,
    scopes: 'openid email profile',
    groupsClaim: 'groups',
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('identity_providers')
      .values({
        id,
        name: provider.name,
        name_normalized: provider.name.toLowerCase(),
        protocol: 'oidc',
        enabled: 0,
        default_group_id: provider.defaultGroupId,
        allow_email_linking: 0,
        settings: JSON.stringify(settings),
        client_secret_encrypted: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await recordAudit(trx, {
      actor: null,
      action: 'identity_provider.created',
      details: { providerId: id, name: provider.name, protocol: 'oidc', enabled: false },
      ip: 'cli',
    });
  });
  return { id, name: provider.name };
}
