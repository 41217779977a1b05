import { Text } from '@mantine/core';
import { useId } from 'react';

/**
 * A value the viewer cannot change, as plain text under its label (not a read-only control): what
 * you can change is a control, everything else reads as text. `note` says why, in the server's
 * words where the server decided it (a refused `can`).
 */
export function PlainField({ label, value, note }: { label: string; value: string; note?: string | undefined }) {
  const id = useId();
  return (
    <div role="group" aria-labelledby={`${id}-label`}>
      <Text size="sm" fw={700} id={`${id}-label`}>
        {label}
      </Text>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Text>
      {note && (
        <Text size="xs" c="dimmed">
          {note}
        </Text>
      )}
    </div>
  );
}
