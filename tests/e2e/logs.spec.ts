import { readFile } from 'node:fs/promises';
import { expect, test } from './support/test.js';
import { ApiClient, createUser, setUpAdministrator, ADMIN, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let reader: CreatedUser;

test.beforeAll(async () => {
  const admin = await setUpAdministrator(app());
  reader = await createUser(admin, {
    email: 'lena.logreader@example.test',
    firstName: 'Lena',
    lastName: 'Logreader',
    securityGroupId: 'read-only-user',
  });
  // A failed sign-in, as a script with a wrong password would make.
  const stranger = new ApiClient(app().url);
  const failed = await stranger.call('POST', '/api/v1/session', { email: reader.email, password: 'Wrong-Password-1' });
  expect(failed.status).toBe(401);
});

test('an Administrator finds a failed sign-in in Login History and filters by email and result', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs' }).click();
  await expect(page.getByRole('heading', { name: 'Logs' })).toBeVisible();
  await page.getByRole('tab', { name: 'Login History' }).click();
  await expect(page).toHaveURL(/tab=logins/);

  const table = page.getByRole('table', { name: 'Login history' });
  await page.getByRole('searchbox', { name: 'Email', exact: true }).fill('lena.log');
  await expect(page).toHaveURL(/email=lena\.log/);
  const row = table.getByRole('row').filter({ hasText: reader.email });
  await expect(row).toHaveCount(1);
  await expect(row.getByText('Failure')).toBeVisible();
  await expect(row.getByText('Wrong password')).toBeVisible();
  await expect(table.getByRole('row').filter({ hasText: ADMIN.email })).toHaveCount(0);

  await page.getByRole('searchbox', { name: 'Email', exact: true }).fill('');
  await expect(table.getByRole('row').filter({ hasText: ADMIN.email }).first()).toBeVisible();
  await page.getByRole('combobox', { name: 'Result' }).click();
  await page.getByRole('option', { name: 'Failure' }).click();
  await expect(page).toHaveURL(/result=failure/);
  await expect(table.getByRole('row').filter({ hasText: ADMIN.email })).toHaveCount(0);
  await expect(table.getByRole('row').filter({ hasText: reader.email })).toHaveCount(1);
  await saveScreenshot(page, 'logs-login-history');
});

test('an Administrator sees the user.created event, filters by action, and exports it as CSV', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/logs`);
  await expect(page.getByRole('tab', { name: 'System Events', selected: true })).toBeVisible();
  const table = page.getByRole('table', { name: 'System events' });
  const created = table.getByRole('row').filter({ hasText: reader.email }).filter({ hasText: 'user.created' });
  await expect(created).toHaveCount(1);
  await expect(created.getByText('User created')).toBeVisible();
  await expect(created.getByText(ADMIN.email)).toBeVisible();
  // The actor's security group, in its own column (issue 11, #10).
  await expect(table.getByRole('columnheader', { name: 'Actor Group' })).toBeVisible();
  await expect(created.getByRole('cell', { name: 'Administrator', exact: true })).toBeVisible();

  await page.getByRole('combobox', { name: 'Action' }).click();
  await page.getByRole('option', { name: 'User created' }).click();
  await expect(page).toHaveURL(/action=user\.created/);
  await expect(table.getByText('setup.first_administrator_created')).toHaveCount(0);
  await expect(created).toHaveCount(1);
  await saveScreenshot(page, 'logs-system-events');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  expect(csv).toContain(reader.email);
  expect(csv).toContain('user.created');
  expect(csv).not.toContain('setup.first_administrator_created');
});

test('a Read Only User has no Logs link, and /logs tells them they lack permission', async ({ page }) => {
  await signInThroughUi(page, app(), reader.email, reader.password);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs' })).toHaveCount(0);
  await page.goto(`${app().url}/logs`);
  await expect(page.getByRole('heading', { name: 'You do not have permission to see this page' })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
});
