import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { User } from '../../../shared/schemas/users.js';
import { queryKeys } from '../../api/query-keys.js';
import { deleteUser } from '../../api/users.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
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
    <ConfirmDialog
      opened={opened}
      title={`Delete user ${user.email}?`}
      message={`The account of ${fullName(user)} (${user.securityGroup.name}) will be removed, with its sessions and API token. This cannot be undone.`}
      confirmLabel="Delete"
      onConfirm={() => mutation.mutate()}
      onClose={close}
      pending={mutation.isPending}
      error={mutation.isError ? mutation.error : null}
      errorTitle="The user was not deleted"
    />
  );
}
