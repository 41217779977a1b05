import { z } from 'zod';
import { DecisionSchema } from './decision.js';
import { ADMINISTRATOR_ONLY_MODULES, ALL_PERMISSIONS, isPermission, MODULES, type ModuleName } from '../permissions.js';

export const GROUP_NAME_MAX = 100;
export const GROUP_DESCRIPTION_MAX = 500;

/**
 * What the caller may do to a group, as the server decides it (policies/security-groups.ts,
 * enforced by the same function): each a Decision with the server's reason when refused.
 */
export const SecurityGroupAbilitiesSchema = z.object({
  /** Change it: a custom group, with Users & Groups Update, holding no right the caller lacks. */
  update: DecisionSchema,
  /** Delete it: as update (with Users & Groups Delete), and only while no account or identity provider uses it. */
  delete: DecisionSchema,
  /**
   * Put an account in it (New User, an account's Security Group): it holds no right the caller
   * lacks. The Password & Security tab offers only these groups.
   */
  assign: DecisionSchema,
});
export type SecurityGroupAbilities = z.infer<typeof SecurityGroupAbilitiesSchema>;

export const SecurityGroupSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  isSystem: z.boolean(),
  permissions: z.array(z.string()),
  memberCount: z.number(),
  /** Identity providers that use it as their default group or in their mapping (it cannot be deleted then). */
  identityProviderCount: z.number(),
  /** What the caller may do to this group. */
  can: SecurityGroupAbilitiesSchema,
});
export type SecurityGroup = z.infer<typeof SecurityGroupSchema>;

export const SecurityGroupListSchema = z.object({ groups: z.array(SecurityGroupSchema) });

/** The modules whose permissions only the Administrator group holds, in words (for messages). */
export const ADMINISTRATOR_ONLY_MESSAGE =
  'Generating API tokens, forcing a password change, configuring single sign-on and managing record types ' +
  'belong to the Administrator group only; no custom group can hold them.';

/** Modules holding Delete or Export without View, in the order of permissions.ts ("Delete and Export require View"). */
export function modulesMissingView(permissions: Iterable<string>): ModuleName[] {
  const held = new Set(permissions);
  return (Object.keys(MODULES) as ModuleName[]).filter(
    (module) => (held.has(`${module}:delete`) || held.has(`${module}:export`)) && !held.has(`${module}:view`),
  );
}

/** The one wording of the "Delete and Export require View" rule, for the server's 400 and the editor alike. */
export function missingViewMessage(modules: readonly ModuleName[]): string {
  const labels = modules.map((module) => MODULES[module].label);
  const list = labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
  return `Delete and Export require View: add View to ${list}, or remove Delete/Export.`;
}

/**
 * Every rule a custom group's permission list must follow, as one message (null when it follows
 * them): each permission exists, none is Administrator-only, and Delete/Export come with View.
 */
export function permissionsProblem(permissions: readonly string[]): string | null {
  const unknown = permissions.filter((permission) => !isPermission(permission));
  if (unknown.length > 0) return `Unknown permission${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`;
  if (permissions.some((permission) => ADMINISTRATOR_ONLY_MODULES.includes(permission.split(':')[0] as ModuleName)))
    return ADMINISTRATOR_ONLY_MESSAGE;
  const missing = modulesMissingView(permissions);
  return missing.length > 0 ? missingViewMessage(missing) : null;
}

/** Permissions in the order permissions.ts declares them, without repeats. */
export function orderPermissions(permissions: Iterable<string>): string[] {
  const held = new Set(permissions);
  return [...ALL_PERMISSIONS.filter((p) => held.has(p)), ...[...held].filter((p) => !isPermission(p))];
}

const GroupNameSchema = z
  .string()
  .trim()
  .min(1, 'Name is required.')
  .max(GROUP_NAME_MAX, `Name must be at most ${GROUP_NAME_MAX} characters.`);
const GroupDescriptionSchema = z
  .string()
  .trim()
  .max(GROUP_DESCRIPTION_MAX, `Description must be at most ${GROUP_DESCRIPTION_MAX} characters.`);
const GroupPermissionsSchema = z
  .array(z.string().max(100), { error: 'Permissions must be a list of permission names.' })
  .max(ALL_PERMISSIONS.length * 2, 'Too many permissions.')
  .transform(orderPermissions)
  .superRefine((permissions, ctx) => {
    const problem = permissionsProblem(permissions);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const CreateSecurityGroupSchema = z
  .object({
    name: GroupNameSchema,
    description: GroupDescriptionSchema.default(''),
    permissions: GroupPermissionsSchema,
  })
  .strict();
export type CreateSecurityGroupInput = z.input<typeof CreateSecurityGroupSchema>;
export type NewSecurityGroup = z.output<typeof CreateSecurityGroupSchema>;

export const UpdateSecurityGroupSchema = z
  .object({
    name: GroupNameSchema,
    description: GroupDescriptionSchema,
    permissions: GroupPermissionsSchema,
  })
  .partial()
  .strict();
export type UpdateSecurityGroupInput = z.input<typeof UpdateSecurityGroupSchema>;
export type SecurityGroupChanges = z.output<typeof UpdateSecurityGroupSchema>;
