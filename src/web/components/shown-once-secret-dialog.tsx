import { Alert, Button, Code, CopyButton, Group, Modal, Stack } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * The one dialog that shows a newly generated secret (an API token, a SCIM token): the server
 * never returns it again, so the dialog says so, offers Copy, and does not close on a click
 * outside (a stray click must not lose the only copy).
 */
export function ShownOnceSecretDialog({
  secret,
  title,
  secretLabel,
  instructions,
  onClose,
}: {
  /** The secret to show; null keeps the dialog closed. */
  secret: string | null;
  title: string;
  /** The accessible name of the block that holds the secret, e.g. "New API token". */
  secretLabel: string;
  /** What to do with it, after "This token will not be shown again." */
  instructions: ReactNode;
  onClose: () => void;
}) {
  return (
    <Modal opened={secret !== null} onClose={onClose} title={title} centered size="lg" closeOnClickOutside={false}>
      {secret !== null && (
        <Stack>
          <Alert color="yellow" title="Copy it now">
            This token will not be shown again. {instructions}
          </Alert>
          <Code block aria-label={secretLabel} style={{ wordBreak: 'break-all', fontSize: 14 }}>
            {secret}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={secret}>
              {({ copied, copy }) => (
                <Button variant="default" color={copied ? 'teal' : undefined} onClick={copy}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
