/**
 * Reports in the browser: the counts drawn as bars are the real ones (each bar is a table row a
 * screen reader reads), the CSV download holds the same numbers, and a Read Only User (reports:view
 * without export) sees the charts but no download.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from './support/test.js';
import { ADMIN, createUser, setUpAdministrator, type ApiClient, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let admin: ApiClient;
let reader: CreatedUser;

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  reader = await createUser(admin, {
    email: 'rory.reports@example.test',
    firstName: 'Rory',
    lastName: 'Reports',
    securityGroupId: 'read-only-user',
  });
  for (const name of ['PC-0001', 'PC-0002', 'PC-0003'])
    await admin.expect(201, 'POST', '/api/v1/records', { type: 'Computer', name });
  await admin.expect(201, 'POST', '/api/v1/records', { type: 'Application', name: 'Mail' });
  const task = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/tasks', { title: 'Reimage PC-0001' });
  await admin.expect(201, 'POST', '/api/v1/tasks', { title: 'Patch Mail' });
  await admin.expect(200, 'POST', `/api/v1/tasks/${task.id}/start`);
});

test('an Administrator reads record and task counts as charts and downloads them as CSV', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await expect(page.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();

  const records = page.getByRole('table', { name: 'Records by type' });
  await expect(records.getByRole('row', { name: /Computer/ })).toContainText('3');
  await expect(records.getByRole('row', { name: /Application/ })).toContainText('1');
  await expect(records.getByRole('row', { name: /User/ })).toContainText('0');
  const tasks = page.getByRole('table', { name: 'Tasks by status' });
  await expect(tasks.getByRole('row', { name: /Not Started/ })).toContainText('1');
  await expect(tasks.getByRole('row', { name: /In Progress/ })).toContainText('1');
  await expect(page.getByText('4 records in all')).toBeVisible();
  await saveScreenshot(page, 'reports');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download Records by type as CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^latchkey-records-by-type-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(await readFile(await download.path(), 'utf8')).toBe(
    'Record Type,Records\r\nApplication,1\r\nComputer,3\r\nUser,0\r\n',
  );
});

test('a Read Only User sees the reports but no download', async ({ page }) => {
  await signInThroughUi(page, app(), reader.email, reader.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await expect(page.getByRole('table', { name: 'Tasks by status' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Download/ })).toHaveCount(0);
});
