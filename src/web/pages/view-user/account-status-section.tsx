import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { User } from '../../../shared/schemas/users.js';
import { queryKeys } from '../../api/query-keys.js';
import { setAccountStatus } from '../../api/users.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ACCOUNT_STATUS_LABELS, fullName } from '../../format/labels.js';

/**
 * Account Status for SSO accounts: they have no Password & Security tab (where native accounts
 * are enabled and disabled), so the control lives on the page itself.
 */
export function AccountStatusSection({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const enabled = user.accountStatus === 'enabled';
  const target = enabled ? 'disabled' : 'enabled';
  const mutation = useMutation({
    mutationFn: () => setAccountStatus(user.id, target),
    onSuccess: (updated) => {
      notifications.show({
        color: 'green',
        message: `${fullName(updated)}’s account is ${ACCOUNT_STATUS_LABELS[updated.accountStatus].toLowerCase()}`,
      });
      queryClient.setQueryData(queryKeys.user(user.id), updated);
      void queryClient.invalidateQueries({ queryKey: queryKeys.users });
      close();
    },
  });

  function close() {
    mutation.reset();
    setConfirming(false);
  }

  const name = fullName(user);
  return (
    <Paper withBorder radius="md" p="lg" mt="lg" component="section" aria-labelledby="account-status-heading">
      <Stack gap="sm">
        <Title order={2} size="h5" id="account-status-heading">
          Account Status
        </Title>
        <Group gap="sm" justify="space-between">
          <Badge variant="light" tt="none" color={enabled ? 'green' : 'gray'} size="lg">
            {ACCOUNT_STATUS_LABELS[user.accountStatus]}
          </Badge>
          <Button
            variant={enabled ? 'light' : 'filled'}
            color={enabled ? 'red' : 'blue'}
            size="sm"
            onClick={() => setConfirming(true)}
          >
            {enabled ? 'Disable account' : 'Enable account'}
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          {enabled
            ? 'A disabled account cannot sign in, through its identity provider or otherwise.'
            : 'The account cannot sign in until it is enabled.'}
        </Text>
      </Stack>
      <ConfirmDialog
        opened={confirming}
        title={enabled ? `Disable ${name}’s account?` : `Enable ${name}’s account?`}
        message={
          enabled
            ? 'Their sessions end and their API token stops working at once (it is deleted: enabling the account again does not bring it back). They cannot sign in until the account is enabled again.'
            : `They can sign in through ${user.ssoProvider ?? 'their identity provider'} again.`
        }
        confirmLabel={enabled ? 'Disable account' : 'Enable account'}
        constructive={!enabled}
        onConfirm={() => mutation.mutate()}
        onClose={close}
        pending={mutation.isPending}
        error={mutation.isError ? mutation.error : null}
        errorTitle="The account status was not changed"
      />
    </Paper>
  );
}
