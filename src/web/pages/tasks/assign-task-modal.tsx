import { Alert, Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Task } from '../../../shared/schemas/tasks.js';
import { messageOf } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { assignTask, listAssignees } from '../../api/tasks.js';

/** Assign…: search the minimal assignee directory, then Assign; or Unassign. */
export function AssignTaskModal({ opened, onClose, task }: { opened: boolean; onClose: () => void; task: Task }) {
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [assigneeId, setAssigneeId] = useState<string | null>(task.assignee?.id ?? null);
  const people = useQuery({
    queryKey: queryKeys.taskAssignees(debounced),
    queryFn: ({ signal }) => listAssignees(debounced, signal),
    enabled: opened,
  });
  const options = (people.data ?? []).map((person) => ({
    value: person.id,
    label: `${[person.firstName, person.lastName].filter(Boolean).join(' ') || person.email} <${person.email}>`,
  }));
  if (task.assignee && !options.some((o) => o.value === task.assignee!.id)) {
    options.unshift({
      value: task.assignee.id,
      label: `${task.assignee.name || task.assignee.email} <${task.assignee.email}>`,
    });
  }

  const mutation = useMutation({
    mutationFn: (id: string | null) => assignTask(task.id, id),
    onSuccess: (saved) => {
      queryClient.setQueryData(queryKeys.task(task.id), saved);
      void queryClient.invalidateQueries({ queryKey: queryKeys.tasks });
      notifications.show({
        color: 'green',
        message: saved.assignee ? `Assigned to ${saved.assignee.name || saved.assignee.email}` : 'Task unassigned',
      });
      close();
    },
  });

  function close() {
    mutation.reset();
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (assigneeId) mutation.mutate(assigneeId);
  }

  return (
    <Modal opened={opened} onClose={close} title="Assign Task" centered size="md">
      <form onSubmit={submit}>
        <Stack gap="md">
          <Text size="sm">
            Currently:{' '}
            {task.assignee ? `${task.assignee.name || task.assignee.email} (${task.assignee.email})` : 'unassigned'}
          </Text>
          <Select
            label="Assignee"
            placeholder="Search by name or email"
            data={options}
            value={assigneeId}
            onChange={setAssigneeId}
            searchable
            searchValue={search}
            onSearchChange={setSearch}
            filter={({ options: items }) => items}
            nothingFoundMessage={people.isFetching ? 'Searching…' : 'No enabled accounts found'}
            comboboxProps={{ withinPortal: true }}
            data-autofocus
          />
          {mutation.isError && (
            <Alert color="red" role="alert" title="The task was not assigned">
              {messageOf(mutation.error)}
            </Alert>
          )}
          <Group justify="space-between" gap="sm">
            <Button
              variant="light"
              color="gray"
              onClick={() => mutation.mutate(null)}
              disabled={!task.assignee}
              loading={mutation.isPending && mutation.variables === null}
            >
              Unassign
            </Button>
            <Group gap="sm">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button
                type="submit"
                disabled={!assigneeId || assigneeId === task.assignee?.id}
                loading={mutation.isPending && mutation.variables !== null}
              >
                Assign
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
