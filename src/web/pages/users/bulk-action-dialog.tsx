import { Alert, List, Select, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { User } from '../../../shared/schemas/users.js';
import { isApiError, messageOf } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { saveFile } from '../../api/save-file.js';
import { bulkDeleteUsers, bulkUpdateUsers, exportSelectedUsersCsv, listSecurityGroups } from '../../api/users.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { countOf } from '../../format/count.js';

/** The bulk actions of the User Accounts list (Delete of one account keeps its own dialog). */
export type BulkAction = 'enable' | 'disable' | 'changeSecurityGroup' | 'requireMfa' | 'delete' | 'export';

const accounts = (n: number) => countOf(n, ['account', 'accounts']);

/** What each action's dialog says: title (with the count), what happens, its button, what is shown after. */
const WORDS: Record<
  BulkAction,
  { title: (n: number) => string; message: string; confirm: string; constructive: boolean; done: string }
> = {
  enable: {
    title: (n) => `Enable ${accounts(n)}?`,
    message: 'They can sign in again. Their API tokens do not come back: generate new ones where needed.',
    confirm: 'Enable',
    constructive: true,
    done: 'enabled',
  },
  disable: {
    title: (n) => `Disable ${accounts(n)}?`,
    message:
      'They are signed out everywhere at once and their API tokens are destroyed. They cannot sign in until enabled again.',
    confirm: 'Disable',
    constructive: false,
    done: 'disabled',
  },
  changeSecurityGroup: {
    title: (n) => `Change the security group of ${accounts(n)}?`,
    message: 'They get the rights of the group chosen from their next request on.',
    confirm: 'Change',
    constructive: true,
    done: 'moved to the new security group',
  },
  requireMfa: {
    title: (n) => `Require MFA for ${accounts(n)}?`,
    message:
      'Each must set up multi-factor authentication at the next sign-in, and cannot turn it off. (Enroll in Multi-Factor Authentication, as on the Password & Security tab.)',
    confirm: 'Require MFA',
    constructive: true,
    done: 'now required to use MFA',
  },
  delete: {
    title: (n) => `Delete ${accounts(n)}?`,
    message: 'The accounts are removed, with their sessions and API tokens. This cannot be undone.',
    confirm: 'Delete',
    constructive: false,
    done: 'deleted',
  },
  export: {
    title: (n) => `Export ${accounts(n)}?`,
    message: 'A CSV file with the same columns as Export, for the selected accounts only.',
    confirm: 'Export',
    constructive: true,
    done: 'exported',
  },
};

const SHOWN_EMAILS = 8;

/**
 * "Disable 3 accounts?" with the action's button and Cancel. All or nothing: when the server
 * refuses any account, nothing changed and each refused account is listed with the server's reason.
 */
export function BulkActionDialog({
  action,
  users,
  onClose,
  onDone,
}: {
  /** The action asked for; null: closed. */
  action: BulkAction | null;
  users: User[];
  onClose: () => void;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const [groupId, setGroupId] = useState<string | null>(null);
  const groups = useQuery({
    queryKey: queryKeys.securityGroups,
    queryFn: ({ signal }) => listSecurityGroups(signal),
    enabled: action === 'changeSecurityGroup',
  });
  const ids = users.map((user) => user.id);
  const mutation = useMutation({
    mutationFn: async (which: BulkAction) => {
      if (which === 'delete') return (await bulkDeleteUsers(ids)).deleted;
      if (which === 'export') {
        const { blob, filename } = await exportSelectedUsersCsv(ids);
        saveFile(blob, filename);
        return ids.length;
      }
      const input =
        which === 'changeSecurityGroup'
          ? { action: which, userIds: ids, securityGroupId: groupId ?? '' }
          : { action: which, userIds: ids };
      return (await bulkUpdateUsers(input)).updated;
    },
    onSuccess: (count, which) => {
      const changed = which === 'export' ? ids.length : count;
      notifications.show({ color: 'green', message: `${accounts(changed)} ${WORDS[which].done}` });
      if (which !== 'export') {
        void queryClient.invalidateQueries({ queryKey: queryKeys.users });
        void queryClient.invalidateQueries({ queryKey: queryKeys.securityGroups });
      }
      close();
      onDone();
    },
  });

  function close() {
    mutation.reset();
    setGroupId(null);
    onClose();
  }

  const words = WORDS[action ?? 'disable'];
  const error = mutation.error;
  const refusedItems = isApiError(error, 'bulk_refused') ? error.items : [];
  const emails = users.map((user) => user.email);
  return (
    <ConfirmDialog
      opened={action !== null}
      title={words.title(users.length)}
      message={words.message}
      confirmLabel={words.confirm}
      constructive={words.constructive}
      onConfirm={() => {
        if (action) mutation.mutate(action);
      }}
      onClose={close}
      pending={mutation.isPending}
      // Shown below, with the refused accounts.
      error={null}
    >
      <Text size="sm" c="dimmed">
        {emails.slice(0, SHOWN_EMAILS).join(', ')}
        {emails.length > SHOWN_EMAILS ? ` and ${emails.length - SHOWN_EMAILS} more` : ''}
      </Text>
      {action === 'changeSecurityGroup' && (
        <Select
          label="Security Group"
          placeholder="Choose a security group"
          data={(groups.data ?? []).map((group) => ({
            value: group.id,
            label: group.name,
            // A group with rights the viewer lacks cannot be handed out (the server's `can.assign`).
            disabled: !group.can.assign.allowed,
          }))}
          value={groupId}
          onChange={setGroupId}
          error={isApiError(error) ? error.fields.securityGroupId : undefined}
          allowDeselect={false}
          required
          data-autofocus
        />
      )}
      {error ? (
        <Alert color="red" role="alert" title={refusedItems.length > 0 ? messageOf(error) : 'Nothing was changed'}>
          {refusedItems.length === 0 && <Text size="sm">{messageOf(error)}</Text>}
          {refusedItems.length > 0 && (
            <List size="sm" mt="xs" aria-label="Refused accounts">
              {refusedItems.map((item) => (
                <List.Item key={item.id}>
                  <strong>{item.email ?? item.id}</strong>: {item.message}
                </List.Item>
              ))}
            </List>
          )}
        </Alert>
      ) : null}
    </ConfirmDialog>
  );
}
