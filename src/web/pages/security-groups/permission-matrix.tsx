import { Checkbox, Table, Text, VisuallyHidden } from '@mantine/core';
import { MODULES, type ModuleName } from '../../../shared/permissions.js';
import { MATRIX_MODULES, MATRIX_VERBS, VERB_LABELS, verbsOf } from './permission-labels.js';

/**
 * The permission matrix: modules as rows, verbs as columns (a checkbox only where the module has
 * that verb), and "Select all" per row. Each checkbox is named "Tasks: Start" / "Select all Tasks".
 */
export function PermissionMatrix({
  value,
  onChange,
  disabled,
  describedBy,
}: {
  value: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
  disabled: boolean;
  /** ID of the message describing a problem with the permissions (for screen readers). */
  describedBy?: string | undefined;
}) {
  function toggle(permissions: readonly string[], on: boolean) {
    const next = new Set(value);
    for (const permission of permissions) {
      if (on) next.add(permission);
      else next.delete(permission);
    }
    onChange(next);
  }

  return (
    <Table.ScrollContainer minWidth={900} type="native">
      <Table
        withTableBorder
        withColumnBorders
        verticalSpacing={6}
        horizontalSpacing={6}
        fz={13}
        aria-label="Permissions"
        aria-describedby={describedBy}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Module</Table.Th>
            <Table.Th ta="center">Select All</Table.Th>
            {MATRIX_VERBS.map((verb) => (
              <Table.Th key={verb} ta="center">
                {VERB_LABELS[verb]}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {MATRIX_MODULES.map((module: ModuleName) => {
            const label = MODULES[module].label;
            const permissions = verbsOf(module).map((verb) => `${module}:${verb}`);
            const held = permissions.filter((permission) => value.has(permission)).length;
            return (
              <Table.Tr key={module}>
                <Table.Th scope="row" fw={600} style={{ whiteSpace: 'nowrap' }}>
                  {label}
                </Table.Th>
                <Table.Td>
                  <Checkbox
                    aria-label={`Select all ${label}`}
                    checked={held === permissions.length}
                    indeterminate={held > 0 && held < permissions.length}
                    disabled={disabled}
                    onChange={() => toggle(permissions, held < permissions.length)}
                    styles={{ body: { justifyContent: 'center' } }}
                  />
                </Table.Td>
                {MATRIX_VERBS.map((verb) => {
                  const permission = `${module}:${verb}`;
                  return (
                    <Table.Td key={verb}>
                      {verbsOf(module).includes(verb) ? (
                        <Checkbox
                          aria-label={`${label}: ${VERB_LABELS[verb]}`}
                          checked={value.has(permission)}
                          disabled={disabled}
                          onChange={(event) => toggle([permission], event.currentTarget.checked)}
                          styles={{ body: { justifyContent: 'center' } }}
                        />
                      ) : (
                        <Text ta="center" c="dimmed" size="xs" aria-hidden>
                          —
                        </Text>
                      )}
                      {!verbsOf(module).includes(verb) && (
                        <VisuallyHidden>{`${label} has no ${VERB_LABELS[verb]}`}</VisuallyHidden>
                      )}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
