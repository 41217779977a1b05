import { ADMINISTRATOR_ONLY_MODULES, MODULES, type ModuleName } from '../../../shared/permissions.js';

/** Every verb's column heading, in the order of the permission matrix. */
export const VERB_LABELS: Record<string, string> = {
  view: 'View',
  create: 'Create',
  update: 'Update',
  delete: 'Delete',
  import: 'Import',
  export: 'Export',
  assign: 'Assign',
  start: 'Start',
  complete: 'Complete',
  cancel: 'Cancel',
  fail: 'Fail',
  generate_api_tokens: 'Generate API tokens',
  force_password_change: 'Force a password change',
  configure_sso: 'Configure single sign-on',
  manage_record_types: 'Manage record types',
  manage_settings: 'Change installation settings',
};

/** The matrix's rows: every module a custom group may be granted rights in. */
export const MATRIX_MODULES: readonly ModuleName[] = (Object.keys(MODULES) as ModuleName[]).filter(
  (module) => !ADMINISTRATOR_ONLY_MODULES.includes(module),
);

/** The verbs a module has (a matrix cell exists only for these). */
export function verbsOf(module: ModuleName): readonly string[] {
  return MODULES[module].verbs;
}

/** The matrix's columns: every verb a grantable module has, in the order of VERB_LABELS. */
export const MATRIX_VERBS: readonly string[] = Object.keys(VERB_LABELS).filter((verb) =>
  MATRIX_MODULES.some((module) => verbsOf(module).includes(verb)),
);

/** "Tasks: View, Start, Complete" per module holding anything ("all" when it holds every verb). */
export function permissionSummary(permissions: readonly string[]): string[] {
  const held = new Set(permissions);
  return (Object.keys(MODULES) as ModuleName[]).flatMap((module) => {
    const verbs = verbsOf(module).filter((verb) => held.has(`${module}:${verb}`));
    if (verbs.length === 0) return [];
    const words =
      verbs.length === MODULES[module].verbs.length ? 'all' : verbs.map((verb) => VERB_LABELS[verb] ?? verb).join(', ');
    return [`${MODULES[module].label}: ${words}`];
  });
}
