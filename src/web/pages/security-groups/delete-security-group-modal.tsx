import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { SecurityGroup } from '../../../shared/schemas/security-groups.js';
import { messageOf } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { deleteSecurityGroup } from '../../api/security-groups.js';

/** "Delete security group <name>?" with Delete and Cancel; the server's refusal (members, rights) is shown here. */
export function DeleteSecurityGroupModal({ group, onClose }: { group: SecurityGroup | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (id: string) => deleteSecurityGroup(id),
    onSuccess: () => {
      notifications.show({ color: 'green', message: `Security group “${group?.name ?? ''}” deleted` });
      void queryClient.invalidateQueries({ queryKey: queryKeys.securityGroups });
      close();
    },
  });

  function close() {
    mutation.reset();
    onClose();
  }

  return (
    <Modal
      opened={group !== null}
      onClose={close}
      title={group ? `Delete security group ${group.name}?` : ''}
      centered
      size="md"
    >
      <Stack gap="md">
        <Text size="sm">
          The custom group “{group?.name}” and its permissions will be removed. No account is in it. This cannot be
          undone.
        </Text>
        {mutation.isError && (
          <Alert color="red" role="alert" title="The security group was not deleted">
            {messageOf(mutation.error)}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button color="red" onClick={() => group && mutation.mutate(group.id)} loading={mutation.isPending}>
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
