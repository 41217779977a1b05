/**
 * Custom security groups in the browser: an Administrator copies Read Only User into a
 * new group with task rights, assigns it to an account through the Password & Security tab, and the
 * API reports exactly those rights for that account, who then starts and completes a task in the UI but
 * cannot edit a record; the Delete/Export-need-View rule is shown and
 * blocks Save; an empty group is deleted after confirming; a group with members cannot be.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/test.js';
import { ADMIN, ApiClient, createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let admin: ApiClient;
let tess: CreatedUser;

interface Group {
  id: string;
  name: string;
  memberCount: number;
}

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  tess = await createUser(admin, {
    email: 'tess.tasks@example.test',
    firstName: 'Tess',
    lastName: 'Tasks',
    securityGroupId: 'read-only-user',
  });
});

async function openSecurityGroups(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security Groups' }).click();
  await expect(page.getByRole('heading', { name: 'Security Groups', level: 1 })).toBeVisible();
}

function groupRow(page: Page, name: string) {
  return page
    .getByRole('table', { name: 'Security groups' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name, exact: true }) });
}

test('an Administrator copies Read Only User into Task Runners, assigns it, and the account can start and complete a task but not edit a record', async ({
  page,
  browser,
}) => {
  // Two people's whole journey (group editor, assignment, a task run, a record): more than one test's time.
  test.slow();
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await openSecurityGroups(page);
  await expect(groupRow(page, 'Read Only User')).toContainText('System');
  await saveScreenshot(page, 'security-groups-list');

  await groupRow(page, 'Read Only User').getByRole('link', { name: 'Copy Read Only User' }).click();
  await expect(page.getByRole('heading', { name: 'New Security Group (copy of Read Only User)' })).toBeVisible();
  const name = page.getByRole('textbox', { name: 'Name' });
  await expect(name).toHaveValue('Copy of Read Only User');
  await expect(page.getByRole('checkbox', { name: 'Data records: View' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Reports: View' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Tasks: Start' })).not.toBeChecked();
  await saveScreenshot(page, 'security-group-editor-copy');

  await name.fill('Task Runners');
  for (const verb of ['View', 'Start', 'Complete'])
    await page.getByRole('checkbox', { name: `Tasks: ${verb}` }).check();
  await expect(page.getByRole('checkbox', { name: 'Select all Tasks' })).toHaveAttribute('data-indeterminate', 'true');
  await page.getByRole('button', { name: 'Create Security Group' }).click();

  await expect(page.getByText('Security group “Task Runners” created')).toBeVisible();
  await expect(page).toHaveURL(/\/security-groups$/);
  const row = groupRow(page, 'Task Runners');
  await expect(row).toContainText('Custom');
  await expect(row.getByRole('cell', { name: '0', exact: true })).toBeVisible();
  await expect(row).toContainText('Tasks: View, Start, Complete');

  // Assign it as the seed article describes: View User → Password & Security → Security Group → Change.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('link', { name: tess.email, exact: true }).click();
  await page.getByRole('tab', { name: 'Password & Security' }).click();
  await page.getByRole('combobox', { name: 'Security Group' }).click();
  await page.getByRole('option', { name: /Task Runners/ }).click();
  await page.getByRole('button', { name: 'Change' }).click();
  await expect(page.getByText('The password and security settings were saved.')).toBeVisible();

  const asTess = new ApiClient(app().url);
  await asTess.signIn(tess.email, tess.password);
  const me = await asTess.expect<{ abilities: { permissions: string[] } }>(200, 'GET', '/api/v1/me');
  expect(me.abilities.permissions).toEqual(
    expect.arrayContaining(['tasks:start', 'tasks:complete', 'tasks:view', 'records:view']),
  );
  expect(me.abilities.permissions).not.toContain('records:update');

  // Tess, in her own browser: she can start and complete a task, but not edit a record.
  const record = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/records', {
    type: 'Computer',
    name: 'PC-0042',
  });
  await admin.expect(201, 'POST', '/api/v1/tasks', { title: 'Reimage PC-0042', recordId: record.id });
  const tessContext = await browser.newContext();
  const tessPage = await tessContext.newPage();
  await tessPage.setViewportSize({ width: 1366, height: 768 });
  await signInThroughUi(tessPage, app(), tess.email, tess.password);
  const tessNav = tessPage.getByRole('navigation', { name: 'Main' });
  await expect(tessNav.getByRole('link')).toHaveText(['Records', 'Tasks', 'Reports', 'My Account', 'API Reference']);
  await tessNav.getByRole('link', { name: 'Tasks' }).click();
  await expect(tessPage.getByRole('button', { name: 'New Task' })).toHaveCount(0);
  await tessPage.getByRole('link', { name: 'Reimage PC-0042' }).click();
  await expect(tessPage.getByRole('button', { name: 'Assign…' })).toHaveCount(0);
  await expect(tessPage.getByRole('button', { name: 'Delete Task' })).toHaveCount(0);
  await tessPage.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(tessPage.getByText('In Progress', { exact: true })).toBeVisible();
  await tessPage.getByRole('button', { name: 'Complete', exact: true }).click();
  await expect(tessPage.getByText('Complete', { exact: true })).toBeVisible();
  await saveScreenshot(tessPage, 'custom-group-task-complete');

  await tessNav.getByRole('link', { name: 'Records' }).click();
  await tessPage.getByRole('link', { name: 'PC-0042' }).click();
  await expect(tessPage.getByRole('textbox', { name: 'Owner' })).toHaveAttribute('readonly', '');
  await expect(tessPage.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await expect(tessPage.getByRole('button', { name: /Delete/ })).toHaveCount(0);
  await tessContext.close();
  // The server refuses the edit too, whatever the UI shows.
  const edit = await asTess.call('PATCH', `/api/v1/records/${record.id}`, { owner: 'Tess' });
  expect(edit.status).toBe(403);

  // Now it has a member: Delete is unavailable and says why; the API refuses too.
  await openSecurityGroups(page);
  await expect(row.getByRole('cell', { name: '1', exact: true })).toBeVisible();
  const remove = row.getByRole('button', { name: 'Delete Task Runners' });
  await expect(remove).toHaveAttribute('aria-disabled', 'true');
  await expect(remove).toHaveAccessibleDescription('It has 1 member. Move them to another group before deleting it.');
  await remove.hover();
  await expect(page.getByRole('tooltip')).toHaveText('It has 1 member. Move them to another group before deleting it.');
  await saveScreenshot(page, 'security-groups-list-delete-refused');
  // Still focusable, so the keyboard reaches the reason too; Enter does nothing.
  await remove.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const groups = await admin.expect<{ groups: Group[] }>(200, 'GET', '/api/v1/security-groups');
  const taskRunners = groups.groups.find((g) => g.name === 'Task Runners')!;
  expect((await admin.call('DELETE', `/api/v1/security-groups/${taskRunners.id}`)).status).toBe(409);
});

test('the editor says "Delete and Export require View" while it is violated, and Save is refused', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await openSecurityGroups(page);
  await page.getByRole('link', { name: 'New Security Group', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'New Security Group' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Name' }).fill('Rule Check');
  await page.getByRole('checkbox', { name: 'Tasks: Delete' }).check();
  const rule = page.getByRole('alert').filter({ hasText: 'Delete and Export require View' });
  await expect(rule).toHaveText(/add View to Tasks, or remove Delete\/Export\./);
  await saveScreenshot(page, 'security-group-editor-rule');

  await page.getByRole('button', { name: 'Create Security Group' }).click();
  await expect(page).toHaveURL(/\/security-groups\/new$/);
  await expect(rule).toBeFocused();
  const groups = await admin.expect<{ groups: Group[] }>(200, 'GET', '/api/v1/security-groups');
  expect(groups.groups.map((g) => g.name)).not.toContain('Rule Check');

  await page.getByRole('checkbox', { name: 'Tasks: View' }).check();
  await expect(rule).toHaveCount(0);

  // Select all ticks every verb of the row; a second click clears them.
  await page.getByRole('checkbox', { name: 'Select all Data records' }).check();
  for (const verb of ['View', 'Create', 'Update', 'Delete', 'Import', 'Export'])
    await expect(page.getByRole('checkbox', { name: `Data records: ${verb}` })).toBeChecked();
  await page.getByRole('checkbox', { name: 'Select all Data records' }).uncheck();
  await expect(page.getByRole('checkbox', { name: 'Data records: View' })).not.toBeChecked();
  await saveScreenshot(page, 'security-group-editor-new');

  // Cancel with unsaved changes warns first.
  await page.getByRole('button', { name: 'Cancel' }).click();
  const warning = page.getByRole('dialog', { name: 'Leave without saving?' });
  await expect(warning).toBeVisible();
  await warning.getByRole('button', { name: 'Leave and cancel changes' }).click();
  await expect(page).toHaveURL(/\/security-groups$/);
});

test('a system group opens read-only, with no Save', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await openSecurityGroups(page);
  await groupRow(page, 'Orchestration User').getByRole('link', { name: 'View Orchestration User' }).click();
  await expect(page.getByRole('heading', { name: 'Orchestration User' })).toBeVisible();
  await expect(page.getByText('System groups cannot be changed or deleted.')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Tasks: Start' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Tasks: Start' })).toBeDisabled();
  await expect(page.getByRole('checkbox', { name: 'Select all Reports' })).toBeDisabled();
  await expect(page.getByRole('textbox', { name: 'Name' })).not.toBeEditable();
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await saveScreenshot(page, 'security-group-editor-system');
});

test('an empty custom group is deleted after confirming; Cancel keeps it', async ({ page }) => {
  await admin.expect(201, 'POST', '/api/v1/security-groups', {
    name: 'Empty Group',
    description: 'Nobody here',
    permissions: ['reports:view', 'reports:export'],
  });
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await openSecurityGroups(page);
  const row = groupRow(page, 'Empty Group');
  await row.getByRole('button', { name: 'Delete Empty Group' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete security group Empty Group?' });
  await expect(confirm).toBeVisible();
  await saveScreenshot(page, 'security-group-delete-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toHaveCount(1);

  await row.getByRole('button', { name: 'Delete Empty Group' }).click();
  await page
    .getByRole('dialog', { name: 'Delete security group Empty Group?' })
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(page.getByText('Security group “Empty Group” deleted')).toBeVisible();
  await expect(row).toHaveCount(0);
});
