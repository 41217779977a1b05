import type { Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, SecurityGroupTable } from '../db/schema.js';
import { ALL_PERMISSIONS, SYSTEM_GROUPS } from '../../shared/permissions.js';

export type GroupWithPermissions = SecurityGroupTable & { permissions: string[] };

export async function findGroupWithPermissions(
  db: Kysely<Database>,
  id: string,
): Promise<GroupWithPermissions | undefined> {
  const group = await db.selectFrom('security_groups').selectAll().where('id', '=', id).executeTakeFirst();
  if (!group) return undefined;
  const rows = await db.selectFrom('group_permissions').select('permission').where('group_id', '=', id).execute();
  return { ...group, permissions: sortPermissions(rows.map((r) => r.permission)) };
}

/** Permissions in the order permissions.ts declares them, so lists read the same everywhere. */
function sortPermissions(permissions: string[]): string[] {
  const order = new Map<string, number>(ALL_PERMISSIONS.map((p, i) => [p, i]));
  return permissions.sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9));
}

/** System groups first (in the order of permissions.ts), then custom groups by name; with member counts. */
export async function listGroups(db: Db): Promise<Array<GroupWithPermissions & { member_count: number }>> {
  const [groups, permissions, counts] = await Promise.all([
    db.selectFrom('security_groups').selectAll().execute(),
    db.selectFrom('group_permissions').selectAll().execute(),
    db
      .selectFrom('users')
      .select(['security_group_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('security_group_id')
      .execute(),
  ]);
  const countByGroup = new Map(counts.map((c) => [c.security_group_id, Number(c.n)]));
  const systemOrder = SYSTEM_GROUPS.map((g) => g.id);
  const rank = (g: SecurityGroupTable) => (g.is_system ? systemOrder.indexOf(g.id) : systemOrder.length);
  return groups
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
    .map((group) => ({
      ...group,
      permissions: sortPermissions(permissions.filter((p) => p.group_id === group.id).map((p) => p.permission)),
      member_count: countByGroup.get(group.id) ?? 0,
    }));
}
