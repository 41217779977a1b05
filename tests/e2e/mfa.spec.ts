/**
 * Multi-factor authentication in the browser: an Administrator checks "Enroll in
 * Multi-Factor Authentication" for an account; that account signs in, is taken to the set-up
 * page, reads the key from it, computes codes the way an authenticator app does (the `otpauth`
 * library), confirms, saves its recovery codes, and signs in again with a code and with a
 * recovery code. Codes are taken for the NEXT 30-second step where a fresh one is needed: the
 * server accepts one step either side and refuses a step already used, so the test never waits
 * for the clock.
 */
import type { Page } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { expect, test } from './support/test.js';
import { ADMIN, ApiClient, createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let admin: ApiClient;
let person: CreatedUser;

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  person = await createUser(admin, {
    email: 'mia.mfa@example.test',
    firstName: 'Mia',
    lastName: 'Multifactor',
    securityGroupId: 'regular-user',
  });
});

function codeFor(secret: string, stepsAhead = 0): string {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });
  return totp.generate({ timestamp: Date.now() + stepsAhead * 30_000 });
}

async function passwordStep(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${app().url}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

test('an Administrator requires MFA; the account enrolls at sign-in and then signs in with codes', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // 1. The Administrator checks the box on the account's Password & Security tab.
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signInThroughUi(adminPage, app(), ADMIN.email, ADMIN.password);
  await adminPage.goto(`${app().url}/users`);
  await adminPage.getByRole('link', { name: person.email, exact: true }).click();
  await adminPage.getByRole('tab', { name: 'Password & Security' }).click();
  const box = adminPage.getByRole('checkbox', { name: 'Enroll in Multi-Factor Authentication' });
  await box.check();
  await expect(adminPage.getByText('API tokens keep working without multi-factor authentication.')).toBeVisible();
  await adminPage.getByRole('button', { name: 'Change' }).click();
  await expect(adminPage.getByText('The password and security settings were saved.')).toBeVisible();
  await expect(adminPage.getByText(/Pending: set-up at next sign-in/)).toBeVisible();
  await saveScreenshot(adminPage, 'mfa-admin-required');
  await adminContext.close();

  // 2. The account signs in and is taken to the set-up page: nothing else is open to it.
  const context = await browser.newContext();
  const page = await context.newPage();
  await passwordStep(page, person.email, person.password);
  await expect(page).toHaveURL(/\/set-up-mfa$/);
  await expect(page.getByRole('heading', { name: 'Set up multi-factor authentication' })).toBeVisible();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  await saveScreenshot(page, 'mfa-enrollment');
  await page.goto(`${app().url}/users/${person.id}`);
  await expect(page).toHaveURL(/\/set-up-mfa$/);

  // 3. Reads the key from the page (as someone who cannot scan would) and confirms with a code.
  const key = ((await page.getByLabel('Setup key').textContent()) ?? '').replace(/\s/g, '');
  expect(key).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByText('Show the setup link').click();
  await expect(
    page.getByText(`otpauth://totp/Latchkey:${encodeURIComponent(person.email)}?secret=${key}`),
  ).toBeVisible();
  await page
    .getByRole('textbox', { name: /^Authentication Code/ })
    .fill('000000' === codeFor(key) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await expect(page.getByText('The code is incorrect.')).toBeVisible();
  await page.getByRole('textbox', { name: /^Authentication Code/ }).fill(codeFor(key));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();

  // 4. The recovery codes, once: ten of them, with Copy and Download.
  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  const recoveryCodes = (await codes.allTextContents()).map((text) => text.trim());
  await expect(page.getByRole('button', { name: 'Copy' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download' })).toBeVisible();
  await saveScreenshot(page, 'mfa-recovery-codes');
  await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // 5. Signs out and in again: the password alone is not enough; a fresh code is.
  await signOut(page);
  await passwordStep(page, person.email, person.password);
  const codeField = page.getByRole('textbox', { name: /^Authentication code/ });
  await expect(codeField).toBeVisible();
  await expect(codeField).toHaveAttribute('autocomplete', 'one-time-code');
  expect((await context.cookies()).filter((c) => c.name.endsWith('latchkey_session'))).toEqual([]);
  await saveScreenshot(page, 'mfa-sign-in-code');
  await codeField.fill(codeFor(key, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // 6. The account's own tab lists the authenticator app.
  await page.goto(`${app().url}/users/${person.id}`);
  await page.getByRole('tab', { name: 'Password & Security' }).click();
  const section = page.getByRole('region', { name: 'Multi-factor authentication' });
  // Its name and its type (the Type column) both read "Authenticator app".
  await expect(section.getByRole('cell', { name: 'Authenticator app', exact: true })).toHaveCount(2);
  await expect(section.getByText('Recovery codes left: 10 of 10.')).toBeVisible();
  await saveScreenshot(page, 'mfa-own-tab');

  // 7. A recovery code signs in once.
  await signOut(page);
  await passwordStep(page, person.email, person.password);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByRole('textbox', { name: /^Recovery Code/ }).fill(recoveryCodes[0]!);
  await saveScreenshot(page, 'mfa-sign-in-recovery-code');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await signOut(page);
  await passwordStep(page, person.email, person.password);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByRole('textbox', { name: /^Recovery Code/ }).fill(recoveryCodes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('The code is incorrect.')).toBeVisible();
  await context.close();
});
