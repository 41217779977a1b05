import { Button, Checkbox, Popover, Stack, Text } from '@mantine/core';
import type { Table } from '@tanstack/react-table';
import type { User } from '../../../shared/schemas/users.js';
import { IconColumns } from '../../components/icons.js';

/** "Columns": a checkbox per column that may be hidden. */
export function ColumnVisibilityMenu({ table }: { table: Table<User> }) {
  const hideable = table.getAllLeafColumns().filter((column) => !column.columnDef.meta?.alwaysVisible);
  return (
    <Popover position="bottom-end" shadow="md" trapFocus returnFocus withinPortal>
      <Popover.Target>
        <Button variant="default" leftSection={<IconColumns />}>
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown aria-label="Columns to show" miw={220}>
        <Text size="sm" fw={600} mb="xs">
          Show columns
        </Text>
        <Stack gap={8}>
          {hideable.map((column) => (
            <Checkbox
              key={column.id}
              label={column.columnDef.meta?.label ?? column.id}
              checked={column.getIsVisible()}
              onChange={column.getToggleVisibilityHandler()}
            />
          ))}
        </Stack>
        <Button variant="subtle" size="xs" mt="sm" onClick={() => table.toggleAllColumnsVisible(true)}>
          Show all
        </Button>
      </Popover.Dropdown>
    </Popover>
  );
}
