/**
 * Every page and dialog at 1366×768 (and the busiest ones at 1920×1080), saved in screenshots/
 * for people to look at. Each step also checks the page is the one intended, so a broken page
 * fails here instead of producing a misleading picture.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/test.js';
import { ADMIN, ApiClient, createUser, GOOD_PASSWORD, setUpAdministrator } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

test.describe.configure({ mode: 'serial' });
// Pictures for people: the behaviour on every page is tested by the other specs, so CI (.ci/run)
// skips this file to stay inside its time budget. `npm run test:e2e` takes them.
test.skip(process.env.LATCHKEY_E2E_SCREENSHOTS === '0', 'screenshots are not taken in this run');

const app = useLatchkey();
let admin: ApiClient;
let ssoUserId: string;
let readerId: string;

const PEOPLE = [
  ['Alan', 'Turing', 'Regular User', 'Cryptanalyst', 'Research'],
  ['Barbara', 'Liskov', 'Regular User (No Delete)', 'Professor', 'Engineering'],
  ['Claude', 'Shannon', 'Orchestration User', 'Engineer', 'Operations'],
  ['Donald', 'Knuth', 'Read Only User', 'Author', 'Research'],
  ['Edsger', 'Dijkstra', 'Regular User', 'Professor', 'Engineering'],
  ['Frances', 'Allen', 'Administrator', 'Fellow', 'Compilers'],
  ['Grace', 'Hopper', 'Orchestration User', 'Rear Admiral', 'Navy'],
  ['Hedy', 'Lamarr', 'Regular User', 'Inventor', 'Radio'],
  ['Ivan', 'Sutherland', 'Read Only User', 'Researcher', 'Graphics'],
  ['John', 'Backus', 'Regular User (No Delete)', 'Engineer', 'Compilers'],
  ['Katherine', 'Johnson', 'Regular User', 'Mathematician', 'Flight Research'],
  ['Leslie', 'Lamport', 'Orchestration User', 'Scientist', 'Distributed Systems'],
] as const;

async function shoot(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await saveScreenshot(page, name);
}

test('setup pages', async ({ page }) => {
  await page.goto(`${app().url}/setup`);
  await expect(page.getByRole('heading', { name: 'Open the setup link' })).toBeVisible();
  await shoot(page, '01-setup-without-token');

  await page.goto(app().setupLink);
  await expect(page.getByRole('heading', { name: 'Create the first Administrator' })).toBeVisible();
  await shoot(page, '02-setup');
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill('not-an-email');
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('short');
  await page.getByRole('textbox', { name: 'Confirm Password' }).fill('different');
  await page.getByRole('button', { name: 'Create Administrator' }).click();
  await expect(page.getByText('First Name is required.')).toBeVisible();
  await shoot(page, '03-setup-errors');
});

test('data for the remaining pictures', async () => {
  admin = await setUpAdministrator(app());
  const groups = (await admin.expect<{ groups: { id: string; name: string }[] }>(200, 'GET', '/api/v1/security-groups'))
    .groups;
  for (const [first, last, group, title, functionalGroup] of PEOPLE) {
    const user = await createUser(admin, {
      email: `${first}.${last}@example.test`.toLowerCase(),
      firstName: first,
      lastName: last,
      title,
      telephone: '+1 555 0' + String(100 + PEOPLE.findIndex((p) => p[0] === first)),
      securityGroupId: groups.find((g) => g.name === group)!.id,
    });
    await admin.expect(200, 'PATCH', `/api/v1/users/${user.id}`, { functionalGroup });
    if (first === 'Donald') readerId = user.id;
  }
  const sso = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/users', {
    email: 'margaret.hamilton@example.test',
    firstName: 'Margaret',
    lastName: 'Hamilton',
    title: 'Director',
    userType: 'sso',
    ssoProvider: 'Okta',
    securityGroupId: 'regular-user',
    sessionTimeoutMinutes: 45,
  });
  ssoUserId = sso.id;
  // Some accounts have signed in, so Last Login has values.
  for (const first of ['Alan', 'Grace', 'Donald']) {
    const person = PEOPLE.find((p) => p[0] === first)!;
    await new ApiClient(app().url).signIn(`${person[0]}.${person[1]}@example.test`.toLowerCase(), GOOD_PASSWORD);
  }
});

test('sign-in page', async ({ page }) => {
  await page.goto(`${app().url}/setup`);
  await expect(page.getByRole('heading', { name: 'Latchkey is already set up' })).toBeVisible();
  await shoot(page, '04-setup-finished');

  await page.goto(`${app().url}/login`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await shoot(page, '05-login');
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(ADMIN.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('wrong password here');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await shoot(page, '06-login-failed');
});

test('User Accounts list, its tools and dialogs', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await expect(page.getByRole('link', { name: 'leslie.lamport@example.test' })).toBeVisible();
  await shoot(page, '07-users');

  await page.getByRole('checkbox', { name: 'grace.hopper@example.test' }).check();
  await page.getByRole('button', { name: 'Last Login' }).click();
  await expect(page.getByRole('columnheader', { name: 'Last Login' })).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('button', { name: 'Last Login' }).click();
  await expect(page.getByRole('columnheader', { name: 'Last Login' })).toHaveAttribute('aria-sort', 'descending');
  await shoot(page, '08-users-sorted-by-last-login');

  await page.getByRole('searchbox', { name: 'Search users' }).fill('zzz');
  await expect(page.getByText('No accounts match “zzz”')).toBeVisible();
  await shoot(page, '09-users-no-match');
  await page.getByRole('searchbox', { name: 'Search users' }).fill('');

  await page.getByRole('button', { name: 'Columns' }).click();
  await expect(page.getByRole('checkbox', { name: 'Telephone' })).toBeVisible();
  await shoot(page, '10-users-columns');
  await page.getByRole('checkbox', { name: 'Telephone' }).uncheck();
  await page.getByRole('checkbox', { name: 'Functional Group' }).uncheck();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('columnheader', { name: 'Telephone' })).toHaveCount(0);
  await shoot(page, '11-users-fewer-columns');
  await page.getByRole('button', { name: 'Columns' }).click();
  await page.getByRole('button', { name: 'Show all' }).click();
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'New User' }).click();
  const dialog = page.getByRole('dialog', { name: 'New User' });
  await expect(dialog).toBeVisible();
  await shoot(page, '12-new-user');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByText('First Name is required.')).toBeVisible();
  await shoot(page, '13-new-user-required');
  await dialog.getByLabel('Security Group').click();
  await expect(page.getByRole('option', { name: /Read Only User/ })).toBeVisible();
  await shoot(page, '14-new-user-security-groups');
  await page.getByRole('option', { name: /Read Only User/ }).click();
  await dialog.getByRole('radio', { name: 'SSO' }).check();
  await expect(dialog.getByRole('textbox', { name: 'Password', exact: true })).toHaveCount(0);
  await dialog.getByRole('textbox', { name: 'Identity Provider' }).fill('Okta');
  await shoot(page, '15-new-user-sso');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  await page.getByRole('button', { name: 'Delete User' }).click();
  await expect(page.getByRole('dialog', { name: 'Delete user grace.hopper@example.test?' })).toBeVisible();
  await shoot(page, '16-delete-user');
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Your own account cannot be deleted: the button says so instead of offering a doomed dialog.
  await page.getByRole('checkbox', { name: 'grace.hopper@example.test' }).uncheck();
  await page.getByRole('checkbox', { name: ADMIN.email }).check();
  await expect(page.getByRole('button', { name: 'Delete User' })).toBeDisabled();
  await page.getByRole('button', { name: 'Delete User' }).hover();
  await expect(page.getByRole('tooltip')).toHaveText('You cannot delete your own account.');
  await saveScreenshot(page, '17-delete-user-own-account');
  await page.mouse.move(0, 0);

  await page.setViewportSize({ width: 1920, height: 1080 });
  await shoot(page, '18-users-1920');
});

test('View User pages', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('link', { name: 'alan.turing@example.test' }).click();
  await expect(page.getByRole('heading', { name: 'Alan Turing' })).toBeVisible();
  await shoot(page, '19-view-user');
  await page.getByRole('textbox', { name: 'First Name' }).fill('');
  await page.getByRole('textbox', { name: 'Session Timeout (minutes)' }).fill('3');
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page.getByText('First Name is required.')).toBeVisible();
  await shoot(page, '20-view-user-errors');

  await page.goto(`${app().url}/users/${ssoUserId}`);
  await expect(page.getByRole('heading', { name: 'Margaret Hamilton' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'First Name' })).not.toBeEditable();
  await expect(page.getByText('Managed by Okta').first()).toBeVisible();
  await shoot(page, '21-view-sso-user');

  await page.getByRole('link', { name: 'My Account' }).click();
  await expect(page.getByRole('heading', { name: `${ADMIN.firstName} ${ADMIN.lastName}` })).toBeVisible();
  await page.setViewportSize({ width: 1920, height: 1080 });
  await shoot(page, '22-my-account-1920');
});

test('pages of a Read Only User, not found, and the dark theme', async ({ page }) => {
  await signInThroughUi(page, app(), 'donald.knuth@example.test', GOOD_PASSWORD);
  await expect(page).toHaveURL(/\/records$/);
  await page.goto(`${app().url}/users/${readerId}`);
  await expect(page.getByRole('tab', { name: 'Account Settings' })).toBeVisible();
  await shoot(page, '23-read-only-my-account');
  await page.goto(`${app().url}/users`);
  await expect(page.getByRole('heading', { name: 'You do not have permission to see this page' })).toBeVisible();
  await shoot(page, '24-no-permission');
  await page.goto(`${app().url}/no/such/page`);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await shoot(page, '25-not-found');

  await page.goto(`${app().url}/users/${readerId}`);
  await page.getByRole('combobox', { name: 'UI theme' }).click();
  await page.getByRole('option', { name: 'Dark' }).click();
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await shoot(page, '26-dark-my-account');
});
