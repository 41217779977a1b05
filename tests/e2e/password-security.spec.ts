/**
 * The seed article, section by section, as a person follows it in the browser: the Password &
 * Security tab on the View User page, reached by the Email hyperlink of the User Accounts list.
 */
import type { Page } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { expect, test } from './support/test.js';
import { ADMIN, ApiClient, createUser, GOOD_PASSWORD, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let admin: ApiClient;
let regular: CreatedUser;

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  regular = await createUser(admin, {
    email: 'rex.regular@example.test',
    firstName: 'Rex',
    lastName: 'Regular',
    securityGroupId: 'regular-user',
  });
});

/** From the User Accounts list, click the account's Email hyperlink, then the tab. */
async function openPasswordSecurityTab(page: Page, email: string): Promise<void> {
  await page.goto(`${app().url}/users`);
  await page.getByRole('link', { name: email, exact: true }).click();
  await page.getByRole('tab', { name: 'Password & Security' }).click();
  await expect(page.getByRole('button', { name: 'Change' })).toBeVisible();
}

async function apiStatusWithToken(token: string): Promise<number> {
  const response = await fetch(new URL('/api/v1/me', app().url), { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

test('Generate API Token: Cancel changes nothing; Generate shows it once; Generate again replaces it', async ({
  page,
}) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await openPasswordSecurityTab(page, regular.email);
  const tokenField = page.getByRole('textbox', { name: 'API Token' });
  // "No token" is a placeholder, not a value.
  await expect(tokenField).toHaveValue('');
  await expect(tokenField).toHaveAttribute('placeholder', 'No token');
  await expect(page.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
  await saveScreenshot(page, 'password-security-admin-view');

  // 1. Click Generate → a confirmation; Cancel cancels and nothing changes.
  await page.getByRole('button', { name: 'Generate' }).click();
  const confirm = page.getByRole('dialog', { name: 'Generate API token' });
  await expect(confirm).toBeVisible();
  await saveScreenshot(page, 'password-security-generate-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(tokenField).toHaveValue('');

  // 3. Click Generate, then Generate to confirm: the token is shown in full, once, with Copy.
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.getByRole('dialog', { name: 'Generate API token' }).getByRole('button', { name: 'Generate' }).click();
  const shown = page.getByRole('dialog', { name: 'Your new API token' });
  await expect(shown).toBeVisible();
  await expect(shown.getByText('This token will not be shown again.')).toBeVisible();
  await expect(shown.getByRole('button', { name: 'Copy' })).toBeVisible();
  const firstToken = (await shown.getByLabel('New API token').textContent())!.trim();
  expect(firstToken).toMatch(/^lk_/);
  await saveScreenshot(page, 'password-security-token-shown');
  await shown.getByRole('button', { name: 'Done' }).click();
  await expect(tokenField).toHaveValue(`${firstToken.slice(0, 7)}…${firstToken.slice(-4)}`);
  await expect(page.getByText(firstToken)).toHaveCount(0);
  expect(await apiStatusWithToken(firstToken)).toBe(200);

  // 2. Click Generate again to generate a new token: the previous one stops working at once.
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.getByRole('dialog', { name: 'Generate API token' }).getByRole('button', { name: 'Generate' }).click();
  const secondToken = (await page
    .getByRole('dialog', { name: 'Your new API token' })
    .getByLabel('New API token')
    .textContent())!.trim();
  expect(secondToken).not.toBe(firstToken);
  await page.getByRole('button', { name: 'Done' }).click();
  expect(await apiStatusWithToken(firstToken)).toBe(401);
  expect(await apiStatusWithToken(secondToken)).toBe(200);
});

test('Reset Your Password: current password, new password and confirmation, then Change', async ({ page }) => {
  const self = await createUser(admin, {
    email: 'sam.self@example.test',
    firstName: 'Sam',
    lastName: 'Self',
    securityGroupId: 'read-only-user',
  });
  await signInThroughUi(page, app(), self.email, self.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My Account' }).click();
  await page.getByRole('tab', { name: 'Password & Security' }).click();

  // A Read Only User sees the fields read-only, no Generate, and no must-change box.
  await expect(page.getByRole('button', { name: 'Generate' })).toHaveCount(0);
  await page.getByRole('checkbox', { name: 'Reset Password' }).check();
  await expect(page.getByRole('checkbox', { name: 'User Must Change Password at Next Login' })).toHaveCount(0);
  await saveScreenshot(page, 'password-security-own-reset');

  // A wrong current password is refused, next to the field.
  const newPassword = 'Silver-Canyon-Ribbon-19';
  await page.getByLabel('Current Password').fill('not-my-password-at-all');
  await page.getByLabel(/^New Password/).fill(newPassword);
  await page.getByLabel('Confirm New Password').fill(newPassword);
  await page.getByRole('button', { name: 'Change' }).click();
  await expect(page.getByText('The current password is incorrect.')).toBeVisible();

  await page.getByLabel('Current Password').fill(self.password);
  await page.getByRole('button', { name: 'Change' }).click();
  await expect(page.getByText('The password and security settings were saved.')).toBeVisible();
  // This session stays; the new password signs in from now on.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign Out' })).toBeVisible();
  const check = new ApiClient(app().url);
  expect((await check.call('POST', '/api/v1/session', { email: self.email, password: newPassword })).status).toBe(200);
  expect((await check.call('POST', '/api/v1/session', { email: self.email, password: self.password })).status).toBe(
    401,
  );
});

test('Reset Password with User Must Change Password at Next Login → forced change → home', async ({
  page,
  browser,
}) => {
  const target = await createUser(admin, {
    email: 'fay.forced@example.test',
    firstName: 'Fay',
    lastName: 'Forced',
    securityGroupId: 'regular-user',
  });
  // Fay is signed in elsewhere: the reset ends that session at once.
  const fayElsewhere = new ApiClient(app().url);
  await fayElsewhere.signIn(target.email, target.password);

  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await openPasswordSecurityTab(page, target.email);
  await page.getByRole('checkbox', { name: 'Reset Password' }).check();
  await expect(page.getByLabel('Current Password')).toHaveCount(0);
  const temporary = 'Temporary-Lantern-Orbit-55';
  await page.getByLabel(/^New Password/).fill(temporary);
  await page.getByLabel('Confirm New Password').fill(temporary);
  await page.getByRole('checkbox', { name: 'User Must Change Password at Next Login' }).check();
  await saveScreenshot(page, 'password-security-admin-reset');
  await page.getByRole('button', { name: 'Change' }).click();
  await expect(page.getByText('The password and security settings were saved.')).toBeVisible();
  expect((await fayElsewhere.call('GET', '/api/v1/me')).status).toBe(401);

  // Fay signs in with the temporary password and lands on the forced-change screen.
  const context = await browser.newContext();
  const fay = await context.newPage();
  await fay.goto(`${app().url}/login`);
  await fay.getByRole('textbox', { name: 'Email', exact: true }).fill(target.email);
  await fay.getByRole('textbox', { name: 'Password', exact: true }).fill(temporary);
  await fay.getByRole('button', { name: 'Sign In' }).click();
  await expect(fay.getByRole('heading', { name: 'Change your password' })).toBeVisible();
  await expect(fay).toHaveURL(/\/change-password$/);
  await saveScreenshot(fay, 'forced-password-change');

  // Nothing else is reachable until it is done.
  await fay.goto(`${app().url}/users/${target.id}`);
  await expect(fay).toHaveURL(/\/change-password$/);

  // A password that is mostly the product name is refused, and the page says why.
  await fay.getByLabel('Current Password').fill(temporary);
  await fay.getByLabel(/^New Password/).fill('Latchkey2026!!');
  await fay.getByLabel('Confirm New Password').fill('Latchkey2026!!');
  await fay.getByRole('button', { name: 'Save' }).click();
  await expect(fay.getByText('Too easy to guess: it is mostly the product name.')).toBeVisible();
  await expect(fay.getByLabel(/^New Password/)).toHaveAccessibleDescription(/Too easy to guess/);
  await saveScreenshot(fay, 'forced-password-change-too-easy');

  const chosen = 'Fay-Chooses-Her-Own-2026';
  await fay.getByLabel('Current Password').fill(temporary);
  await fay.getByLabel(/^New Password/).fill(chosen);
  await fay.getByLabel('Confirm New Password').fill(chosen);
  await fay.getByRole('button', { name: 'Save' }).click();
  await expect(fay.getByText('Your password has been changed.')).toBeVisible();
  // Home for a Regular User is Records.
  await expect(fay).toHaveURL(/\/records$/);
  await expect(fay.getByRole('button', { name: 'Sign Out' })).toBeVisible();
  await context.close();
});

test('the forced-change screen’s Cancel signs out', async ({ page }) => {
  const target = await createUser(admin, {
    email: 'carl.cancel@example.test',
    firstName: 'Carl',
    lastName: 'Cancel',
    securityGroupId: 'read-only-user',
  });
  await admin.expect(200, 'PATCH', `/api/v1/users/${target.id}/security`, { mustChangePassword: true });
  await page.goto(`${app().url}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(target.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('status').filter({ hasText: 'You are signed out' })).toBeVisible();
  await page.goto(`${app().url}/users/${target.id}`);
  await expect(page).toHaveURL(/\/login/);
});

test('a non-Administrator sees neither Generate nor the must-change checkbox; an SSO user has no tab', async ({
  page,
}) => {
  const sso = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/users', {
    email: 'sia.sso@example.test',
    firstName: 'Sia',
    lastName: 'Sso',
    userType: 'sso',
    ssoProvider: 'Okta',
    securityGroupId: 'read-only-user',
    sessionTimeoutMinutes: 60,
  });
  await signInThroughUi(page, app(), regular.email, regular.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My Account' }).click();
  await page.getByRole('tab', { name: 'Password & Security' }).click();
  await expect(page.getByRole('button', { name: 'Change' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Generate' })).toHaveCount(0);
  await page.getByRole('checkbox', { name: 'Reset Password' }).check();
  await expect(page.getByRole('checkbox', { name: 'User Must Change Password at Next Login' })).toHaveCount(0);
  // What cannot be changed is plain text, with the reason in the server's own words (the tab's can).
  await expect(page.getByRole('combobox', { name: 'Security Group' })).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'Security Group' })).toContainText(
    'Regular UserYou cannot change your own security group; someone else who manages accounts can.',
  );
  await expect(page.getByRole('combobox', { name: 'Account Status' })).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'Account Status' })).toContainText(
    'You cannot disable your own account.',
  );

  await page.getByRole('checkbox', { name: 'Reset Password' }).uncheck();
  await page.getByRole('button', { name: 'Sign Out' }).click();
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/users/${sso.id}`);
  await expect(page.getByRole('tab', { name: 'Account Settings' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Password & Security' })).toHaveCount(0);
});

test('disabling an account ends its open browser session and its token', async ({ page, browser }) => {
  const target = await createUser(admin, {
    email: 'dora.disabled@example.test',
    firstName: 'Dora',
    lastName: 'Disabled',
    securityGroupId: 'regular-user',
  });
  const { token } = await admin.expect<{ token: string }>(201, 'POST', `/api/v1/users/${target.id}/api-token`);
  const context = await browser.newContext();
  const dora = await context.newPage();
  await signInThroughUi(dora, app(), target.email, target.password);

  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await openPasswordSecurityTab(page, target.email);
  await page.getByRole('combobox', { name: 'Account Status' }).click();
  await page.getByRole('option', { name: 'Disabled' }).click();
  await page.getByRole('button', { name: 'Change' }).click();
  const confirm = page.getByRole('dialog', { name: `Disable ${target.email}?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Disable and save' }).click();
  await expect(page.getByText('The password and security settings were saved.')).toBeVisible();

  expect(await apiStatusWithToken(token)).toBe(401);
  await dora.reload();
  await expect(dora).toHaveURL(/\/login/);
  await context.close();
});

test('navigating away with unsaved changes warns, and leaving cancels them', async ({ page }) => {
  const target = await createUser(admin, {
    email: 'una.unsaved@example.test',
    firstName: 'Una',
    lastName: 'Unsaved',
    securityGroupId: 'regular-user',
  });
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await openPasswordSecurityTab(page, target.email);
  await page.getByRole('checkbox', { name: 'Enroll in Multi-Factor Authentication' }).check();
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  const warning = page.getByRole('dialog', { name: 'Leave without saving?' });
  await expect(warning).toBeVisible();
  await saveScreenshot(page, 'password-security-unsaved-warning');
  await warning.getByRole('button', { name: 'Stay on this page' }).click();
  await expect(page.getByRole('checkbox', { name: 'Enroll in Multi-Factor Authentication' })).toBeChecked();
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page
    .getByRole('dialog', { name: 'Leave without saving?' })
    .getByRole('button', { name: 'Leave and cancel changes' })
    .click();
  await expect(page).toHaveURL(/\/users$/);
  const settings = await admin.expect<{ mfaEnrolled: boolean }>(200, 'GET', `/api/v1/users/${target.id}/security`);
  expect(settings.mfaEnrolled).toBe(false);
});

test('turning off your own MFA asks for your Current Password, and you stay signed in', async ({ page }) => {
  const own = await createUser(admin, {
    email: 'ona.own@example.test',
    firstName: 'Ona',
    lastName: 'Own',
    securityGroupId: 'administrator',
  });
  await signInThroughUi(page, app(), own.email, own.password);
  // Ona sets up an authenticator app herself (through the API, in another session of hers).
  const ona = new ApiClient(app().url);
  await ona.signIn(own.email, own.password);
  const { secret } = await ona.expect<{ secret: string }>(201, 'POST', '/api/v1/me/mfa/totp', {
    currentPassword: own.password,
  });
  const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate();
  await ona.expect(200, 'POST', '/api/v1/me/mfa/totp/confirm', { code });

  await openPasswordSecurityTab(page, own.email);
  // Your own MFA is in one place: the section (no checkbox in the form above it).
  await expect(page.getByRole('checkbox', { name: 'Enroll in Multi-Factor Authentication' })).toHaveCount(0);
  const section = page.getByRole('region', { name: 'Multi-factor authentication' });
  await expect(section.getByText(/^On: sign-in asks for a code/)).toBeVisible();
  await section.getByRole('button', { name: 'Turn off multi-factor authentication' }).click();
  const confirm = page.getByRole('dialog', { name: 'Turn off multi-factor authentication for your account?' });
  const currentPassword = confirm.getByRole('textbox', { name: 'Current Password' });
  await expect(currentPassword).toBeVisible();
  await saveScreenshot(page, 'password-security-own-mfa-off');

  // A wrong password: the server's refusal on the field, nothing changed.
  await currentPassword.fill('not-my-password-at-all');
  await confirm.getByRole('button', { name: 'Turn off' }).click();
  await expect(confirm.getByText('The current password is incorrect.')).toBeVisible();
  expect((await admin.expect<{ mfaActive: boolean }>(200, 'GET', `/api/v1/users/${own.id}/security`)).mfaActive).toBe(
    true,
  );

  await currentPassword.fill(own.password);
  await confirm.getByRole('button', { name: 'Turn off' }).click();
  await expect(page.getByText('You sign in with your password alone.').first()).toBeVisible();
  await expect(section.getByText('Off: you sign in with your password alone.')).toBeVisible();
  expect((await admin.expect<{ mfaActive: boolean }>(200, 'GET', `/api/v1/users/${own.id}/security`)).mfaActive).toBe(
    false,
  );
  // The session was rotated (new cookie): this browser is still signed in after a reload.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign Out' })).toBeVisible();
});

test('must change password at next login: New User → list and View User → an Administrator clears it; a rejected Change keeps the form; Revoke; your own page', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const email = 'mia.mustchange@example.test';
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/users`);

  // New User with "User Must Change Password at Next Login".
  await page.getByRole('button', { name: 'New User' }).click();
  const dialog = page.getByRole('dialog', { name: 'New User' });
  await dialog.getByLabel('Email Address / Login ID').fill(email);
  await dialog.getByLabel('First Name').fill('Mia');
  await dialog.getByLabel('Last Name').fill('Mustchange');
  await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill(GOOD_PASSWORD);
  await dialog.getByRole('textbox', { name: 'Confirm Password', exact: true }).fill(GOOD_PASSWORD);
  await dialog.getByLabel('Security Group').click();
  await page
    .getByRole('option', { name: /^Regular User/ })
    .first()
    .click();
  await dialog.getByRole('checkbox', { name: 'User Must Change Password at Next Login' }).check();
  await saveScreenshot(page, 'new-user-must-change');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();

  // The list: a column, "Yes" on this account.
  await expect(page.getByRole('columnheader', { name: 'Must Change Password' })).toBeVisible();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: email, exact: true }) });
  await expect(row.getByRole('cell', { name: 'Yes', exact: true })).toBeVisible();
  await saveScreenshot(page, 'users-list-must-change-column');

  // View User: the badge; Password & Security: the checkbox, checked, without Reset Password.
  await row.getByRole('link', { name: email, exact: true }).click();
  const badge = page.getByText('Must change password at next login', { exact: true });
  await expect(badge).toBeVisible();
  await saveScreenshot(page, 'view-user-must-change-badge');
  await page.getByRole('tab', { name: 'Password & Security' }).click();
  const mustChange = page.getByRole('checkbox', { name: 'User Must Change Password at Next Login' });
  await expect(mustChange).toBeChecked();

  // A rejected Change keeps what was typed and says what to fix, next to the field.
  await page.getByRole('checkbox', { name: 'Reset Password' }).check();
  await page.getByLabel(/^New Password/).fill('Latchkey2026!!');
  await page.getByLabel('Confirm New Password').fill('Latchkey2026!!');
  await page.getByRole('button', { name: 'Change' }).click();
  await expect(page.getByLabel(/^New Password/)).toHaveAccessibleDescription(/Too easy to guess/);
  await expect(page.getByLabel(/^New Password/)).toHaveValue('Latchkey2026!!');
  await expect(page.getByLabel('Confirm New Password')).toHaveValue('Latchkey2026!!');
  await expect(page.getByRole('checkbox', { name: 'Reset Password' })).toBeChecked();
  await expect(page.getByText('Unsaved changes. Navigate to another page to cancel your changes.')).toBeVisible();
  await saveScreenshot(page, 'password-security-rejected-change');
  await page.getByRole('checkbox', { name: 'Reset Password' }).uncheck();

  // The Administrator clears it on its own (Change), and the badge goes.
  await mustChange.uncheck();
  await page.getByRole('button', { name: 'Change' }).click();
  await expect(page.getByText('The password and security settings were saved.')).toBeVisible();
  await expect(badge).toHaveCount(0);
  await expect(mustChange).toHaveCount(0);
  const found = await admin.expect<{ users: Array<{ id: string; mustChangePassword: boolean }> }>(
    200,
    'GET',
    `/api/v1/users?search=${encodeURIComponent(email)}`,
  );
  expect(found.users[0]!.mustChangePassword).toBe(false);
  const userId = found.users[0]!.id;

  // Revoke the account's token: confirmed, then "No token" and the token no longer works.
  const { token } = await admin.expect<{ token: string }>(201, 'POST', `/api/v1/users/${userId}/api-token`);
  expect(await apiStatusWithToken(token)).toBe(200);
  await page.reload();
  const tokenField = page.getByRole('textbox', { name: 'API Token' });
  await expect(tokenField).toHaveValue(`${token.slice(0, 7)}…${token.slice(-4)}`);
  await page.getByRole('button', { name: 'Revoke' }).click();
  const revoke = page.getByRole('dialog', { name: 'Revoke API token?' });
  await expect(revoke).toContainText(email);
  await saveScreenshot(page, 'password-security-revoke-confirm');
  await revoke.getByRole('button', { name: 'Cancel' }).click();
  await expect(revoke).toBeHidden();
  expect(await apiStatusWithToken(token)).toBe(200);
  await page.getByRole('button', { name: 'Revoke' }).click();
  await revoke.getByRole('button', { name: 'Revoke' }).click();
  await expect(revoke).toBeHidden();
  await expect(tokenField).toHaveValue('');
  await expect(tokenField).toHaveAttribute('placeholder', 'No token');
  await expect(page.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
  expect(await apiStatusWithToken(token)).toBe(401);

  // Your own page, as an Administrator: no lower group offered, status not offered; MFA in one place.
  const adminId = (await admin.expect<{ user: { id: string } }>(200, 'GET', '/api/v1/me')).user.id;
  await page.goto(`${app().url}/users/${adminId}`);
  await expect(page.getByRole('tab', { name: 'Password & Security' })).toBeVisible();
  await saveScreenshot(page, 'view-user-self');
  await page.getByRole('tab', { name: 'Password & Security' }).click();
  await expect(page.getByRole('button', { name: 'Change' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Security Group' })).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'Security Group' })).toContainText('Administrator');
  await expect(page.getByRole('combobox', { name: 'Account Status' })).toHaveCount(0);
  await expect(page.getByRole('checkbox', { name: 'Enroll in Multi-Factor Authentication' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Multi-factor authentication' })).toBeVisible();
  await saveScreenshot(page, 'password-security-self');
});
