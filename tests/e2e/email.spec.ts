/**
 * Email as an Administrator sees it on the Settings page, with a real SMTP server on loopback: the
 * server's settings (never the password), a notification delivered and one the server refused
 * for good, with its error; the message text never shown.
 */
import { test as base } from '@playwright/test';
import { expect, test } from './support/test.js';
import { ADMIN, createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

let smtp: TestSmtpServer;
// Before the server starts (hooks run in the order they are declared): it needs the SMTP port.
base.beforeAll(async () => {
  smtp = await startTestSmtpServer({ user: 'relay-user', password: 'relay secret 0000' });
});
base.afterAll(async () => smtp?.close());

const app = useLatchkey({ env: () => smtp.env() });
let person: CreatedUser;

test('an Administrator sees the SMTP server, the queue and what happened to each message', async ({ page }) => {
  const admin = await setUpAdministrator(app());
  person = await createUser(admin, {
    email: 'pat.mail@example.test',
    firstName: 'Pat',
    lastName: 'Mail',
    securityGroupId: 'regular-user',
  });
  await admin.expect(201, 'POST', `/api/v1/users/${person.id}/api-token`);
  await smtp.waitForDelivered(1);
  expect(smtp.delivered[0]!.to).toEqual([person.email]);
  smtp.behave('refuse-permanently');
  await admin.expect(204, 'DELETE', `/api/v1/users/${person.id}/api-token`);

  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const section = page.getByRole('region', { name: 'Email' });
  await expect(section.getByRole('table', { name: 'SMTP server' })).toContainText(`127.0.0.1:${smtp.port}`);
  await expect(section.getByRole('table', { name: 'SMTP server' })).toContainText('relay-user');
  await expect(section).not.toContainText('relay secret 0000');
  // The refused message fails within moments of the change; Refresh shows it.
  await expect(async () => {
    await section.getByRole('button', { name: 'Refresh' }).click();
    await expect(section.getByRole('row', { name: /revoked/ })).toContainText('Failed', { timeout: 1_000 });
  }).toPass();
  await expect(section.getByRole('row', { name: /revoked/ })).toContainText('550');
  await expect(section.getByRole('row', { name: /generated/ })).toContainText('Sent');
  await expect(section.getByRole('row', { name: /revoked/ })).toContainText('API token revoked');
  // Signing in here from a browser the account had not used sent one more (refused too).
  await expect(section.getByRole('row', { name: /New sign-in/ })).toContainText('Failed');
  await expect(section).toContainText('Could not be delivered: 2');
  await section.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'settings-email');
});
