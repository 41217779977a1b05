import { Alert, Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { User } from '../../../shared/schemas/users.js';
import { queryKeys } from '../../api/query-keys.js';
import { unlockSignIn } from '../../api/users.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { formatDateTime, type DateTimePreferences } from '../../format/date-time.js';
import { fullName } from '../../format/labels.js';

/**
 * "Sign-in is locked until …" after too many failed attempts, with Unlock for whoever may
 * change the account's status (the server's `can.unlockSignIn`: the same rule guards the
 * unlock). Nothing is shown while the account is not locked.
 */
export function SignInLockNotice({ user, prefs }: { user: User; prefs: DateTimePreferences }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const name = fullName(user);
  const mutation = useMutation({
    mutationFn: () => unlockSignIn(user.id),
    onSuccess: () => {
      notifications.show({ color: 'green', message: `Sign-in is unlocked for ${name}` });
      void queryClient.invalidateQueries({ queryKey: queryKeys.user(user.id) });
      close();
    },
  });

  function close() {
    mutation.reset();
    setConfirming(false);
  }

  if (!user.signInLockedUntil) return null;
  return (
    <Alert
      color="orange"
      title={`Sign-in is locked until ${formatDateTime(user.signInLockedUntil, prefs)}`}
      // The light variant's orange title is under 4.5:1 on its background: the text colour keeps it readable.
      styles={{ title: { color: 'var(--mantine-color-text)' } }}
      mb="lg"
    >
      <Group justify="space-between" align="flex-end" gap="sm">
        <Text size="sm" maw={640}>
          Too many failed sign-in attempts (passwords or codes) were made for this account within 15 minutes. Nobody can
          sign in to it, with the right password either, until the lock ends by itself.
        </Text>
        {user.can.unlockSignIn.allowed && (
          <Button variant="default" size="sm" onClick={() => setConfirming(true)}>
            Unlock
          </Button>
        )}
      </Group>
      <ConfirmDialog
        opened={confirming}
        title={`Unlock sign-in for ${name}?`}
        message={`${name} can sign in again at once, and the failed attempts are forgotten. If the attempts were not theirs, whoever made them can start guessing again too.`}
        confirmLabel="Unlock"
        constructive
        onConfirm={() => mutation.mutate()}
        onClose={close}
        pending={mutation.isPending}
        error={mutation.isError ? mutation.error : null}
        errorTitle="Sign-in was not unlocked"
      />
    </Alert>
  );
}
