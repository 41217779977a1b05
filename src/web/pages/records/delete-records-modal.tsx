import { List } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { DataRecord } from '../../../shared/schemas/records.js';
import { queryKeys } from '../../api/query-keys.js';
import { bulkDeleteRecords } from '../../api/records.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { countOf } from '../../format/count.js';

const RECORD = ['record', 'records'] as const;

const LISTED_MAX = 10;

/** "Delete N records?" with the first names listed, Delete and Cancel. All of them go, or none. */
export function DeleteRecordsModal({
  opened,
  records,
  onClose,
  onDeleted,
}: {
  opened: boolean;
  records: DataRecord[];
  onClose: () => void;
  onDeleted: () => void;
}) {
  const queryClient = useQueryClient();
  const count = records.length;
  const mutation = useMutation({
    mutationFn: () => bulkDeleteRecords(records.map((record) => record.id)),
    onSuccess: ({ deleted }) => {
      notifications.show({ color: 'green', message: `${countOf(deleted, RECORD)} deleted` });
      void queryClient.invalidateQueries({ queryKey: queryKeys.records });
      void queryClient.invalidateQueries({ queryKey: queryKeys.recordTypes });
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
      title={`Delete ${countOf(count, RECORD)}?`}
      message={`${count === 1 ? 'This record' : `These ${count} records`} will be removed. Tasks linked to them stay, without the link. This cannot be undone.`}
      confirmLabel={`Delete ${countOf(count, RECORD)}`}
      onConfirm={() => mutation.mutate()}
      onClose={close}
      pending={mutation.isPending}
      error={mutation.isError ? mutation.error : null}
      errorTitle="Nothing was deleted"
    >
      <List size="sm" spacing={2}>
        {records.slice(0, LISTED_MAX).map((record) => (
          <List.Item key={record.id}>
            {record.type.name}: {record.name}
          </List.Item>
        ))}
        {count > LISTED_MAX && <List.Item>… and {count - LISTED_MAX} more</List.Item>}
      </List>
    </ConfirmDialog>
  );
}
