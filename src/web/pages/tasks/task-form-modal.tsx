import { Alert, Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { TASK_TITLE_MAX, type Task } from '../../../shared/schemas/tasks.js';
import { queryKeys } from '../../api/query-keys.js';
import { createTask, updateTask } from '../../api/tasks.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { useFieldErrors } from '../../components/use-field-errors.js';
import { DayInput } from '../../components/day-input.js';
import { RecordSelect } from './record-select.js';

const FIELDS = ['title', 'recordId', 'dueDate'] as const;

/**
 * New Task (no `task`) or Edit (a `task`): Title, Record (only for accounts that may view
 * records) and Due date. The server validates everything; required and length are checked here too.
 */
export function TaskFormModal({ opened, onClose, task }: { opened: boolean; onClose: () => void; task?: Task }) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState(task?.title ?? '');
  const [recordId, setRecordId] = useState<string | null>(task?.record?.id ?? null);
  const [dueDate, setDueDate] = useState(task?.dueDate ?? '');
  const errors = useFieldErrors(FIELDS);
  const showRecord = can(me, 'records:view');

  const mutation = useMutation({
    mutationFn: () => {
      const common = { title, dueDate: dueDate === '' ? null : dueDate };
      if (task) return updateTask(task.id, showRecord ? { ...common, recordId } : common);
      return createTask({ ...common, ...(showRecord && recordId ? { recordId } : {}) });
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.tasks });
      notifications.show({ color: 'green', message: task ? 'Task saved' : `Task “${saved.title}” created` });
      close();
      if (!task) void navigate(`/tasks/${saved.id}`);
    },
    onError: (error) => errors.showError(error),
  });

  function close() {
    mutation.reset();
    errors.clear();
    if (!task) {
      setTitle('');
      setRecordId(null);
      setDueDate('');
    }
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!title.trim()) {
      errors.setFields({ title: 'Title is required.' });
      return;
    }
    mutation.mutate();
  }

  return (
    <Modal opened={opened} onClose={close} title={task ? 'Edit Task' : 'New Task'} centered size="md">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <TextInput
            label="Title"
            required
            maxLength={TASK_TITLE_MAX}
            value={title}
            onChange={(event) => {
              setTitle(event.currentTarget.value);
              errors.clearField('title');
            }}
            error={errors.fields.title}
            data-autofocus
          />
          {showRecord && (
            <RecordSelect
              value={recordId}
              onChange={(id) => {
                setRecordId(id);
                errors.clearField('recordId');
              }}
              error={errors.fields.recordId}
              initial={task?.record ?? null}
            />
          )}
          <DayInput
            label="Due date"
            value={dueDate}
            onChange={(day) => {
              setDueDate(day);
              errors.clearField('dueDate');
            }}
            dateFormat={me.user.dateFormat}
            error={errors.fields.dueDate}
            w={200}
          />
          {errors.formError && (
            <Alert color="red" role="alert" title={task ? 'The task was not saved' : 'The task was not created'}>
              {errors.formError}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={mutation.isPending}>
              {task ? 'Save' : 'Create Task'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
