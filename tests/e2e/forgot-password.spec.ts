/**
 * "Forgot password" in Chromium, against a real SMTP server on loopback (issue 17): ask on the
 * sign-in page, read the email, open its link, choose a new password. A session signed in before
 * is signed out, the new password signs in, and the link is refused the second time. Screenshots
 * of the three screens (screenshots/forgot-password-*.png).
 */
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { expect, test } from './support/test.js';
import { ADMIN, type ApiClient, createUser, GOOD_PASSWORD, setUpAdministrator } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';
import { SYSTEM_GROUP_IDS } from '../../src/shared/permissions.js';

let smtp: TestSmtpServer;
// Started before Latchkey (hooks run in order), which is told to send through it.
test.beforeAll(async () => {
  smtp = await startTestSmtpServer();
});
test.afterAll(async () => smtp?.close());
const app = useLatchkey({ env: () => smtp.env() });
// Once per Latchkey (a failed test starts a new worker, and a new Latchkey, for the ones after it).
let admin: ApiClient;
test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
});

const NEW_PASSWORD = 'Amber-Kettle-Horizon-93';

test('forgot password: email, link, new password; old sessions end, the link works once', async ({ page, browser }) => {
  const person = await createUser(admin, {
    email: 'robin.reset@example.test',
    firstName: 'Robin',
    lastName: 'Reset',
    securityGroupId: SYSTEM_GROUP_IDS.regularUser,
  });

  // A session from before, in another browser.
  const other = await browser.newContext();
  const oldSession = await other.newPage();
  await signInThroughUi(oldSession, app(), person.email, GOOD_PASSWORD);

  await page.goto(`${app().url}/login`);
  await expect(page.getByRole('link', { name: 'Forgot password?' })).toBeVisible();
  await saveScreenshot(page, 'forgot-password-0-sign-in');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot password' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(person.email);
  await saveScreenshot(page, 'forgot-password-1-ask');
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('If this email belongs to an account');
  await saveScreenshot(page, 'forgot-password-2-asked');

  await smtp.waitForDelivered(1, 15_000);
  const email = smtp.delivered.find((message) => message.subject === 'Reset your Latchkey password');
  expect(email!.to).toEqual([person.email]);
  const link = /https?:\/\/\S+/.exec(email!.text)?.[0] ?? '';
  expect(link).toMatch(/\/reset-password#token=[\w-]{43}$/);

  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  // The secret leaves the address bar (and the history) as soon as the page has read it.
  await expect(page).toHaveURL(/\/reset-password$/);
  await page.getByLabel(/^New Password/).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm New Password').fill(NEW_PASSWORD);
  await saveScreenshot(page, 'forgot-password-3-choose');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();
  await saveScreenshot(page, 'forgot-password-4-changed');

  // The session from before is signed out.
  await oldSession.reload();
  await expect(oldSession.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await other.close();

  // The new password signs in (and the reset itself signed nobody in).
  await page.getByRole('link', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await signInThroughUi(page, app(), person.email, NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);

  // The link, a second time: refused, and nothing changes.
  await page.goto(link);
  await page.getByLabel(/^New Password/).fill('Other-Violin-Glacier-15');
  await page.getByLabel('Confirm New Password').fill('Other-Violin-Glacier-15');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toContainText('already used');
  await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();
  await saveScreenshot(page, 'forgot-password-5-link-refused');
  await signInThroughUi(page, app(), person.email, NEW_PASSWORD);
});

test('the Forgot password page can be used with the keyboard alone', async ({ page }) => {
  await page.goto(`${app().url}/login`);
  const link = page.getByRole('link', { name: 'Forgot password?' });
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Forgot password' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Email', exact: true })).toBeFocused();
  await page.keyboard.type('nobody@example.test');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
});

test('an Administrator turns self-service password reset off: the sign-in page no longer offers it', async ({
  page,
}) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/settings`);
  const setting = page.getByRole('checkbox', { name: 'Self-service password reset' });
  await expect(setting).toBeChecked();
  await setting.uncheck();
  await saveScreenshot(page, 'forgot-password-6-setting');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Settings saved')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Forgot password?' })).toHaveCount(0);
});
