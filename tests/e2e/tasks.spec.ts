import { readFile } from 'node:fs/promises';
import { expect, test } from './support/test.js';
import { ADMIN, createUser, setUpAdministrator, type ApiClient, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let admin: ApiClient;
let orchestrator: CreatedUser;
let noDelete: CreatedUser;

async function withToken(token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, app().url), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  orchestrator = await createUser(admin, {
    email: 'otto.orchestrator@example.test',
    firstName: 'Otto',
    lastName: 'Orchestrator',
    securityGroupId: 'orchestration-user',
  });
  noDelete = await createUser(admin, {
    email: 'nora.nodelete@example.test',
    firstName: 'Nora',
    lastName: 'Nodelete',
    securityGroupId: 'regular-user-no-delete',
  });
  // Some tasks in several statuses, so the list has something to show.
  for (const [title, action] of [
    ['Rotate backup tapes', null],
    ['Patch the mail gateway', 'start'],
    ['Renew TLS certificate', 'cancel'],
  ] as const) {
    const task = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/tasks', { title, dueDate: '2031-03-15' });
    if (action) await admin.expect(200, 'POST', `/api/v1/tasks/${task.id}/${action}`);
  }
});

test("an Orchestration User's API token runs a task through assign → start → complete", async () => {
  const task = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/tasks', { title: 'Reboot the print server' });
  const { token } = await admin.expect<{ token: string }>(201, 'POST', `/api/v1/users/${orchestrator.id}/api-token`);

  const assigned = await withToken(token, 'POST', `/api/v1/tasks/${task.id}/assign`, { assigneeId: orchestrator.id });
  expect(assigned.status).toBe(200);
  expect(assigned.body.assignee).toMatchObject({ id: orchestrator.id });
  const started = await withToken(token, 'POST', `/api/v1/tasks/${task.id}/start`);
  expect(started.status).toBe(200);
  expect(started.body.status).toBe('in_progress');
  const completed = await withToken(token, 'POST', `/api/v1/tasks/${task.id}/complete`);
  expect(completed.status).toBe(200);
  expect(completed.body.status).toBe('complete');
  // Final: it cannot be started again, and the token may not delete it.
  expect((await withToken(token, 'POST', `/api/v1/tasks/${task.id}/start`)).status).toBe(409);
  expect((await withToken(token, 'DELETE', `/api/v1/tasks/${task.id}`)).status).toBe(403);
});

test('an Administrator creates, assigns, starts, annotates, attaches, downloads and completes a task', async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  await expect(page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Patch the mail gateway' })).toBeVisible();
  await saveScreenshot(page, 'tasks-list');

  await page.getByRole('button', { name: 'New Task' }).click();
  const dialog = page.getByRole('dialog', { name: 'New Task' });
  await dialog.getByRole('textbox', { name: 'Title' }).fill('Replace the laptop battery');
  await dialog.getByLabel('Due date').fill('2031-06-30');
  await saveScreenshot(page, 'tasks-new-dialog');
  await dialog.getByRole('button', { name: 'Create Task' }).click();

  await expect(page.getByRole('heading', { name: 'Replace the laptop battery' })).toBeVisible();
  await expect(page.getByText('Not Started', { exact: true })).toBeVisible();
  await expect(page.getByText('2031-06-30')).toBeVisible();

  await page.getByRole('button', { name: 'Assign…' }).click();
  const assign = page.getByRole('dialog', { name: 'Assign Task' });
  await assign.getByRole('combobox', { name: 'Assignee' }).fill('otto');
  await page.getByRole('option', { name: /Otto Orchestrator/ }).click();
  await saveScreenshot(page, 'tasks-assign-dialog');
  await assign.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(assign).toBeHidden();
  await expect(page.getByText('otto.orchestrator@example.test')).toBeVisible();

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByText('In Progress', { exact: true })).toBeVisible();

  await page.getByRole('textbox', { name: 'New note' }).fill('Ordered a replacement battery.');
  await page.getByRole('button', { name: 'Add Note' }).click();
  await expect(page.getByText('Ordered a replacement battery.')).toBeVisible();

  const upload = testInfo.outputPath('battery-order.txt');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(upload, 'Order #4711: 1 × battery\n');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach a file' }).click();
  await (await chooser).setFiles(upload);
  await page.getByRole('button', { name: 'Upload' }).click();
  const link = page.getByRole('link', { name: 'battery-order.txt' });
  await expect(link).toBeVisible();
  await saveScreenshot(page, 'tasks-view-in-progress');

  const downloadPromise = page.waitForEvent('download');
  await link.click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('battery-order.txt');
  expect(await readFile(await download.path(), 'utf8')).toBe('Order #4711: 1 × battery\n');

  await page.getByRole('button', { name: 'Fail' }).click();
  const failDialog = page.getByRole('dialog', { name: 'Mark this task as failed?' });
  await saveScreenshot(page, 'tasks-fail-dialog');
  await failDialog.getByRole('button', { name: 'Go back' }).click();
  await expect(failDialog).toBeHidden();

  await page.getByRole('button', { name: 'Complete', exact: true }).click();
  await expect(page.getByText('Complete', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Assign…' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Cancel Task' })).toHaveCount(0);
  await saveScreenshot(page, 'tasks-view-complete');
});

test('a Regular User (No Delete) sees no Delete Task button and their token cannot DELETE', async ({ page }) => {
  const task = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/tasks', { title: 'Audit the firewall rules' });
  await page.setViewportSize({ width: 1366, height: 768 });
  await signInThroughUi(page, app(), noDelete.email, noDelete.password);
  await page.goto(`${app().url}/tasks/${task.id}`);
  await expect(page.getByRole('heading', { name: 'Audit the firewall rules' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete Task' })).toHaveCount(0);
  // Regular users may not assign, cancel or fail.
  await expect(page.getByRole('button', { name: 'Assign…' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Cancel Task' })).toHaveCount(0);
  await saveScreenshot(page, 'tasks-view-no-delete');

  const { token } = await admin.expect<{ token: string }>(201, 'POST', `/api/v1/users/${noDelete.id}/api-token`);
  const refused = await withToken(token, 'DELETE', `/api/v1/tasks/${task.id}`);
  expect(refused.status).toBe(403);
  expect((await admin.expect<{ id: string }>(200, 'GET', `/api/v1/tasks/${task.id}`)).id).toBe(task.id);
});

test('the list pages by cursor, a deep page survives a reload, and an emptied last page steps back', async ({
  page,
}) => {
  const ids: string[] = [];
  for (let i = 1; i <= 12; i++)
    ids.push(
      (
        await admin.expect<{ id: string }>(201, 'POST', '/api/v1/tasks', {
          title: `Paged straße ${String(i).padStart(2, '0')}`,
        })
      ).id,
    );
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/tasks?sort=title&order=asc&pageSize=10`);
  const table = page.getByRole('table', { name: 'Tasks' });
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await page.getByRole('searchbox', { name: 'Search tasks' }).fill('STRASSE');
  await expect(page.getByText('No tasks match these filters.')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search tasks' }).fill('ED STRAßE');
  await expect(page.getByText('10 shown of 12 tasks')).toBeVisible();
  await expect(table.getByRole('link', { name: 'Paged straße 01' })).toBeVisible();

  await pages.getByRole('button', { name: 'Next' }).click();
  await expect(table.getByRole('link', { name: 'Paged straße 11' })).toBeVisible();
  await expect(page.getByText('2 shown of 12 tasks')).toBeVisible();
  await saveScreenshot(page, 'tasks-list-paged');
  await page.reload();
  await expect(table.getByRole('link', { name: 'Paged straße 12' })).toBeVisible();
  await expect(table.getByRole('link', { name: 'Paged straße 01' })).toHaveCount(0);

  // Both tasks of the page shown are deleted elsewhere: the list steps back to the page before.
  for (const id of ids.slice(10)) await admin.expect(204, 'DELETE', `/api/v1/tasks/${id}`);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(table.getByRole('link', { name: 'Paged straße 01' })).toBeVisible();
  await expect(page.getByText(/shown of 10 tasks/)).toBeVisible();
  await expect(pages.getByRole('button', { name: 'Previous' })).toBeDisabled();
});
