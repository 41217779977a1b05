import {
  Alert,
  Anchor,
  Button,
  Card,
  FileInput,
  Group,
  Loader,
  Center,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  TASK_ATTACHMENT_MAX_BYTES,
  TASK_NOTE_MAX,
  type Task,
  type TaskAttachment,
} from '../../../shared/schemas/tasks.js';
import { ApiError, messageOf } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import {
  addTaskNote,
  attachmentUrl,
  deleteTask,
  getTask,
  removeAttachment,
  transitionTask,
  uploadAttachment,
  type TaskTransitionAction,
} from '../../api/tasks.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorState } from '../../components/error-state.js';
import { NoPermissionPage, NoticePage } from '../../components/notice-page.js';
import { formatCalendarDate, formatDateTime } from '../../format/date-time.js';
import { AssignTaskModal } from './assign-task-modal.js';
import { TaskFormModal } from './task-form-modal.js';
import { TaskStatusBadge } from './task-status-badge.js';
import { BackLink } from '../../components/back-link.js';

/** One task: details, the actions the server says the viewer may take now, notes and attachments. */
export function ViewTaskPage() {
  const me = useSignedInMe();
  const { id = '' } = useParams();
  const task = useQuery({ queryKey: queryKeys.task(id), queryFn: ({ signal }) => getTask(id, signal) });
  useDocumentTitle(`${task.data?.title ?? 'Task'} · Latchkey`);

  if (!can(me, 'tasks:view')) {
    return (
      <NoPermissionPage myAccountPath={`/users/${me.user.id}`} message="Your security group may not view Tasks." />
    );
  }
  if (task.isPending) {
    return (
      <Center py="xl">
        <Loader size="sm" aria-label="Loading the task" />
      </Center>
    );
  }
  if (task.isError) {
    if (task.error instanceof ApiError && task.error.status === 404) {
      return (
        <NoticePage title="Task not found" linkTo="/tasks" linkLabel="Back to Tasks">
          This task does not exist; it may have been deleted.
        </NoticePage>
      );
    }
    return <ErrorState error={task.error} onRetry={() => void task.refetch()} />;
  }
  return <TaskView task={task.data} />;
}

const TRANSITION_LABELS: Record<TaskTransitionAction, { button: string; done: string }> = {
  start: { button: 'Start', done: 'Task started' },
  complete: { button: 'Complete', done: 'Task completed' },
  cancel: { button: 'Cancel Task', done: 'Task cancelled' },
  fail: { button: 'Fail', done: 'Task marked as failed' },
};

type Dialog = 'assign' | 'edit' | 'cancel' | 'fail' | 'delete' | null;

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

function TaskView({ task }: { task: Task }) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<Dialog>(null);
  const allowed = task.can;

  function saved(next: Task) {
    queryClient.setQueryData(queryKeys.task(task.id), next);
    void queryClient.invalidateQueries({ queryKey: queryKeys.tasks, predicate: (q) => q.queryKey[1] === 'list' });
  }

  const transition = useMutation({
    mutationFn: (action: TaskTransitionAction) => transitionTask(task.id, action),
    onSuccess: (next, action) => {
      saved(next);
      notifications.show({ color: 'green', message: TRANSITION_LABELS[action].done });
      setDialog(null);
    },
    onError: (error, action) => {
      // A confirm dialog shows its own error; a plain button reports here.
      if (action === 'start' || action === 'complete')
        notifications.show({ color: 'red', title: 'Nothing was changed', message: messageOf(error) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.task(task.id) });
    },
  });

  const remove = useMutation({
    mutationFn: () => deleteTask(task.id),
    onSuccess: () => {
      notifications.show({ color: 'green', message: `Task “${task.title}” deleted` });
      queryClient.removeQueries({ queryKey: queryKeys.task(task.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tasks });
      void navigate('/tasks');
    },
  });

  function closeDialog() {
    transition.reset();
    remove.reset();
    setDialog(null);
  }

  const fmt = (iso: string | null, fallback = '—') => formatDateTime(iso, me.user, fallback);

  return (
    <Stack gap="lg">
      <div>
        <BackLink to="/tasks" list="Tasks" />
        <Group gap="sm" align="center" mt={4}>
          <Title order={1} size="h2" style={{ overflowWrap: 'anywhere' }}>
            {task.title}
          </Title>
          <TaskStatusBadge status={task.status} />
        </Group>
      </div>

      <Group gap="sm" role="toolbar" aria-label="Task actions">
        {allowed.assign.allowed && (
          <Button variant="default" onClick={() => setDialog('assign')}>
            Assign…
          </Button>
        )}
        {allowed.start.allowed && (
          <Button
            onClick={() => transition.mutate('start')}
            loading={transition.isPending && transition.variables === 'start'}
          >
            Start
          </Button>
        )}
        {allowed.complete.allowed && (
          <Button
            color="green"
            onClick={() => transition.mutate('complete')}
            loading={transition.isPending && transition.variables === 'complete'}
          >
            Complete
          </Button>
        )}
        {allowed.fail.allowed && (
          <Button variant="light" color="red" onClick={() => setDialog('fail')}>
            Fail
          </Button>
        )}
        {allowed.cancel.allowed && (
          <Button variant="light" color="gray" onClick={() => setDialog('cancel')}>
            Cancel Task
          </Button>
        )}
        {allowed.update.allowed && (
          <Button variant="default" onClick={() => setDialog('edit')}>
            Edit
          </Button>
        )}
        {allowed.delete.allowed && (
          <Button variant="outline" color="red" onClick={() => setDialog('delete')}>
            Delete Task
          </Button>
        )}
      </Group>

      <Card withBorder padding="md">
        <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md" verticalSpacing="md">
          <Detail label="Record">
            {task.record ? (
              can(me, 'records:view') ? (
                <Anchor component={Link} to={`/records/${task.record.id}`} size="sm">
                  {task.record.name}
                </Anchor>
              ) : (
                task.record.name
              )
            ) : (
              '—'
            )}
            {task.record?.type ? <Text span size="sm" c="dimmed">{` (${task.record.type})`}</Text> : null}
          </Detail>
          <Detail label="Assignee">
            {task.assignee ? `${task.assignee.name || task.assignee.email}` : 'Unassigned'}
            {task.assignee?.name ? (
              <Text size="xs" c="dimmed">
                {task.assignee.email}
              </Text>
            ) : null}
          </Detail>
          <Detail label="Due date">{formatCalendarDate(task.dueDate, me.user.dateFormat)}</Detail>
          <Detail label="Created">{fmt(task.createdAt)}</Detail>
          <Detail label="Updated">{fmt(task.updatedAt)}</Detail>
          <Detail label="Started">{fmt(task.startedAt, 'Not started')}</Detail>
          <Detail label="Finished">{fmt(task.finishedAt, 'Not finished')}</Detail>
        </SimpleGrid>
      </Card>

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <NotesSection task={task} onSaved={saved} />
        <AttachmentsSection task={task} />
      </SimpleGrid>

      {dialog === 'assign' && <AssignTaskModal opened onClose={closeDialog} task={task} />}
      {dialog === 'edit' && <TaskFormModal opened onClose={closeDialog} task={task} />}
      <ConfirmDialog
        opened={dialog === 'cancel'}
        title="Cancel this task?"
        message="A cancelled task is final: it cannot be started, completed or reassigned afterwards."
        confirmLabel="Cancel Task"
        onConfirm={() => transition.mutate('cancel')}
        onClose={closeDialog}
        cancelLabel="Go back"
        pending={transition.isPending}
        error={transition.isError ? transition.error : null}
      />
      <ConfirmDialog
        opened={dialog === 'fail'}
        title="Mark this task as failed?"
        message="A failed task can be started again later, or cancelled."
        confirmLabel="Fail"
        onConfirm={() => transition.mutate('fail')}
        onClose={closeDialog}
        cancelLabel="Go back"
        pending={transition.isPending}
        error={transition.isError ? transition.error : null}
      />
      <ConfirmDialog
        opened={dialog === 'delete'}
        title={`Delete task “${task.title}”?`}
        message="The task, its notes and its attachments will be removed. This cannot be undone."
        confirmLabel="Delete Task"
        onConfirm={() => remove.mutate()}
        onClose={closeDialog}
        cancelLabel="Go back"
        pending={remove.isPending}
        error={remove.isError ? remove.error : null}
      />
    </Stack>
  );
}

function NotesSection({ task, onSaved }: { task: Task; onSaved: (task: Task) => void }) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const [body, setBody] = useState('');
  const add = useMutation({
    mutationFn: () => addTaskNote(task.id, body),
    onSuccess: (note) => {
      onSaved({ ...task, notes: [...task.notes, note] });
      void queryClient.invalidateQueries({ queryKey: queryKeys.task(task.id) });
      setBody('');
      notifications.show({ color: 'green', message: 'Note added' });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (body.trim()) add.mutate();
  }

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="task-notes-heading">
      <Title order={2} size="h4" id="task-notes-heading" mb="sm">
        Notes
      </Title>
      {task.notes.length === 0 ? (
        <Text size="sm" c="dimmed">
          No notes yet.
        </Text>
      ) : (
        <Stack gap="sm" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {task.notes.map((note) => (
            <li key={note.id}>
              <Text size="xs" c="dimmed">
                {note.author.email} · {formatDateTime(note.createdAt, me.user)}
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {note.body}
              </Text>
            </li>
          ))}
        </Stack>
      )}
      {task.can.update.allowed && (
        <form onSubmit={submit}>
          <Stack gap="xs" mt="md">
            <Textarea
              label="New note"
              value={body}
              onChange={(event) => setBody(event.currentTarget.value)}
              maxLength={TASK_NOTE_MAX}
              autosize
              minRows={2}
              maxRows={8}
              error={add.isError ? messageOf(add.error) : undefined}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={add.isPending} disabled={!body.trim()}>
                Add Note
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Card>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function AttachmentsSection({ task }: { task: Task }) {
  const me = useSignedInMe();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [removing, setRemoving] = useState<TaskAttachment | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: queryKeys.task(task.id) });

  const upload = useMutation({
    mutationFn: (chosen: File) => uploadAttachment(task.id, chosen),
    onSuccess: (attachment) => {
      setFile(null);
      refresh();
      notifications.show({ color: 'green', message: `${attachment.fileName} attached` });
    },
  });
  const remove = useMutation({
    mutationFn: (attachment: TaskAttachment) => removeAttachment(task.id, attachment.id),
    onSuccess: (_, attachment) => {
      setRemoving(null);
      refresh();
      notifications.show({ color: 'green', message: `${attachment.fileName} removed` });
    },
  });

  const tooLarge = file !== null && file.size > TASK_ATTACHMENT_MAX_BYTES;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (file && !tooLarge) upload.mutate(file);
  }

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="task-attachments-heading">
      <Title order={2} size="h4" id="task-attachments-heading" mb="sm">
        Attachments
      </Title>
      {task.attachments.length === 0 ? (
        <Text size="sm" c="dimmed">
          No attachments.
        </Text>
      ) : (
        <Table fz={13} verticalSpacing={6} aria-label="Attachments">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>File</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Uploaded</Table.Th>
              {task.can.delete.allowed && (
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {task.attachments.map((attachment) => (
              <Table.Tr key={attachment.id}>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>
                  <Anchor href={attachmentUrl(task.id, attachment.id)} download={attachment.fileName} fz={13}>
                    {attachment.fileName}
                  </Anchor>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatSize(attachment.sizeBytes)}</Table.Td>
                <Table.Td>
                  <Text fz={12}>{formatDateTime(attachment.uploadedAt, me.user)}</Text>
                  <Text fz={12} c="dimmed">
                    {attachment.uploadedBy.email}
                  </Text>
                </Table.Td>
                {task.can.delete.allowed && (
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      onClick={() => setRemoving(attachment)}
                      aria-label={`Delete ${attachment.fileName}`}
                    >
                      Delete
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {task.can.update.allowed && (
        <form onSubmit={submit}>
          <Group gap="sm" align="flex-end" mt="md">
            <FileInput
              label="Attach a file"
              description="Up to 10 MB"
              placeholder="Choose a file"
              value={file}
              onChange={(chosen) => {
                setFile(chosen);
                upload.reset();
              }}
              clearable
              style={{ flex: 1 }}
              error={
                tooLarge ? 'This file is larger than 10 MB.' : upload.isError ? messageOf(upload.error) : undefined
              }
            />
            <Button type="submit" loading={upload.isPending} disabled={!file || tooLarge}>
              Upload
            </Button>
          </Group>
        </form>
      )}
      {removing && (
        <ConfirmDialog
          opened
          title={`Delete ${removing.fileName}?`}
          message="The file will be deleted from this task. This cannot be undone."
          confirmLabel="Delete"
          onConfirm={() => remove.mutate(removing)}
          onClose={() => {
            remove.reset();
            setRemoving(null);
          }}
          cancelLabel="Go back"
          pending={remove.isPending}
          error={remove.isError ? remove.error : null}
        />
      )}
      {upload.isError && !tooLarge ? (
        <Alert color="red" mt="sm" role="alert" title="The file was not attached">
          {messageOf(upload.error)}
        </Alert>
      ) : null}
    </Card>
  );
}
