/**
 * The Settings page: an Administrator sets the installation's Maximum session
 * timeout; people then see it on their Session Timeout field and cannot save more. Accounts
 * without administration:manage_settings have no Settings item and no page.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
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

  await page.getByRole('button', { name: 'Sign out' }).click();
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

test('an Administrator limits log retention, confirming the deletion of older entries, and goes back to keeping forever', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  // Two sign-ins from long ago: no API writes history in the past.
  const db = new Database(path.join(app().dataDir, 'latchkey.db'));
  const old = db.prepare(
    `insert into login_history (occurred_at, user_id, email, success, reason, method, ip, user_agent)
     values (?, null, 'old@example.test', 1, null, 'password', '192.0.2.1', 'old browser')`,
  );
  old.run('2020-01-01T00:00:00.000Z');
  old.run('2020-01-02T00:00:00.000Z');
  db.close();

  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/settings`);
  const retention = page.getByRole('radiogroup', { name: 'Log retention' });
  await expect(retention.getByRole('radio', { name: 'Keep forever' })).toBeChecked();
  const days = page.getByRole('textbox', { name: 'Days to keep' });
  await expect(days).toBeDisabled();

  await retention.getByRole('radio', { name: 'Delete entries older than a number of days' }).check();
  await days.fill('3');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Log retention must be at least 7 days.')).toBeVisible();

  await days.fill('90');
  await page.getByRole('button', { name: 'Save' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete older log entries?' });
  await expect(dialog).toContainText('2 sign-in attempts');
  await page.waitForTimeout(400); // the dialog's opening transition, for the screenshot only
  await saveScreenshot(page, 'settings-log-retention-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('radio', { name: 'Keep forever' })).toBeChecked();

  await page.getByRole('radio', { name: 'Delete entries older than a number of days' }).check();
  await days.fill('90');
  await page.getByRole('button', { name: 'Save' }).click();
  await dialog.getByRole('button', { name: 'Delete older entries' }).click();
  await expect(page.getByText('Settings saved')).toBeVisible();
  await page.reload();
  await expect(days).toHaveValue('90');
  await saveScreenshot(page, 'settings-log-retention');

  // Longer again, or forever, deletes nothing more: no question asked.
  await page.getByRole('radio', { name: 'Keep forever' }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Settings saved')).toBeVisible();
  await expect(dialog).toHaveCount(0);
});

test('a browser on a path that is no page of the UI gets status 404 and the UI\'s "Page not found"', async ({
  page,
}) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  const response = await page.goto(`${app().url}/metrics`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  const settings = await page.goto(`${app().url}/settings`);
  expect(settings?.status()).toBe(200);
});
