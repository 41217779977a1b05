/**
 * The task workflow, as data: the statuses, their labels, and which action moves a task from which
 * statuses to which. The server enforces it (services/tasks.ts) and computes each caller's
 * `actions` from it; the UI only shows what the server sent.
 */
import type { Permission } from './permissions.js';

export const TASK_STATUSES = ['not_started', 'in_progress', 'complete', 'cancelled', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  not_started: 'Not Started',
  in_progress: 'In Progress',
  complete: 'Complete',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** Statuses a task never leaves, and in which it can no longer be reassigned. */
export const FINAL_TASK_STATUSES: readonly TaskStatus[] = ['complete', 'cancelled'];

export const TASK_TRANSITION_NAMES = ['start', 'complete', 'fail', 'cancel'] as const;
export type TaskTransitionName = (typeof TASK_TRANSITION_NAMES)[number];

export interface TaskTransition {
  permission: Permission;
  from: readonly TaskStatus[];
  to: TaskStatus;
  /** For messages: "A Complete task cannot be started." */
  pastParticiple: string;
}

/** Each transition has its own route and its own permission. */
export const TASK_TRANSITIONS: Record<TaskTransitionName, TaskTransition> = {
  start: { permission: 'tasks:start', from: ['not_started', 'failed'], to: 'in_progress', pastParticiple: 'started' },
  complete: { permission: 'tasks:complete', from: ['in_progress'], to: 'complete', pastParticiple: 'completed' },
  fail: { permission: 'tasks:fail', from: ['in_progress'], to: 'failed', pastParticiple: 'failed' },
  cancel: {
    permission: 'tasks:cancel',
    from: ['not_started', 'in_progress', 'failed'],
    to: 'cancelled',
    pastParticiple: 'cancelled',
  },
};

export function isFinalTaskStatus(status: TaskStatus): boolean {
  return FINAL_TASK_STATUSES.includes(status);
}

/** "A Complete task cannot be started." / "An In Progress task cannot be assigned." */
export function transitionRefusalMessage(status: TaskStatus, pastParticiple: string): string {
  const label = TASK_STATUS_LABELS[status];
  const article = /^[AEIOU]/.test(label) ? 'An' : 'A';
  return `${article} ${label} task cannot be ${pastParticiple}.`;
}
