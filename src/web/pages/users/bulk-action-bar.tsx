import { Button, Group, Paper, Text } from '@mantine/core';
import type { BulkAction } from './bulk-action-dialog.js';

/** "3 selected" and what can be done to them all at once (each asks first; Delete is Delete User on the toolbar). */
export function BulkActionBar({
  count,
  canUpdate,
  canExport,
  onAction,
  onClear,
}: {
  count: number;
  canUpdate: boolean;
  canExport: boolean;
  onAction: (action: BulkAction) => void;
  onClear: () => void;
}) {
  return (
    <Paper withBorder p="xs" radius="sm" role="toolbar" aria-label="Selected accounts">
      <Group gap="xs" wrap="wrap">
        <Text size="sm" fw={600} mr="xs" aria-live="polite">
          {count} selected
        </Text>
        {canUpdate && (
          <>
            <Button size="xs" variant="default" onClick={() => onAction('enable')}>
              Enable
            </Button>
            <Button size="xs" variant="default" onClick={() => onAction('disable')}>
              Disable
            </Button>
            <Button size="xs" variant="default" onClick={() => onAction('changeSecurityGroup')}>
              Change Security Group
            </Button>
            <Button size="xs" variant="default" onClick={() => onAction('requireMfa')}>
              Require MFA
            </Button>
          </>
        )}
        {canExport && (
          <Button size="xs" variant="default" onClick={() => onAction('export')}>
            Export selected
          </Button>
        )}
        <Button size="xs" variant="subtle" onClick={onClear}>
          Clear selection
        </Button>
      </Group>
    </Paper>
  );
}
