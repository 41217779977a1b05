import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useEffect } from 'react';
import { useBlocker } from 'react-router';

/**
 * Warns before leaving a form with unsaved changes: a dialog for navigation inside Latchkey
 * (another page, another tab of the same page), the browser's own prompt for reload or close.
 * Leaving anyway cancels the changes, as the seed article says ("navigate to another page to cancel").
 */
export function UnsavedChangesGuard({ when }: { when: boolean }) {
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      when && (currentLocation.pathname !== nextLocation.pathname || currentLocation.search !== nextLocation.search),
  );

  useEffect(() => {
    if (!when) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [when]);

  const blocked = blocker.state === 'blocked';
  return (
    <Modal opened={blocked} onClose={() => blocker.reset?.()} title="Leave without saving?" centered size={520}>
      <Stack>
        <Text size="sm">
          You changed settings on this page but did not save them. If you leave, the changes are cancelled.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => blocker.reset?.()}>
            Stay on this page
          </Button>
          <Button color="red" onClick={() => blocker.proceed?.()}>
            Leave and cancel changes
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
