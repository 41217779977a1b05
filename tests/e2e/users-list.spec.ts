import { readFile } from 'node:fs/promises';
import { expect, test } from './support/test.js';
import { ADMIN, ApiClient, createUser, setUpAdministrator } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let admin: ApiClient;

// 30 accounts plus the Administrator: two pages of 25, four of 10.
const NAMES = Array.from({ length: 30 }, (_, i) => ({
  firstName: i < 3 ? 'Hannah' : `Person${String(i).padStart(2, '0')}`,
  lastName: i < 3 ? `Harper${i}` : 'Example',
  email: i < 3 ? `hannah.harper${i}@example.test` : `person${String(i).padStart(2, '0')}@example.test`,
}));

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  for (const name of NAMES) await createUser(admin, { ...name, securityGroupId: 'read-only-user' });
});

test('the list pages through the accounts, and rows per page changes the page size', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await expect(page.getByText('31 accounts')).toBeVisible();
  await expect(page.getByRole('table').getByRole('link')).toHaveCount(25);
  await expect(page.getByText('1–25 of 31')).toBeVisible();

  await page.getByRole('button', { name: 'Page 2' }).click();
  await expect(page.getByText('26–31 of 31')).toBeVisible();
  await expect(page.getByRole('table').getByRole('link')).toHaveCount(6);

  await page.getByRole('combobox', { name: 'Rows per page' }).click();
  await page.getByRole('option', { name: '10', exact: true }).click();
  await expect(page.getByText('1–10 of 31')).toBeVisible();
  await expect(page.getByRole('table').getByRole('link')).toHaveCount(10);
  await expect(page.getByRole('button', { name: 'Page 4' })).toBeVisible();
  await page.getByRole('button', { name: 'Last page' }).click();
  await expect(page.getByText('31–31 of 31')).toBeVisible();
});

test('search narrows the list as you type, and Export CSV downloads exactly what is shown', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('searchbox', { name: 'Search users' }).fill('hannah h');
  await expect(page.getByText('3 accounts matching “hannah h”')).toBeVisible();
  await expect(page.getByRole('table').getByRole('link')).toHaveCount(3);

  await page.getByRole('button', { name: 'Last Name' }).click();
  await page.getByRole('button', { name: 'Last Name' }).click();
  await expect(page.getByRole('columnheader', { name: 'Last Name' })).toHaveAttribute('aria-sort', 'descending');
  await expect(page.getByRole('table').getByRole('link').first()).toHaveText('hannah.harper2@example.test');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^latchkey-users-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toBe(
    'Email,First Name,Last Name,Title,Telephone,Security Group,Functional Group,Account Status,User Type,Last Login,Timeout',
  );
  expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([
    'hannah.harper2@example.test',
    'hannah.harper1@example.test',
    'hannah.harper0@example.test',
  ]);
});

test('Columns hides and shows columns, and Refresh shows accounts created meanwhile', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await expect(page.getByRole('columnheader', { name: 'Telephone' })).toBeVisible();
  await page.getByRole('button', { name: 'Columns' }).click();
  await page.getByRole('checkbox', { name: 'Telephone' }).uncheck();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('columnheader', { name: 'Telephone' })).toHaveCount(0);
  await page.reload(); // the choice is remembered on this device
  await expect(page.getByRole('columnheader', { name: 'First Name' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Telephone' })).toHaveCount(0);

  await createUser(admin, {
    email: 'aaron.late@example.test',
    firstName: 'Aaron',
    lastName: 'Late',
    securityGroupId: 'read-only-user',
  });
  await expect(page.getByRole('link', { name: 'aaron.late@example.test' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.getByRole('link', { name: 'aaron.late@example.test' })).toBeVisible();
});
