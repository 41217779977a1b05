import { Badge } from '@mantine/core';
import { TASK_STATUS_LABELS, type TaskStatus } from '../../../shared/task-status.js';

const COLORS: Record<TaskStatus, string> = {
  not_started: 'gray',
  in_progress: 'blue',
  complete: 'green',
  cancelled: 'dark',
  failed: 'red',
};

/** A task's status in words (never colour alone). */
export function TaskStatusBadge({ status }: { status: TaskStatus }) {
  return (
    <Badge color={COLORS[status]} variant={status === 'cancelled' ? 'outline' : 'light'} radius="sm">
      {TASK_STATUS_LABELS[status]}
    </Badge>
  );
}
