import { expect, test } from './support/test.js';
import { ADMIN } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';

const app = useLatchkey();

const NEW_USER = { email: 'grace.hopper@example.test', firstName: 'Grace', lastName: 'Hopper' };

test('first run: the setup link creates the first Administrator, who then creates, edits and deletes a user', async ({
  page,
}) => {
  await test.step('the printed setup link opens the setup page, which creates the first Administrator', async () => {
    await page.goto(app().setupLink);
    await expect(page.getByRole('heading', { name: 'Create the first Administrator' })).toBeVisible();
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(ADMIN.email);
    await page.getByLabel('First Name').fill(ADMIN.firstName);
    await page.getByLabel('Last Name').fill(ADMIN.lastName);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create Administrator' }).click();

    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByText(`The Administrator account ${ADMIN.email} is ready`)).toBeVisible();
  });

  await test.step('the new Administrator signs in and lands on the User Accounts list', async () => {
    await expect(page.getByRole('textbox', { name: 'Email', exact: true })).toHaveValue(ADMIN.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page).toHaveURL(/\/users$/);
    await expect(page.getByRole('heading', { name: 'User Accounts' })).toBeVisible();
    await expect(page.getByRole('link', { name: ADMIN.email })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toBeVisible();
  });

  await test.step('New User refuses a too-short password next to the field, then creates the user', async () => {
    await page.getByRole('button', { name: 'New User' }).click();
    const dialog = page.getByRole('dialog', { name: 'New User' });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel('Email Address / Login ID').fill(NEW_USER.email);
    await dialog.getByLabel('First Name').fill(NEW_USER.firstName);
    await dialog.getByLabel('Last Name').fill(NEW_USER.lastName);
    await dialog.getByLabel('Title').fill('Commodore');
    await dialog.getByLabel('Security Group').click();
    const option = page.getByRole('option', { name: /Orchestration User/ });
    await expect(option).toContainText('manage tasks'); // each option shows its group's description
    await option.click();
    const password = dialog.getByRole('textbox', { name: 'Password', exact: true });
    await password.fill('too-short');
    await dialog.getByLabel('Confirm Password').fill('too-short');
    await dialog.getByRole('button', { name: 'Create' }).click();

    await expect(password).toHaveAttribute('aria-invalid', 'true');
    await expect(password).toHaveAccessibleDescription(/Password must be at least 12 characters\./);
    await expect(dialog).toBeVisible();

    await password.fill('Compiler-Nanosecond-1906');
    await dialog.getByLabel('Confirm Password').fill('Compiler-Nanosecond-1906');
    await dialog.getByRole('button', { name: 'Create' }).click();

    await expect(dialog).toBeHidden();
    await expect(page.getByText(`User ${NEW_USER.email} created`)).toBeVisible();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: NEW_USER.email }) });
    await expect(row).toContainText('Orchestration User');
    // Title is hidden on the list by default (it fits a 1366-pixel screen); the user's page shows it below.
  });

  await test.step("the Email link opens the user's page, where Account Settings saves a new Title", async () => {
    await page.getByRole('link', { name: NEW_USER.email }).click();
    await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { name: 'Grace Hopper' })).toBeVisible();
    await expect(page.getByRole('tab', { name: 'Account Settings' })).toHaveAttribute('aria-selected', 'true');
    const title = page.getByLabel('Title');
    await expect(title).toHaveValue('Commodore');
    await title.fill('Rear Admiral');
    await page.getByRole('button', { name: 'Update' }).click();
    await expect(page.getByText('Settings updated')).toBeVisible();

    await page.reload();
    await expect(page.getByLabel('Title')).toHaveValue('Rear Admiral');
    await expect(page.getByRole('region', { name: 'Grace Hopper' })).toContainText('Rear Admiral');
  });

  await test.step('Delete User asks first: Cancel keeps the user, Delete removes it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await expect(page.getByRole('heading', { name: 'User Accounts' })).toBeVisible();
    const deleteButton = page.getByRole('button', { name: 'Delete User' });
    await expect(deleteButton).toBeDisabled();
    await page.getByRole('checkbox', { name: NEW_USER.email }).check();
    await deleteButton.click();

    const confirm = page.getByRole('dialog', { name: `Delete user ${NEW_USER.email}?` });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByRole('link', { name: NEW_USER.email })).toBeVisible();

    await deleteButton.click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByText(`User ${NEW_USER.email} deleted`)).toBeVisible();
    await expect(page.getByRole('link', { name: NEW_USER.email })).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('link', { name: ADMIN.email })).toBeVisible();
    await expect(page.getByRole('link', { name: NEW_USER.email })).toHaveCount(0);
  });
});
