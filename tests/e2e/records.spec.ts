import { readFile } from 'node:fs/promises';
import { expect, test } from './support/test.js';
import { ApiClient, createUser, setUpAdministrator, ADMIN, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { chooseFile, saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();

let admin: ApiClient;
let noDelete: CreatedUser;
let noDeleteToken: string;
let readOnly: CreatedUser;
let seededId: string;

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  noDelete = await createUser(admin, {
    email: 'nadia.nodelete@example.test',
    firstName: 'Nadia',
    lastName: 'Nodelete',
    securityGroupId: 'regular-user-no-delete',
  });
  readOnly = await createUser(admin, {
    email: 'rory.readonly@example.test',
    firstName: 'Rory',
    lastName: 'Readonly',
    securityGroupId: 'read-only-user',
  });
  noDeleteToken = (await admin.expect<{ token: string }>(201, 'POST', `/api/v1/users/${noDelete.id}/api-token`)).token;
  const seeded = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/records', {
    type: 'Computer',
    name: 'SEED-0001',
    owner: 'IT Operations',
    properties: { os: 'Windows 11', ram: '16 GB', location: 'London' },
  });
  seededId = seeded.id;
  await admin.expect(201, 'POST', '/api/v1/records', { type: 'Application', name: 'Payroll', owner: 'Finance' });
});

test('an Administrator creates, edits and deletes a record', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Records' }).click();
  await expect(page.getByRole('heading', { name: 'Records' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Records' }).getByRole('link', { name: 'SEED-0001' })).toBeVisible();
  await saveScreenshot(page, 'records-list');

  await page.getByRole('button', { name: 'New Record' }).click();
  const dialog = page.getByRole('dialog', { name: 'New Record' });
  await dialog.getByRole('combobox', { name: /^Type/ }).click();
  await page.getByRole('option', { name: 'Computer' }).click();
  await dialog.getByRole('textbox', { name: /^Name/ }).fill('PC-0001');
  await dialog.getByRole('textbox', { name: 'Owner' }).fill('Ada Admin');
  await dialog.getByRole('button', { name: 'Add property' }).click();
  await dialog.getByRole('textbox', { name: 'Property 1 name' }).fill('os');
  await dialog.getByRole('textbox', { name: 'Property 1 value' }).fill('Windows 11');
  await dialog.getByRole('button', { name: 'Add property' }).click();
  await dialog.getByRole('textbox', { name: 'Property 2 name' }).fill('ram');
  await dialog.getByRole('textbox', { name: 'Property 2 value' }).fill('8 GB');
  await saveScreenshot(page, 'records-new-dialog');
  await dialog.getByRole('button', { name: 'Create Record' }).click();

  // The new record opens.
  await expect(page.getByRole('heading', { name: 'PC-0001' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Property 1 value' })).toHaveValue('Windows 11');
  await page.getByRole('textbox', { name: 'Owner' }).fill('Service Desk');
  await page.getByRole('textbox', { name: 'Property 2 value' }).fill('32 GB');
  await page.getByRole('button', { name: 'Remove property os' }).click();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Computer PC-0001 saved')).toBeVisible();
  const id = page.url().split('/').pop()!;
  const saved = await admin.expect<{ owner: string; properties: Record<string, string> }>(
    200,
    'GET',
    `/api/v1/records/${id}`,
  );
  expect(saved).toMatchObject({ owner: 'Service Desk', properties: { ram: '32 GB' } });
  expect(saved.properties).not.toHaveProperty('os');
  await saveScreenshot(page, 'records-view');

  await page.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Computer PC-0001?' });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('heading', { name: 'Records' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Records' }).getByRole('link', { name: 'PC-0001' })).toHaveCount(0);
  expect((await admin.call('GET', `/api/v1/records/${id}`)).status).toBe(404);
});

test('CSV import previews the errors, imports the fixed file, and Export (CSV) downloads the rows', async ({
  page,
}) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/records`);
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import Records from CSV' });

  const broken =
    'Type,Name,Owner,os\r\nComputer,IMP-0001,Ops,Linux\r\nSpaceship,IMP-0002,Ops,\r\nComputer,,Ops,BSD\r\n';
  await chooseFile(page, dialog, 'records.csv', broken);
  await dialog.getByRole('button', { name: 'Preview' }).click();
  const preview = dialog.getByRole('table', { name: 'Import preview' });
  await expect(preview.getByRole('row').filter({ hasText: 'Unknown record type "Spaceship".' })).toBeVisible();
  await expect(preview.getByRole('row').filter({ hasText: 'Name is missing.' })).toBeVisible();
  await expect(dialog.getByText(/2 rows have errors/)).toBeVisible();
  await expect(dialog.getByRole('button', { name: /^Import \d+ records?$/ })).toBeDisabled();
  await saveScreenshot(page, 'records-import-preview-errors');

  const fixed =
    'Type,Name,Owner,os\r\nComputer,IMP-0001,Ops,Linux\r\nApplication,IMP-0002,Ops,\r\nComputer,IMP-0003,Ops,BSD\r\n';
  await chooseFile(page, dialog, 'fixed.csv', fixed);
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByText(/No errors\. Would create 3/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Import 3 records' }).click();
  await expect(page.getByText('3 created, 0 updated, 0 deleted.')).toBeVisible();
  await expect(dialog).toBeHidden();
  const table = page.getByRole('table', { name: 'Records' });
  for (const name of ['IMP-0001', 'IMP-0002', 'IMP-0003'])
    await expect(table.getByRole('link', { name })).toBeVisible();

  await page.getByRole('searchbox', { name: 'Search records' }).fill('imp-');
  await expect(table.getByRole('link')).toHaveCount(3);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await page.getByRole('button', { name: 'CSV (.csv)' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^latchkey-records-.*\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  expect(csv).toBe(
    'Type,Name,Owner,os\r\nComputer,IMP-0001,Ops,Linux\r\nApplication,IMP-0002,Ops,\r\nComputer,IMP-0003,Ops,BSD\r\n',
  );
});

test('a Regular User (No Delete) sees no Delete buttons, and the API refuses their token a DELETE', async ({
  page,
}) => {
  await signInThroughUi(page, app(), noDelete.email, noDelete.password);
  await page.goto(`${app().url}/records`);
  await expect(page.getByRole('table', { name: 'Records' }).getByRole('link', { name: 'SEED-0001' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'New Record' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Delete/ })).toHaveCount(0);
  await expect(page.getByRole('checkbox')).toHaveCount(0);

  await page.getByRole('link', { name: 'SEED-0001' }).click();
  await expect(page.getByRole('heading', { name: 'SEED-0001' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Delete|Remove/ })).toHaveCount(0);

  const response = await fetch(`${app().url}/api/v1/records/${seededId}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${noDeleteToken}` },
  });
  expect(response.status).toBe(403);
  expect((await admin.call('GET', `/api/v1/records/${seededId}`)).status).toBe(200);
});

test('a Read Only User sees no New, Import or edit controls', async ({ page }) => {
  await signInThroughUi(page, app(), readOnly.email, readOnly.password);
  await page.goto(`${app().url}/records`);
  await expect(page.getByRole('table', { name: 'Records' }).getByRole('link', { name: 'SEED-0001' })).toBeVisible();
  for (const name of ['New Record', 'New Type', 'Import CSV', /^Export$/, /Delete/])
    await expect(page.getByRole('button', { name })).toHaveCount(0);

  await page.getByRole('link', { name: 'SEED-0001' }).click();
  await expect(page.getByRole('heading', { name: 'SEED-0001' })).toBeVisible();
  await expect(page.getByText('Your security group may view this record but not change it.')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Owner' })).toHaveAttribute('readonly', '');
  for (const name of ['Save', 'Add property', /Delete|Remove/])
    await expect(page.getByRole('button', { name })).toHaveCount(0);
  await saveScreenshot(page, 'records-view-read-only');
});

test('the list pages by cursor: Next, Last, Previous, a reload of a deep page, and a search while typing', async ({
  page,
}) => {
  const type = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/record-types', { name: 'Paged' });
  for (let i = 1; i <= 23; i++)
    await admin.expect(201, 'POST', '/api/v1/records', {
      typeId: type.id,
      name: `PG-${String(i).padStart(3, '0')}`,
      owner: i % 2 ? 'Åsa Öberg' : 'Ops',
    });
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/records?typeId=${type.id}&pageSize=10`);
  const table = page.getByRole('table', { name: 'Records' });
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await expect(table.getByRole('link', { name: 'PG-001' })).toBeVisible();
  await expect(page.getByText('10 shown of 23 records')).toBeVisible();
  await expect(pages.getByRole('button', { name: 'Previous' })).toBeDisabled();

  await pages.getByRole('button', { name: 'Next' }).click();
  await expect(table.getByRole('link', { name: 'PG-011' })).toBeVisible();
  await expect(page).toHaveURL(/cursor=/);
  await saveScreenshot(page, 'records-list-paged');
  // The page is in the address: a reload shows the same rows.
  await page.reload();
  await expect(table.getByRole('link', { name: 'PG-011' })).toBeVisible();
  await expect(table.getByRole('link', { name: 'PG-001' })).toHaveCount(0);

  await pages.getByRole('button', { name: 'Last' }).click();
  await expect(table.getByRole('link', { name: 'PG-023' })).toBeVisible();
  await expect(page.getByText('10 shown of 23 records')).toBeVisible();
  await expect(pages.getByRole('button', { name: 'Next' })).toBeDisabled();
  await pages.getByRole('button', { name: 'Previous' }).click();
  await expect(table.getByRole('link', { name: 'PG-004' })).toBeVisible();
  await pages.getByRole('button', { name: 'First' }).click();
  await expect(table.getByRole('link', { name: 'PG-001' })).toBeVisible();

  // A search starts again from the first page once typing pauses.
  await pages.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('searchbox', { name: 'Search records' }).fill('pg-02');
  await expect(table.getByRole('link', { name: 'PG-020' })).toBeVisible();
  await expect(page.getByText('4 shown of 4 records')).toBeVisible();
  await expect(page).not.toHaveURL(/cursor=/);
});
