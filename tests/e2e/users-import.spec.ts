/**
 * Import accounts from CSV, as an Administrator meets it: a file with an error previews with the
 * line and column named and cannot be imported; the fixed file imports (after a confirmation) and
 * the accounts are in the list.
 */
import { expect, test } from './support/test.js';
import { ADMIN, setUpAdministrator } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { chooseFile, saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();

test.beforeAll(async () => {
  await setUpAdministrator(app());
});

test('a file with an error shows the line; the fixed file imports, confirmed, and the accounts are listed', async ({
  page,
}) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import Users from CSV' });

  const header = 'Email,First Name,Last Name,Title,Security Group,Functional Group,Session Timeout\r\n';
  const broken =
    header +
    'iris.import@example.test,Iris,Import,Analyst,Regular User,Finance,30\r\n' +
    'ivan.import@example.test,Ivan,Import,Engineer,Spaceship Crew,Ops,45\r\n';
  await chooseFile(page, dialog, 'users.csv', broken);
  await dialog.getByRole('button', { name: 'Preview' }).click();
  const preview = dialog.getByRole('table', { name: 'Import preview' });
  await expect(
    preview.getByRole('row').filter({ hasText: 'Line 3, Security Group: Unknown security group "Spaceship Crew".' }),
  ).toBeVisible();
  await expect(dialog.getByText(/1 row has errors/)).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Import 1 account' })).toBeDisabled();
  await saveScreenshot(page, 'users-import-preview-errors');

  await chooseFile(page, dialog, 'fixed.csv', broken.replace('Spaceship Crew', 'Read Only User'));
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByText(/No errors\. Would create 2 accounts/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Import 2 accounts' }).click();
  await expect(dialog.getByText(/no password yet/).first()).toBeVisible();
  await dialog.getByRole('button', { name: 'Yes, import 2 accounts' }).click();
  await expect(dialog.getByText('2 accounts imported')).toBeVisible();
  await expect(dialog.getByRole('link', { name: 'ivan.import@example.test' })).toBeVisible();
  await saveScreenshot(page, 'users-import-result');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();

  const table = page.getByRole('table', { name: 'User accounts' });
  for (const email of ['iris.import@example.test', 'ivan.import@example.test'])
    await expect(table.getByRole('link', { name: email })).toBeVisible();
});
