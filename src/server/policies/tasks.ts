/**
 * Who may do what to a task: pure functions of the actor and the task's status. The task services
 * enforce these decisions on the task as re-read (and locked) in their transaction; the task's
 * presenter sends the same decisions as its `can`, so the UI offers exactly what the server allows.
 */
import { can, type Actor } from '../auth/actor.js';
import {
  isFinalTaskStatus,
  TASK_TRANSITIONS,
  transitionRefusalMessage,
  type TaskStatus,
  type TaskTransitionName,
} from '../../shared/task-status.js';
import type { TaskAbilities } from '../../shared/schemas/tasks.js';
import { ALLOWED, holds, refused, type Decision } from './decision.js';

/** A move along the workflow: the transition's permission, from one of the statuses it starts at. */
export function taskTransitionDecision(actor: Actor, status: TaskStatus, name: TaskTransitionName): Decision {
  const transition = TASK_TRANSITIONS[name];
  if (!can(actor, transition.permission)) return refused('forbidden');
  if (!transition.from.includes(status))
    return refused('task_transition_not_allowed', transitionRefusalMessage(status, transition.pastParticiple));
  return ALLOWED;
}

/** Giving the task to someone (or to nobody): a Complete or Cancelled task keeps its assignee. */
export function taskAssignDecision(actor: Actor, status: TaskStatus, assigning = true): Decision {
  if (!can(actor, 'tasks:assign')) return refused('forbidden');
  if (isFinalTaskStatus(status))
    return refused(
      'task_transition_not_allowed',
      transitionRefusalMessage(status, assigning ? 'assigned' : 'unassigned'),
    );
  return ALLOWED;
}

/**
 * THE statement of what `actor` may do to a task in `status` right now (the task's `can`). Notes
 * and attachments are edits of the task: they need the Update permission, in any status.
 */
export function taskDecisions(actor: Actor, status: TaskStatus): TaskAbilities {
  return {
    assign: taskAssignDecision(actor, status),
    start: taskTransitionDecision(actor, status, 'start'),
    complete: taskTransitionDecision(actor, status, 'complete'),
    cancel: taskTransitionDecision(actor, status, 'cancel'),
    fail: taskTransitionDecision(actor, status, 'fail'),
    update: holds(actor, 'tasks:update'),
    delete: holds(actor, 'tasks:delete'),
  };
}
