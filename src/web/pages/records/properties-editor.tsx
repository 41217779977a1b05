import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '../../components/icons.js';

/** One key/value row of the editor; `id` keeps React's identity of a row while its key is typed. */
export interface PropertyRow {
  id: number;
  key: string;
  value: string;
}

let nextRowId = 1;
export function newPropertyRow(key = '', value = ''): PropertyRow {
  return { id: nextRowId++, key, value };
}

export function rowsOf(properties: Record<string, string>): PropertyRow[] {
  return Object.entries(properties).map(([key, value]) => newPropertyRow(key, value));
}

/** The properties the rows describe (rows without a name are left out); the first of two equal names wins. */
export function propertiesOf(rows: readonly PropertyRow[]): Record<string, string> {
  const properties = new Map<string, string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (key !== '' && !properties.has(key)) properties.set(key, row.value.trim());
  }
  return Object.fromEntries(properties);
}

/** A problem the rows have that the server would refuse, in words (null when they look fine). */
export function propertyRowsProblem(rows: readonly PropertyRow[]): string | null {
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (key === '' && row.value.trim() !== '') return 'Every property with a value needs a name.';
    if (key !== '' && seen.has(key)) return `The property “${key}” is listed twice.`;
    seen.add(key);
  }
  return null;
}

/**
 * Key/value rows for a record's properties. Remove buttons appear only when `canRemove` (removing a
 * property is removing data, which needs records:delete); read-only shows the values as text fields
 * that cannot be changed.
 */
export function PropertiesEditor({
  rows,
  onChange,
  readOnly = false,
  canRemove,
  error,
}: {
  rows: PropertyRow[];
  onChange: (rows: PropertyRow[]) => void;
  readOnly?: boolean;
  canRemove: (row: PropertyRow) => boolean;
  error?: string | null | undefined;
}) {
  const update = (id: number, change: Partial<PropertyRow>) =>
    onChange(rows.map((row) => (row.id === id ? { ...row, ...change } : row)));
  return (
    <Stack gap="xs" role="group" aria-labelledby="properties-heading">
      <Text fw={500} size="sm" id="properties-heading">
        Properties
      </Text>
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No properties.
        </Text>
      )}
      {rows.map((row, index) => (
        <Group key={row.id} gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            label={`Property ${index + 1} name`}
            value={row.key}
            onChange={(event) => update(row.id, { key: event.currentTarget.value })}
            readOnly={readOnly}
            maxLength={100}
            style={{ flex: '0 0 38%' }}
          />
          <TextInput
            label={`Property ${index + 1} value`}
            value={row.value}
            onChange={(event) => update(row.id, { value: event.currentTarget.value })}
            readOnly={readOnly}
            maxLength={2000}
            style={{ flex: 1 }}
          />
          {!readOnly && canRemove(row) && (
            <ActionIcon
              variant="subtle"
              color="red"
              size={36}
              aria-label={`Remove property ${row.key.trim() || index + 1}`}
              onClick={() => onChange(rows.filter((other) => other.id !== row.id))}
            >
              <IconTrash />
            </ActionIcon>
          )}
        </Group>
      ))}
      {error && (
        <Text size="sm" c="red" role="alert">
          {error}
        </Text>
      )}
      {!readOnly && (
        <Group>
          <Button
            variant="subtle"
            size="compact-sm"
            leftSection={<IconPlus />}
            onClick={() => onChange([...rows, newPropertyRow()])}
          >
            Add property
          </Button>
        </Group>
      )}
    </Stack>
  );
}
