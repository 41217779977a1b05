/**
 * Passkeys in Chromium, with the browser's own WebAuthn stack and a CDP virtual
 * authenticator standing in for the device's: an account adds a passkey on its Password & Security
 * tab, signs out, and signs in with its password and the passkey; removing the authenticator (a
 * device without the passkey) gives a clear message and the code still works.
 *
 * This server's public URL is http://localhost:<port>: a WebAuthn rpID must be a domain name, and
 * localhost is a secure context.
 */
import type { CDPSession, Page } from '@playwright/test';
import { expect, test } from './support/test.js';
import { ApiClient, createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey({ publicHost: 'localhost' });
let admin: ApiClient;
let person: CreatedUser;

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  person = await createUser(admin, {
    email: 'pat.passkey@example.test',
    firstName: 'Pat',
    lastName: 'Passkey',
    securityGroupId: 'regular-user',
  });
});

/** A platform authenticator with user verification, as a laptop with a fingerprint reader has. */
async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

async function passwordStep(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${app().url}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an account adds a passkey on its tab, then signs in with password + passkey', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);

  // 1. Adds a passkey on its own Password & Security tab (name and password, then the browser).
  await signInThroughUi(page, app(), person.email, person.password);
  await page.goto(`${app().url}/users/${person.id}`);
  await page.getByRole('tab', { name: 'Password & Security' }).click();
  const section = page.getByRole('region', { name: 'Multi-factor authentication' });
  await section.getByRole('button', { name: 'Add a passkey' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a passkey' });
  await dialog.getByRole('button', { name: 'Add passkey' }).click();
  await expect(dialog.getByText('Passkey Name is required.')).toBeVisible();
  await dialog.getByRole('textbox', { name: /^Passkey Name/ }).fill('Work laptop');
  await dialog.getByLabel(/^Current Password/).fill(person.password);
  await saveScreenshot(page, 'passkeys-add-dialog');
  await dialog.getByRole('button', { name: 'Add passkey' }).click();

  // 2. The first factor: MFA is on and the recovery codes are shown once.
  await expect(dialog.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10);
  await dialog.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await expect(dialog).toBeHidden();
  await expect(section.getByRole('cell', { name: 'Work laptop', exact: true })).toBeVisible();
  await expect(section.getByRole('cell', { name: 'Passkey', exact: true })).toBeVisible();
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  await saveScreenshot(page, 'passkeys-own-tab');

  // 3. Signs out; the password alone gives no session, the passkey does.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await passwordStep(page, person.email, person.password);
  const usePasskey = page.getByRole('button', { name: 'Use a passkey' });
  await expect(usePasskey).toBeVisible();
  expect((await page.context().cookies()).filter((c) => c.name.endsWith('latchkey_session'))).toEqual([]);
  await saveScreenshot(page, 'passkeys-sign-in-step');
  await usePasskey.click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // 4. The tab shows when it was last used.
  await page.goto(`${app().url}/users/${person.id}`);
  await page.getByRole('tab', { name: 'Password & Security' }).click();
  const row = section.getByRole('row', { name: /Work laptop/ });
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell').nth(3)).not.toHaveText('Never');

  // 5. On a device without the passkey: a clear message, and the sign-in can go on with a code.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await passwordStep(page, person.email, person.password);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page.getByRole('alert')).toContainText('The passkey was not used', { timeout: 30_000 });
  await saveScreenshot(page, 'passkeys-sign-in-no-passkey');
  await expect(page.getByRole('textbox', { name: /^Authentication code/ })).toBeVisible();
});

test('an account required to use MFA enrolls with a passkey instead of an app', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  const required = await createUser(admin, {
    email: 'quinn.required@example.test',
    firstName: 'Quinn',
    lastName: 'Required',
    securityGroupId: 'regular-user',
  });
  await admin.expect(200, 'PATCH', `/api/v1/users/${required.id}/security`, { mfaEnrolled: true });
  await addVirtualAuthenticator(page);

  await passwordStep(page, required.email, required.password);
  await expect(page).toHaveURL(/\/set-up-mfa$/);
  await page.getByRole('tab', { name: 'Passkey' }).click();
  await saveScreenshot(page, 'passkeys-enrollment');
  // No password asked here: it was typed moments ago, and this session can do nothing else.
  await expect(page.getByLabel(/^Current Password/)).toHaveCount(0);
  await page.getByRole('textbox', { name: /^Passkey Name/ }).fill('Security key');
  await page.getByRole('button', { name: 'Add passkey' }).click();
  await expect(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10);
  await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // The next sign-in offers the passkey.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await passwordStep(page, required.email, required.password);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});
