import { Button, Checkbox, Stack, Text } from '@mantine/core';
import type { Table } from '@tanstack/react-table';
import type { User } from '../../../shared/schemas/users.js';
import { useDeferredOverlays } from '../../components/deferred-overlays.js';
import { IconColumns } from '../../components/icons.js';

/**
 * "Columns": a checkbox per column that may be hidden. Until the popover's code has arrived the
 * button alone shows; a click on it opens the popover as it arrives (components/deferred-overlays.tsx).
 */
export function ColumnVisibilityMenu({ table }: { table: Table<User> }) {
  const { overlays, standIn, controlRef } = useDeferredOverlays<HTMLButtonElement>();
  if (!overlays) {
    return (
      <Button variant="default" leftSection={<IconColumns />} aria-haspopup="dialog" aria-expanded={false} {...standIn}>
        Columns
      </Button>
    );
  }
  const { Popover } = overlays;
  const hideable = table.getAllLeafColumns().filter((column) => !column.columnDef.meta?.alwaysVisible);
  return (
    <Popover position="bottom-end" shadow="md" trapFocus returnFocus withinPortal>
      <Popover.Target>
        <Button ref={controlRef} variant="default" leftSection={<IconColumns />}>
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
