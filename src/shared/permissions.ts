/**
 * THE permission model of Latchkey, as data.
 *
 * A permission is `module:verb`. Security groups hold a set of permissions; every route declares
 * the permission it needs when it is registered and one gate (server/auth/gate.ts) enforces it.
 * The UI reads the abilities the server computes from this file and never re-derives the rules.
 *
 * Migrations seed the five system groups from SYSTEM_GROUPS, and the route × group test matrix is
 * generated from this file, so changing a system group here changes what is enforced and tested.
 */

export const MODULES = {
  records: {
    label: 'Data records',
    verbs: ['view', 'create', 'update', 'delete', 'import', 'export'],
  },
  tasks: {
    label: 'Tasks',
    verbs: ['view', 'create', 'update', 'delete', 'export', 'assign', 'start', 'complete', 'cancel', 'fail'],
  },
  reports: {
    label: 'Reports',
    verbs: ['view', 'export'],
  },
  event_logs: {
    label: 'Event Logs',
    verbs: ['view', 'export'],
  },
  users_groups: {
    label: 'Users & Groups',
    verbs: ['view', 'create', 'update', 'delete', 'export'],
  },
  /**
   * Powers the seed article and product.md reserve for the Administrator group: they can never be
   * granted to a custom group (see ADMINISTRATOR_ONLY_MODULES).
   */
  administration: {
    label: 'Administration',
    verbs: ['generate_api_tokens', 'force_password_change', 'configure_sso', 'manage_record_types', 'manage_settings'],
  },
} as const;

export type ModuleName = keyof typeof MODULES;
export type Verb<M extends ModuleName = ModuleName> = (typeof MODULES)[M]['verbs'][number];
export type Permission = {
  [M in ModuleName]: `${M}:${(typeof MODULES)[M]['verbs'][number]}`;
}[ModuleName];

/** Modules whose permissions only the Administrator system group holds. */
export const ADMINISTRATOR_ONLY_MODULES: readonly ModuleName[] = ['administration'];

/** Every permission that exists, in declaration order. */
export const ALL_PERMISSIONS: readonly Permission[] = (Object.keys(MODULES) as ModuleName[]).flatMap((module) =>
  MODULES[module].verbs.map((verb) => `${module}:${verb}` as Permission),
);

/** Permissions a custom group may be granted (everything but the Administrator-only modules). */
export const GRANTABLE_PERMISSIONS: readonly Permission[] = ALL_PERMISSIONS.filter(
  (permission) => !ADMINISTRATOR_ONLY_MODULES.includes(permission.split(':')[0] as ModuleName),
);

export function isPermission(value: string): value is Permission {
  return (ALL_PERMISSIONS as readonly string[]).includes(value);
}

function allOf(module: ModuleName, except: readonly string[] = []): Permission[] {
  return MODULES[module].verbs
    .filter((verb) => !except.includes(verb))
    .map((verb) => `${module}:${verb}` as Permission);
}

/** Stable IDs of the system groups (also their primary keys in the database). */
export const SYSTEM_GROUP_IDS = {
  administrator: 'administrator',
  regularUser: 'regular-user',
  regularUserNoDelete: 'regular-user-no-delete',
  readOnlyUser: 'read-only-user',
  orchestrationUser: 'orchestration-user',
} as const;

export const ADMINISTRATOR_GROUP_ID = SYSTEM_GROUP_IDS.administrator;

export interface SystemGroupDefinition {
  id: string;
  name: string;
  description: string;
  permissions: readonly Permission[];
}

const regularUserPermissions: Permission[] = [
  ...allOf('records'),
  ...allOf('reports'),
  'tasks:view',
  'tasks:create',
  'tasks:update',
  'tasks:delete',
  'tasks:export',
  'tasks:start',
  'tasks:complete',
];

/** The five system groups, exactly as the table in product.md. They cannot be edited or deleted. */
export const SYSTEM_GROUPS: readonly SystemGroupDefinition[] = [
  {
    id: SYSTEM_GROUP_IDS.administrator,
    name: 'Administrator',
    description: 'Everything: data records, imports, tasks, users and groups, API tokens, single sign-on and logs.',
    permissions: ALL_PERMISSIONS,
  },
  {
    id: SYSTEM_GROUP_IDS.regularUser,
    name: 'Regular User',
    description: 'Create, view, edit, delete, import and export data records; run reports; create and run tasks.',
    permissions: regularUserPermissions,
  },
  {
    id: SYSTEM_GROUP_IDS.regularUserNoDelete,
    name: 'Regular User (No Delete)',
    description: 'As Regular User, but no delete of any kind.',
    permissions: regularUserPermissions.filter((permission) => !permission.endsWith(':delete')),
  },
  {
    id: SYSTEM_GROUP_IDS.readOnlyUser,
    name: 'Read Only User',
    description: 'View data records and run reports. Nothing else.',
    permissions: ['records:view', 'reports:view'],
  },
  {
    id: SYSTEM_GROUP_IDS.orchestrationUser,
    name: 'Orchestration User',
    description:
      'View data records, run reports, manage tasks (assign, start, complete, cancel, fail) and update tasks.',
    permissions: [
      'records:view',
      'reports:view',
      'tasks:view',
      'tasks:update',
      'tasks:assign',
      'tasks:start',
      'tasks:complete',
      'tasks:cancel',
      'tasks:fail',
    ],
  },
];

/** True when every permission in `wanted` is in `held` (used for "no granting more than you have"). */
export function holdsAll(held: ReadonlySet<string>, wanted: Iterable<string>): boolean {
  for (const permission of wanted) if (!held.has(permission)) return false;
  return true;
}
