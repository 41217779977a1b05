/**
 * The task workflow: every transition from every status, allowed or refused with a 409 that names
 * the current status; the times it records; that two concurrent starts cannot both win; and that
 * `actions` tells each system group exactly what the server will then allow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_GROUPS, SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';
import type { Task } from '../../src/shared/schemas/tasks.js';
import {
  TASK_STATUSES,
  TASK_STATUS_LABELS,
  TASK_TRANSITIONS,
  type TaskStatus,
  type TaskTransitionName,
} from '../../src/shared/task-status.js';
import { allowedOf, errorOf, giveApiToken, quickSession, quickUser, stateSnapshot } from '../helpers/fixtures.js';
import { makeTask } from '../helpers/tasks-fixtures.js';
import { createTestApp, tokenCaller, type Caller, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Caller;

beforeAll(async () => {
  t = await createTestApp();
  admin = await quickSession(t, await quickUser(t, SYSTEM_GROUP_IDS.administrator));
});
afterAll(async () => t?.close());

const EXPECTED: Record<TaskTransitionName, { from: TaskStatus[]; to: TaskStatus; word: string }> = {
  start: { from: ['not_started', 'failed'], to: 'in_progress', word: 'started' },
  complete: { from: ['in_progress'], to: 'complete', word: 'completed' },
  fail: { from: ['in_progress'], to: 'failed', word: 'failed' },
  cancel: { from: ['not_started', 'in_progress', 'failed'], to: 'cancelled', word: 'cancelled' },
};

describe('every transition from every status', () => {
  for (const [name, rule] of Object.entries(EXPECTED) as [TaskTransitionName, (typeof EXPECTED)['start']][]) {
    for (const status of TASK_STATUSES) {
      if (rule.from.includes(status)) {
        it(`${name}: ${TASK_STATUS_LABELS[status]} → ${TASK_STATUS_LABELS[rule.to]}`, async () => {
          const id = await makeTask(t, { status, updatedAt: '2020-01-01T00:00:00.000Z' });
          const response = await admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/${name}` });
          expect(response.statusCode, response.body).toBe(200);
          const task = response.json<Task>();
          expect(task.status).toBe(rule.to);
          expect(task.updatedAt > '2020-01-01T00:00:00.000Z').toBe(true);
          if (rule.to === 'in_progress') {
            expect(task.startedAt).toBe(task.updatedAt);
            expect(task.finishedAt).toBeNull();
          } else {
            expect(task.finishedAt).toBe(task.updatedAt);
          }
        });
      } else {
        it(`${name}: refused from ${TASK_STATUS_LABELS[status]} with 409 naming the status, changing nothing`, async () => {
          const id = await makeTask(t, { status });
          const before = await stateSnapshot(t);
          const response = await admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/${name}` });
          expect(response.statusCode).toBe(409);
          const error = errorOf(response);
          expect(error.code).toBe('task_transition_not_allowed');
          const label = TASK_STATUS_LABELS[status];
          expect(error.message).toBe(`${/^[AEIOU]/.test(label) ? 'An' : 'A'} ${label} task cannot be ${rule.word}.`);
          expect(await stateSnapshot(t)).toEqual(before);
        });
      }
    }
  }

  it('matches the shared transition table (the UI and server read the same one)', () => {
    for (const [name, rule] of Object.entries(EXPECTED) as [TaskTransitionName, (typeof EXPECTED)['start']][]) {
      expect([...TASK_TRANSITIONS[name].from].sort()).toEqual([...rule.from].sort());
      expect(TASK_TRANSITIONS[name].to).toBe(rule.to);
    }
  });

  it('says "A Complete task cannot be started."', async () => {
    const id = await makeTask(t, { status: 'complete' });
    const response = await admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/start` });
    expect(errorOf(response).message).toBe('A Complete task cannot be started.');
  });

  it('returns 404 for a transition of an unknown task', async () => {
    const response = await admin.request({ method: 'POST', url: '/api/v1/tasks/no-such-task/start' });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).code).toBe('not_found');
  });

  it('restarting a Failed task starts a new attempt: new start time, no finish time', async () => {
    const id = await makeTask(t, { status: 'failed' });
    const task = (await admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/start` })).json<Task>();
    expect(task.finishedAt).toBeNull();
    expect(task.startedAt).not.toBeNull();
  });
});

describe('concurrency', () => {
  it('lets exactly one of two simultaneous starts win; the other gets 409', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await makeTask(t, { status: 'not_started' });
      const responses = await Promise.all([
        admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/start` }),
        admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/start` }),
      ]);
      expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    }
  });

  it('lets only one of a simultaneous complete and fail win', async () => {
    const id = await makeTask(t, { status: 'in_progress' });
    const responses = await Promise.all([
      admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/complete` }),
      admin.request({ method: 'POST', url: `/api/v1/tasks/${id}/fail` }),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
  });
});

describe('actions per system group (what the UI may show) match what the server allows', () => {
  const members = new Map<string, Caller>();
  beforeAll(async () => {
    for (const group of SYSTEM_GROUPS) members.set(group.id, await quickSession(t, await quickUser(t, group.id)));
  });

  for (const group of SYSTEM_GROUPS) {
    for (const status of TASK_STATUSES) {
      it(`${group.name} on a ${TASK_STATUS_LABELS[status]} task`, async () => {
        const caller = members.get(group.id)!;
        const held = new Set<string>(group.permissions);
        const id = await makeTask(t, { status });
        const response = await caller.request({ method: 'GET', url: `/api/v1/tasks/${id}` });
        if (!held.has('tasks:view')) {
          expect(response.statusCode).toBe(403);
          return;
        }
        const { can } = response.json<Task>();
        const final = status === 'complete' || status === 'cancelled';
        expect(allowedOf(can)).toEqual({
          assign: held.has('tasks:assign') && !final,
          start: held.has('tasks:start') && EXPECTED.start.from.includes(status),
          complete: held.has('tasks:complete') && EXPECTED.complete.from.includes(status),
          cancel: held.has('tasks:cancel') && EXPECTED.cancel.from.includes(status),
          fail: held.has('tasks:fail') && EXPECTED.fail.from.includes(status),
          update: held.has('tasks:update'),
          delete: held.has('tasks:delete'),
        });
        // Each action offered is one the server then accepts; each one withheld, it refuses with
        // the very code and message the task's `can` gave.
        for (const name of ['start', 'complete', 'cancel', 'fail'] as const) {
          const probe = await makeTask(t, { status });
          const result = await caller.request({ method: 'POST', url: `/api/v1/tasks/${probe}/${name}` });
          const decision = can[name];
          if (decision.allowed) expect(result.statusCode, name).toBe(200);
          else expect(errorOf(result), name).toEqual({ code: decision.code, message: decision.message });
        }
      });
    }
  }

  it('an Orchestration User token runs a task through assign → start → complete', async () => {
    const orchestrator = await quickUser(t, SYSTEM_GROUP_IDS.orchestrationUser);
    const caller = tokenCaller(t, await giveApiToken(t, orchestrator.id));
    const id = await makeTask(t);
    expect(
      (
        await caller.request({
          method: 'POST',
          url: `/api/v1/tasks/${id}/assign`,
          payload: { assigneeId: orchestrator.id },
        })
      ).statusCode,
    ).toBe(200);
    expect((await caller.request({ method: 'POST', url: `/api/v1/tasks/${id}/start` })).statusCode).toBe(200);
    const done = await caller.request({ method: 'POST', url: `/api/v1/tasks/${id}/complete` });
    expect(done.json<Task>()).toMatchObject({ status: 'complete', assignee: { id: orchestrator.id } });
    expect(allowedOf(done.json<Task>().can)).toMatchObject({ start: false, assign: false, delete: false });
  });

  it('a Regular User may start and complete but not cancel, fail or assign', async () => {
    const caller = members.get(SYSTEM_GROUP_IDS.regularUser)!;
    const id = await makeTask(t, { status: 'in_progress' });
    for (const [path, payload] of [
      ['cancel', undefined],
      ['fail', undefined],
      ['assign', { assigneeId: null }],
    ] as const) {
      const before = await stateSnapshot(t);
      const response = await caller.request({ method: 'POST', url: `/api/v1/tasks/${id}/${path}`, payload });
      expect(response.statusCode).toBe(403);
      expect(await stateSnapshot(t)).toEqual(before);
    }
  });
});
