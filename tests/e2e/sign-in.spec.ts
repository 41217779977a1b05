import { expect, test } from './support/test.js';
import { ADMIN, setUpAdministrator } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { signInThroughUi } from './support/ui.js';

const app = useLatchkey();

test.beforeAll(async () => {
  await setUpAdministrator(app());
});

const GENERIC_FAILURE = 'The email or password is incorrect.';

test('a wrong password and an unknown email get the same generic message, and nothing else', async ({ page }) => {
  await page.goto(`${app().url}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(ADMIN.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-right-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(GENERIC_FAILURE);
  await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toHaveValue('');
  await expect(page).toHaveURL(/\/login$/);

  await page.getByRole('textbox', { name: 'Email', exact: true }).fill('nobody@example.test');
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-right-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(GENERIC_FAILURE);
});

test('Remember Username fills in the email next time, and never keeps the password', async ({ page }) => {
  await page.goto(`${app().url}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(ADMIN.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
  await page.getByRole('checkbox', { name: 'Remember Username' }).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await page.goto(`${app().url}/login`);
  await expect(page.getByRole('textbox', { name: 'Email', exact: true })).toHaveValue(ADMIN.email);
  await expect(page.getByRole('checkbox', { name: 'Remember Username' })).toBeChecked();
  await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toHaveValue('');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(stored).toContain(ADMIN.email);
  expect(stored).not.toContain(ADMIN.password);

  // Unticked, it forgets the email again.
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
  await page.getByRole('checkbox', { name: 'Remember Username' }).uncheck();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto(`${app().url}/login`);
  await expect(page.getByRole('textbox', { name: 'Email', exact: true })).toHaveValue('');
  await expect(page.getByRole('checkbox', { name: 'Remember Username' })).not.toBeChecked();
});

test('Sign Out ends the session: going back to the list leads to the sign-in page', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL(/\/users$/);
  await page.getByRole('link', { name: 'My Account' }).click();
  await expect(page.getByRole('tab', { name: 'Account Settings' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText('You are signed out.')).toBeVisible();

  // The server ended the session too: the API refuses this browser now.
  const me = await page.request.get(`${app().url}/api/v1/me`);
  expect(me.status()).toBe(401);

  // Back (to the list) and a fresh visit of the list both lead to the sign-in page.
  await page.goBack();
  await expect(page).toHaveURL(/\/login\?next=%2Fusers$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.goto(`${app().url}/users`);
  await expect(page).toHaveURL(/\/login\?next=%2Fusers$/);
  await expect(page.getByRole('heading', { name: 'User Accounts' })).toHaveCount(0);
});

test('a signed-out visitor to a deep link signs in and arrives where they were going', async ({ page }) => {
  await page.goto(`${app().url}/users?search=ada`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(ADMIN.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
  await page.getByRole('textbox', { name: 'Password', exact: true }).press('Enter');
  await expect(page).toHaveURL(/\/users\?search=ada$/);
  await expect(page.getByRole('searchbox', { name: 'Search users' })).toHaveValue('ada');
  await expect(page.getByRole('link', { name: ADMIN.email })).toBeVisible();
});

test('a session that ends while the page is open sends the person to sign in, and back afterwards', async ({
  page,
  context,
}) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await expect(page.getByRole('heading', { name: 'User Accounts' })).toBeVisible();
  // The session ends on the server (as when it times out or is revoked) while the browser keeps its cookie.
  const cookies = await context.cookies();
  const ended = await page.request.delete(`${app().url}/api/v1/session`, { headers: { 'x-latchkey-csrf': '1' } });
  expect(ended.status()).toBe(204);
  await context.addCookies(cookies);

  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page).toHaveURL(/\/login\?next=%2Fusers$/);
  await expect(page.getByText('Your session has ended. Please sign in again.')).toBeVisible();

  // Opening Latchkey later with that cookie says the same.
  await page.goto(`${app().url}/users`);
  await expect(page).toHaveURL(/\/login\?next=%2Fusers$/);
  await expect(page.getByText('Your session has ended. Please sign in again.')).toBeVisible();

  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(ADMIN.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'User Accounts' })).toBeVisible();
});

test('a signed-out visitor gets no "session has ended" message', async ({ page }) => {
  await page.goto(`${app().url}/users`);
  await expect(page).toHaveURL(/\/login\?next=%2Fusers$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveCount(0);
});
