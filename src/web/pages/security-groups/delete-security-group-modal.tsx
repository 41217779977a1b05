import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { SecurityGroup } from '../../../shared/schemas/security-groups.js';
import { queryKeys } from '../../api/query-keys.js';
import { deleteSecurityGroup } from '../../api/security-groups.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';

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
    <ConfirmDialog
      opened={group !== null}
      title={group ? `Delete security group ${group.name}?` : ''}
      message={`The custom group “${group?.name ?? ''}” and its permissions will be removed. No account is in it. This cannot be undone.`}
      confirmLabel="Delete"
      onConfirm={() => group && mutation.mutate(group.id)}
      onClose={close}
      pending={mutation.isPending}
      error={mutation.isError ? mutation.error : null}
      errorTitle="The security group was not deleted"
    />
  );
}
