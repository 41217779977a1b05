/**
 * The Settings page (issue 11, defect 7): an Administrator sets the installation's Maximum session
 * timeout; people then see it on their Session Timeout field and cannot save more. Accounts
 * without administration:manage_settings have no Settings item and no page.
 */
import { expect, test } from './support/test.js';
import { ADMIN, createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let person: CreatedUser;

test.beforeAll(async () => {
  const admin = await setUpAdministrator(app());
  person = await createUser(admin, {
    email: 'sam.settings@example.test',
    firstName: 'Sam',
    lastName: 'Settings',
    securityGroupId: 'regular-user',
  });
});

test('an Administrator lowers the Maximum session timeout; a person cannot choose above it', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  const maximum = page.getByRole('textbox', { name: 'Maximum session timeout (minutes)' });
  await expect(maximum).toHaveValue('60');

  await maximum.fill('721');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Maximum session timeout must be at most 720 minutes (12 hours).')).toBeVisible();
  await saveScreenshot(page, 'settings-error');

  await maximum.fill('30');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Settings saved')).toBeVisible();
  await expect(maximum).toHaveValue('30');
  await saveScreenshot(page, 'settings');

  await page.getByRole('button', { name: 'Sign Out' }).click();
  await signInThroughUi(page, app(), person.email, person.password);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'My Account' }).click();
  const timeout = page.getByRole('textbox', { name: 'Session Timeout (minutes)' });
  await expect(page.getByText("at most 30 minutes (this installation's maximum)")).toBeVisible();
  await timeout.fill('45');
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(
    page.getByText("Session Timeout must be at most 30 minutes (this installation's maximum)."),
  ).toBeVisible();
  await saveScreenshot(page, 'settings-account-refused');

  await page.goto(`${app().url}/settings`);
  await expect(page.getByRole('heading', { name: 'You do not have permission to see this page' })).toBeVisible();
});

test('a browser on a path that is no page of the UI gets status 404 and the UI\'s "Page not found" (issue 11, defect 11)', async ({
  page,
}) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  const response = await page.goto(`${app().url}/metrics`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  const settings = await page.goto(`${app().url}/settings`);
  expect(settings?.status()).toBe(200);
});
