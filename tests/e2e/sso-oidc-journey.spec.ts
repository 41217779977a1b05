/**
 * Single sign-on with OpenID Connect, end to end in Chromium against a real OpenID Provider
 * (oidc-provider on 127.0.0.1, tests/helpers/oidc-provider.ts): an Administrator connects the
 * provider through the UI; a new person signs in through it and lands as an SSO account in the
 * mapped group, without a Password & Security tab; a second sign-in with changed claims updates
 * the profile and group; an unverified email does not take over a native account; a disabled SSO
 * account is refused. The tests run in order: each builds on the one before.
 */
import type { Browser, Page } from '@playwright/test';
import { SSO_ERROR_MESSAGES } from '../../src/shared/schemas/identity-providers.js';
import { startTestOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { expect, test } from './support/test.js';
import { ADMIN, createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

test.describe.configure({ mode: 'serial' });

const app = useLatchkey();
let op: TestOidcProvider;
let native: CreatedUser;

const GRACE = {
  email: 'grace.hopper@corp.example',
  email_verified: true,
  given_name: 'Grace',
  family_name: 'Hopper',
  title: 'Engineer',
  phone_number: '+1 555 0100',
  groups: ['latchkey-editors', 'everyone'],
};

test.beforeAll(async () => {
  const admin = await setUpAdministrator(app());
  native = await createUser(admin, {
    email: 'nina.native@corp.example',
    firstName: 'Nina',
    lastName: 'Native',
    securityGroupId: 'regular-user',
  });
  op = await startTestOidcProvider({
    redirectUris: [`${app().url}/api/v1/sso/oidc/callback`],
    postLogoutRedirectUris: [`${app().url}/login`],
  });
});
test.afterAll(async () => op?.close());

async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** A fresh browser (no Latchkey or provider cookies) for one person. */
async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  return context.newPage();
}

/** At the provider's own sign-in form: the person types their username there. */
async function signInAtProvider(page: Page, username: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an Administrator connects the OpenID Provider through the Identity Providers page', async ({ page }) => {
  test.slow();
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Identity Providers' }).click();
  await page.getByRole('link', { name: 'New Identity Provider' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill('Corp ID');
  await choose(page, 'Default security group', 'Read Only User');
  const domains = page.getByRole('combobox', { name: 'Email domains' });
  await domains.fill('corp.example');
  await domains.press('Enter');
  await page.getByRole('textbox', { name: 'Issuer URL' }).fill(op.issuer);
  await page.getByRole('textbox', { name: 'Client ID' }).fill(op.clientId);
  await page.getByLabel('Client secret').fill(op.clientSecret);
  await page.getByRole('button', { name: 'Add mapping' }).click();
  await page.getByRole('textbox', { name: 'Identity provider group 1' }).fill('latchkey-editors');
  await choose(page, 'Security group 1', 'Regular User');
  await page.getByRole('button', { name: 'Create Identity Provider' }).click();
  await expect(page.getByText('Identity provider “Corp ID” added')).toBeVisible();

  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByText('The connection works')).toBeVisible({ timeout: 20_000 });
  await saveScreenshot(page, 'sso-oidc-provider-connected');
});

test('a new person signs in through the provider and lands as an SSO account in the mapped group, with no Password & Security tab', async ({
  browser,
}) => {
  test.slow();
  op.setAccount('grace', GRACE);
  const page = await freshPage(browser);
  await page.goto(`${app().url}/login`);
  await page.getByRole('link', { name: 'Sign in with Corp ID' }).click();
  await signInAtProvider(page, 'grace');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(app().url);

  await page.getByRole('link', { name: 'My Account' }).click();
  await expect(page.getByRole('heading', { name: /Grace Hopper/ })).toBeVisible();
  const profile = page.getByRole('region').filter({ hasText: 'Managed by Corp ID' });
  await expect(profile).toContainText('SSO');
  await expect(profile).toContainText('Regular User');
  await expect(page.getByRole('tab', { name: 'Password & Security' })).toHaveCount(0);
  await saveScreenshot(page, 'sso-oidc-signed-in-my-account');

  // Sign-out ends the Latchkey session and offers the provider's sign-out.
  await page.getByRole('button', { name: 'Sign out' }).click();
  const signOutThere = page.getByRole('link', { name: 'Also sign out of Corp ID' });
  await expect(signOutThere).toBeVisible();
  // RP-initiated logout: the provider asks to confirm, then sends the browser back to Latchkey.
  await signOutThere.click();
  await expect(page).toHaveURL(new RegExp(`^${op.issuer}/`));
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`^${app().url}/login`));
  await page.context().close();
});

test('a second sign-in with changed claims updates the profile and the group', async ({ browser }) => {
  test.slow();
  op.setAccount('grace', { ...GRACE, given_name: 'Grace B.', title: 'Rear Admiral', groups: ['everyone'] });
  const page = await freshPage(browser);
  await page.goto(`${app().url}/login`);
  // This time by email: the domain routes her to her provider.
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(GRACE.email);
  await page.getByRole('link', { name: 'Continue with Corp ID' }).click();
  await signInAtProvider(page, 'grace');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.getByRole('link', { name: 'My Account' }).click();
  await expect(page.getByRole('heading', { name: /Grace B\. Hopper/ })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Title' })).toHaveValue('Rear Admiral');
  await expect(page.getByRole('region').filter({ hasText: 'Managed by Corp ID' })).toContainText('Read Only User');
  await page.context().close();
});

test('an unverified email does not take over the native account that has it', async ({ browser }) => {
  test.slow();
  op.setAccount('impostor', {
    email: native.email,
    email_verified: false,
    given_name: 'Not',
    family_name: 'Nina',
    groups: [],
  });
  const page = await freshPage(browser);
  await page.goto(`${app().url}/login`);
  await page.getByRole('link', { name: 'Sign in with Corp ID' }).click();
  await signInAtProvider(page, 'impostor');
  await expect(page).toHaveURL(/\/login\?sso_error=account_exists/);
  await expect(page.getByRole('alert').filter({ hasText: SSO_ERROR_MESSAGES.account_exists })).toBeVisible();
  await saveScreenshot(page, 'sso-oidc-account-exists');
  // Nina's own password still signs her in.
  await signInThroughUi(page, app(), native.email, native.password);
  await page.context().close();
});

test('an Administrator disables the SSO account; its next sign-in through the provider is refused', async ({
  page,
  browser,
}) => {
  test.slow();
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('link', { name: GRACE.email }).click();
  const status = page.getByRole('region', { name: 'Account Status' });
  await status.getByRole('button', { name: 'Disable account' }).click();
  const confirm = page.getByRole('dialog');
  await expect(confirm).toContainText('Their sessions end and their API token stops working at once');
  await confirm.getByRole('button', { name: 'Disable account' }).click();
  await expect(confirm).toBeHidden();
  await expect(status.getByRole('button', { name: 'Enable account' })).toBeVisible();
  await saveScreenshot(page, 'sso-account-disabled-view-user');

  const person = await freshPage(browser);
  await person.goto(`${app().url}/login`);
  await person.getByRole('link', { name: 'Sign in with Corp ID' }).click();
  await signInAtProvider(person, 'grace');
  await expect(person).toHaveURL(/\/login\?sso_error=account_disabled/);
  await expect(person.getByRole('alert').filter({ hasText: SSO_ERROR_MESSAGES.account_disabled })).toBeVisible();
  await person.context().close();
});
