import { expect, test } from './support/test.js';
import { ADMIN, createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';

const app = useLatchkey();
let other: CreatedUser;

test.beforeAll(async () => {
  const admin = await setUpAdministrator(app());
  other = await createUser(admin, {
    email: 'kay.board@example.test',
    firstName: 'Kay',
    lastName: 'Board',
    securityGroupId: 'regular-user',
  });
});

test('signing in, and the whole User Accounts workflow, work from the keyboard alone', async ({ page }) => {
  await test.step('the sign-in form: Tab moves through the fields, Enter signs in', async () => {
    await page.goto(`${app().url}/login`);
    const email = page.getByRole('textbox', { name: 'Email', exact: true });
    await expect(email).toBeFocused();
    await page.keyboard.type(ADMIN.email);
    await page.keyboard.press('Tab');
    await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toBeFocused();
    await page.keyboard.type(ADMIN.password);
    // The show-password button is in the Tab order, and Space shows and hides what was typed.
    await page.keyboard.press('Tab');
    const show = page.getByRole('button', { name: 'Show password' });
    await expect(show).toBeFocused();
    await expect(show).toHaveAttribute('aria-pressed', 'false');
    await page.keyboard.press('Space');
    await expect(show).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toHaveAttribute('type', 'text');
    await page.keyboard.press('Space');
    await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toHaveAttribute('type', 'password');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('checkbox', { name: 'Remember Username' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'User Accounts' })).toBeVisible();
  });

  await test.step('the first Tab offers "Skip to main content"', async () => {
    await page.reload();
    await expect(page.getByRole('heading', { name: 'User Accounts' })).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  });

  await test.step('New User opens with Enter, starts in its first field, and Escape closes it', async () => {
    const newUser = page.getByRole('button', { name: 'New User' });
    await newUser.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New User' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('textbox', { name: 'Email Address / Login ID' })).toBeFocused();
    // Enter in a field submits the form: the required fields say so.
    await page.keyboard.press('Enter');
    await expect(dialog.getByText('First Name is required.')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(newUser).toBeFocused();
  });

  await test.step('a column sorts with Enter on its header', async () => {
    const header = page.getByRole('columnheader', { name: 'Email' });
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
    await header.getByRole('button').focus();
    await page.keyboard.press('Enter');
    await expect(header).toHaveAttribute('aria-sort', 'descending');
    await page.keyboard.press('Enter');
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
  });

  await test.step('a row is selected with Space, and Delete User opens a dialog that Escape closes', async () => {
    const checkbox = page.getByRole('checkbox', { name: other.email });
    await checkbox.focus();
    await page.keyboard.press('Space');
    await expect(checkbox).toBeChecked();
    const deleteButton = page.getByRole('button', { name: 'Delete User' });
    await expect(deleteButton).toBeEnabled();
    await deleteButton.focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: `Delete user ${other.email}?` });
    await expect(confirm).toBeVisible();
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(confirm).toBeHidden();
    await expect(page.getByRole('link', { name: other.email })).toBeVisible();
  });

  await test.step('Account Settings: Enter in a field updates', async () => {
    await page.getByRole('link', { name: other.email }).focus();
    await page.keyboard.press('Enter');
    // The new page starts from its main region, not from a link that is gone.
    await expect(page.getByRole('main')).toBeFocused();
    const title = page.getByRole('textbox', { name: 'Title' });
    await title.fill('Keyboard Tester');
    await title.press('Enter');
    await expect(page.getByText('Settings updated')).toBeVisible();
    await page.reload();
    await expect(page.getByRole('textbox', { name: 'Title' })).toHaveValue('Keyboard Tester');
  });
});
