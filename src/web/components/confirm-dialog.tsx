import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { messageOf } from '../api/client.js';

export interface ConfirmDialogProps {
  opened: boolean;
  title: string;
  /** What will happen, in a sentence or two. */
  message: ReactNode;
  /** Shown under the message (e.g. the names of what will be deleted). */
  children?: ReactNode;
  /** The button that does it ("Delete", "Cancel Task"): red, unless `constructive`. */
  confirmLabel: string;
  /** The action restores something (Enable): a blue button instead of the destructive red. */
  constructive?: boolean;
  /** The button that closes the dialog without doing anything; it has the focus when the dialog opens. */
  cancelLabel?: string;
  onConfirm: () => void;
  /** Cancel, Escape and the close button: callers reset their mutation here. */
  onClose: () => void;
  pending: boolean;
  /** The server's refusal, shown inside the dialog; null when there is none. */
  error: unknown;
  /** The refusal's heading ("The user was not deleted"). */
  errorTitle?: string;
}

/** "Are you sure?" before a destructive or final action, with the server's refusal shown inside. */
export function ConfirmDialog({
  opened,
  title,
  message,
  children,
  confirmLabel,
  constructive = false,
  cancelLabel = 'Cancel',
  onConfirm,
  onClose,
  pending,
  error,
  errorTitle = 'Nothing was changed',
}: ConfirmDialogProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered size="md">
      <Stack gap="md">
        <Text size="sm">{message}</Text>
        {children}
        {error ? (
          <Alert color="red" role="alert" title={errorTitle}>
            {messageOf(error)}
          </Alert>
        ) : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} data-autofocus>
            {cancelLabel}
          </Button>
          <Button color={constructive ? 'blue' : 'red'} onClick={onConfirm} loading={pending}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
