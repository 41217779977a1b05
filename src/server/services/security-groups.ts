import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, SecurityGroupTable } from '../db/schema.js';
import { isPostgres, isUniqueViolation } from '../db/portable.js';
import { nowIso } from '../clock.js';
import { AppError } from '../app-error.js';
import type { Actor } from '../auth/actor.js';
import { MODULES, SYSTEM_GROUPS, type ModuleName, type Permission } from '../../shared/permissions.js';
import {
  orderPermissions,
  type NewSecurityGroup,
  type SecurityGroupChanges,
} from '../../shared/schemas/security-groups.js';
import type { ActorContext } from '../request-context.js';
import { recordAudit } from './audit.js';
import type { GroupPermissions } from '../policies/accounts.js';
import { assertAllowed } from '../policies/decision.js';
import { groupDecisions, holdsEvery } from '../policies/security-groups.js';

export type GroupWithPermissions = SecurityGroupTable & { permissions: string[] };
export type GroupWithMembers = GroupWithPermissions & {
  member_count: number;
  /** Identity providers using it as their default group or in their group mapping (it cannot be deleted then). */
  provider_count: number;
};

/**
 * One group with its permissions. Inside a transaction on PostgreSQL, `lock` holds its row until
 * the end: 'share' while an account is assigned to it (so it cannot be deleted or redefined
 * meanwhile), 'update' while it is changed or deleted (so assignments wait for the outcome).
 * SQLite runs one write transaction at a time and needs no lock.
 */
export async function findGroupWithPermissions(
  db: Kysely<Database>,
  id: string,
  lock: 'share' | 'update' | null = null,
): Promise<GroupWithPermissions | undefined> {
  let query = db.selectFrom('security_groups').selectAll().where('id', '=', id);
  if (lock && isPostgres(db as Kysely<unknown>)) query = lock === 'share' ? query.forShare() : query.forUpdate();
  const group = await query.executeTakeFirst();
  if (!group) return undefined;
  const rows = await db.selectFrom('group_permissions').select('permission').where('group_id', '=', id).execute();
  return { ...group, permissions: orderPermissions(rows.map((r) => r.permission)) };
}

/**
 * The permissions of the given groups (or of every group), in one query. The table is small: a
 * request that judges many accounts (the users list's `can` per row) loads it once, not per row.
 */
export async function loadGroupPermissions(
  db: Kysely<Database>,
  groupIds: readonly string[] | null = null,
): Promise<GroupPermissions> {
  let query = db
    .selectFrom('security_groups as g')
    .leftJoin('group_permissions as p', 'p.group_id', 'g.id')
    .select(['g.id', 'p.permission']);
  if (groupIds !== null) {
    if (groupIds.length === 0) return new Map();
    query = query.where('g.id', 'in', [...new Set(groupIds)]);
  }
  const permissions = new Map<string, Set<string>>();
  for (const row of await query.execute()) {
    const held = permissions.get(row.id) ?? new Set<string>();
    if (row.permission) held.add(row.permission);
    permissions.set(row.id, held);
  }
  return permissions;
}

/** System groups first (in the order of permissions.ts), then custom groups by name; with member counts. */
export async function listGroups(db: Db): Promise<GroupWithMembers[]> {
  const [groups, permissions, counts, providerUses] = await Promise.all([
    db.selectFrom('security_groups').selectAll().execute(),
    db.selectFrom('group_permissions').selectAll().execute(),
    db
      .selectFrom('users')
      .select(['security_group_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('security_group_id')
      .execute(),
    providerUsesOf(db),
  ]);
  const countByGroup = new Map(counts.map((c) => [c.security_group_id, Number(c.n)]));
  const systemOrder = SYSTEM_GROUPS.map((g) => g.id);
  const rank = (g: SecurityGroupTable) => (g.is_system ? systemOrder.indexOf(g.id) : systemOrder.length);
  return groups
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
    .map((group) => ({
      ...group,
      permissions: orderPermissions(permissions.filter((p) => p.group_id === group.id).map((p) => p.permission)),
      member_count: countByGroup.get(group.id) ?? 0,
      provider_count: providerUses.get(group.id)?.size ?? 0,
    }));
}

/** Group ID → the identity providers that use it (default group or mapping). */
async function providerUsesOf(db: Kysely<Database>, groupId?: string): Promise<Map<string, Set<string>>> {
  let defaults = db.selectFrom('identity_providers').select(['default_group_id as group_id', 'id as provider_id']);
  let mappings = db
    .selectFrom('identity_provider_group_mappings')
    .select(['security_group_id as group_id', 'provider_id']);
  if (groupId !== undefined) {
    defaults = defaults.where('default_group_id', '=', groupId);
    mappings = mappings.where('security_group_id', '=', groupId);
  }
  const uses = new Map<string, Set<string>>();
  for (const row of [...(await defaults.execute()), ...(await mappings.execute())]) {
    const providers = uses.get(row.group_id) ?? new Set<string>();
    providers.add(row.provider_id);
    uses.set(row.group_id, providers);
  }
  return uses;
}

async function countMembers(db: Kysely<Database>, groupId: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('security_group_id', '=', groupId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A group with its member count, or 404; `lock` as in findGroupWithPermissions (members are counted after it). */
export async function getGroup(
  db: Kysely<Database>,
  id: string,
  lock: 'update' | null = null,
): Promise<GroupWithMembers> {
  const found = await findGroupWithPermissions(db, id, lock);
  const group = found && {
    ...found,
    member_count: await countMembers(db, id),
    provider_count: (await providerUsesOf(db, id)).get(id)?.size ?? 0,
  };
  if (!group) throw new AppError('not_found', 'No security group with this ID.');
  return group;
}

/** Refuses a permission list holding a right the actor lacks, naming those rights. */
function assertMayGrant(actor: Actor, permissions: readonly string[]): void {
  if (holdsEvery(actor, permissions)) return;
  const lacking = permissions.filter((permission) => !actor.permissions.has(permission as Permission));
  const message = `You cannot grant rights you do not have yourself: ${lacking.map(permissionLabel).join(', ')}.`;
  throw new AppError('group_exceeds_own_rights', message, { permissions: message });
}

/** "Tasks: Start", as the editor's checkboxes name it. */
function permissionLabel(permission: string): string {
  const [module, verb = ''] = permission.split(':') as [ModuleName, string];
  const words = verb.replace(/_/g, ' ');
  return `${MODULES[module]?.label ?? module}: ${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

const nameTaken = () =>
  new AppError('group_name_taken', undefined, { name: 'A security group with this name already exists.' });

/**
 * Names are unique in any letter case. SQLite runs one write transaction at a time; on PostgreSQL
 * a transaction-scoped advisory lock makes concurrent creates and renames take turns, so two
 * requests for "Ops" and "ops" cannot both pass this check (the column's own unique constraint
 * only catches the exact same spelling).
 */
async function assertNameFree(trx: Kysely<Database>, name: string, exceptId?: string): Promise<void> {
  if (isPostgres(trx as Kysely<unknown>)) await sql`select pg_advisory_xact_lock(${GROUP_NAME_LOCK})`.execute(trx);
  const wanted = name.toLowerCase();
  const names = await trx.selectFrom('security_groups').select(['id', 'name']).execute();
  if (names.some((group) => group.id !== exceptId && group.name.toLowerCase() === wanted)) throw nameTaken();
}

/** An arbitrary, fixed key for the advisory lock that serializes group name changes. */
const GROUP_NAME_LOCK = 734_501_001;

/** A violation of the exact-spelling unique constraint by a concurrent request is the same 409. */
function mapNameRace(error: unknown): never {
  throw isUniqueViolation(error) ? nameTaken() : error;
}

function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export async function createGroup(db: Db, ctx: ActorContext, input: NewSecurityGroup): Promise<GroupWithMembers> {
  assertMayGrant(ctx.actor, input.permissions);
  return db.transaction().execute(async (trx) => {
    await assertNameFree(trx, input.name);
    const id = randomUUID();
    const now = nowIso();
    await trx
      .insertInto('security_groups')
      .values({ id, name: input.name, description: input.description, is_system: 0, created_at: now, updated_at: now })
      .execute()
      .catch(mapNameRace);
    if (input.permissions.length > 0) {
      await trx
        .insertInto('group_permissions')
        .values(input.permissions.map((permission) => ({ group_id: id, permission })))
        .execute();
    }
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'security_group.created',
      details: { groupId: id, name: input.name, permissions: input.permissions },
      ip: ctx.ip,
    });
    return getGroup(trx, id);
  });
}

export async function updateGroup(
  db: Db,
  ctx: ActorContext,
  id: string,
  changes: SecurityGroupChanges,
): Promise<GroupWithMembers> {
  return db.transaction().execute(async (trx) => {
    const group = await getGroup(trx, id, 'update');
    assertAllowed(groupDecisions(ctx.actor, group).update);
    if (changes.permissions) assertMayGrant(ctx.actor, changes.permissions);

    const fieldChanges: Record<string, { from: string; to: string }> = {};
    if (changes.name !== undefined && changes.name !== group.name) {
      await assertNameFree(trx, changes.name, id);
      fieldChanges.name = { from: group.name, to: changes.name };
    }
    if (changes.description !== undefined && changes.description !== group.description)
      fieldChanges.description = { from: group.description, to: changes.description };
    const next = new Set(changes.permissions ?? group.permissions);
    const before = new Set(group.permissions);
    const permissionsAdded = [...next].filter((p) => !before.has(p));
    const permissionsRemoved = group.permissions.filter((p) => !next.has(p));
    if (Object.keys(fieldChanges).length === 0 && permissionsAdded.length + permissionsRemoved.length === 0)
      return group;

    await trx
      .updateTable('security_groups')
      .set({
        ...(fieldChanges.name ? { name: fieldChanges.name.to } : {}),
        ...(fieldChanges.description ? { description: fieldChanges.description.to } : {}),
        updated_at: nowIso(),
      })
      .where('id', '=', id)
      .execute()
      .catch(mapNameRace);
    if (permissionsRemoved.length > 0) {
      await trx
        .deleteFrom('group_permissions')
        .where('group_id', '=', id)
        .where('permission', 'in', permissionsRemoved)
        .execute();
    }
    if (permissionsAdded.length > 0) {
      await trx
        .insertInto('group_permissions')
        .values(permissionsAdded.map((permission) => ({ group_id: id, permission })))
        .execute();
    }
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'security_group.updated',
      details: {
        groupId: id,
        name: fieldChanges.name?.to ?? group.name,
        changes: fieldChanges,
        permissionsAdded,
        permissionsRemoved,
      },
      ip: ctx.ip,
    });
    return getGroup(trx, id);
  });
}

export async function deleteGroup(db: Db, ctx: ActorContext, id: string): Promise<void> {
  await db
    .transaction()
    .execute(async (trx) => {
      // Locked first, then counted: an assignment in progress holds the row (see findGroupWithPermissions),
      // so its account is counted here; anything else moved in meanwhile trips the foreign key below.
      const group = await getGroup(trx, id, 'update');
      // Counted under the row lock: a provider starting to use the group takes a share lock on it
      // (sso/provider-validation.ts), so nothing new can point here before the delete commits.
      assertAllowed(groupDecisions(ctx.actor, group).delete);
      await trx.deleteFrom('security_groups').where('id', '=', id).execute();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'security_group.deleted',
        details: { groupId: id, name: group.name },
        ip: ctx.ip,
      });
    })
    .catch((error: unknown) => {
      throw isForeignKeyViolation(error) ? new AppError('group_has_members') : error;
    });
}
