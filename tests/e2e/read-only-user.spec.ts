import { expect, test } from './support/test.js';
import { createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let reader: CreatedUser;
let adminId: string;

test.beforeAll(async () => {
  const admin = await setUpAdministrator(app());
  adminId = (await admin.expect<{ user: { id: string } }>(200, 'GET', '/api/v1/me')).user.id;
  reader = await createUser(admin, {
    email: 'rita.reader@example.test',
    firstName: 'Rita',
    lastName: 'Reader',
    title: 'Analyst',
    securityGroupId: 'read-only-user',
  });
});

test('a Read Only User lands on Records and is shown only what their group may use', async ({ page }) => {
  await signInThroughUi(page, app(), reader.email, reader.password);
  await expect(page).toHaveURL(/\/records$/);

  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['Records', 'Reports', 'My Account', 'API Reference']);
  await expect(nav.getByRole('link', { name: 'Records' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('link', { name: 'User Accounts' })).toHaveCount(0);

  await nav.getByRole('link', { name: 'My Account' }).click();
  await expect(page).toHaveURL(new RegExp(`/users/${reader.id}$`));
  await expect(page.getByRole('heading', { name: 'Rita Reader' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'My Account' })).toHaveAttribute('aria-current', 'page');

  // Their own Account Settings are theirs to change.
  await page.getByRole('textbox', { name: 'Telephone' }).fill('+1 555 0100');
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page.getByText('Settings updated')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Telephone' })).toHaveValue('+1 555 0100');
});

test('a Read Only User who opens /users is told they lack permission', async ({ page }) => {
  await signInThroughUi(page, app(), reader.email, reader.password);
  await page.goto(`${app().url}/users`);
  await expect(page.getByRole('heading', { name: 'You do not have permission to see this page' })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  await page.getByRole('link', { name: 'Go to My Account' }).click();
  await expect(page).toHaveURL(new RegExp(`/users/${reader.id}$`));
});

test("a Read Only User who opens someone else's page is told they lack permission", async ({ page }) => {
  await signInThroughUi(page, app(), reader.email, reader.password);
  await page.goto(`${app().url}/users/${adminId}`);
  await expect(page.getByRole('heading', { name: 'You do not have permission to see this page' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'First Name' })).toHaveCount(0);
});

test('a Read Only User who changes their UI theme to Dark gets the dark theme', async ({ page }) => {
  await signInThroughUi(page, app(), reader.email, reader.password);
  await page.goto(`${app().url}/users/${reader.id}`);
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'light');
  await page.getByRole('combobox', { name: 'UI theme' }).click();
  await page.getByRole('option', { name: 'Dark' }).click();
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page.getByText('Settings updated')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
});
