import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { User } from '../../../shared/schemas/users.js';
import { messageOf } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { deleteUser } from '../../api/users.js';
import { fullName } from '../../format/labels.js';

/** "Delete user <email>?" with Delete and Cancel; the server's refusal (your own account, the last Administrator…) is shown here. */
export function DeleteUserModal({
  opened,
  user,
  onClose,
  onDeleted,
}: {
  opened: boolean;
  user: User;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: () => deleteUser(user.id),
    onSuccess: () => {
      notifications.show({ color: 'green', message: `User ${user.email} deleted` });
      void queryClient.invalidateQueries({ queryKey: queryKeys.users });
      void queryClient.invalidateQueries({ queryKey: queryKeys.securityGroups });
      onDeleted();
    },
  });

  function close() {
    mutation.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title={`Delete user ${user.email}?`} centered size="md">
      <Stack gap="md">
        <Text size="sm">
          The account of {fullName(user)} ({user.securityGroup.name}) will be removed, with its sessions and API token.
          This cannot be undone.
        </Text>
        {mutation.isError && (
          <Alert color="red" role="alert" title="The user was not deleted">
            {messageOf(mutation.error)}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button color="red" onClick={() => mutation.mutate()} loading={mutation.isPending}>
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
