/**
 * The sign-in page with single sign-on: a "Sign in with …" button per enabled provider
 * (a plain link to its start URL, returning to where the person was going), an email of a
 * configured domain routed to its provider, and `?sso_error=` codes shown as their messages. The
 * full journey through a real provider is in the OIDC and SAML sign-in specs.
 */
import { SSO_ERROR_MESSAGES } from '../../src/shared/schemas/identity-providers.js';
import { expect, test } from './support/test.js';
import { ADMIN, setUpAdministrator } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot } from './support/ui.js';

const app = useLatchkey();
let startUrl = '';

test.beforeAll(async () => {
  const admin = await setUpAdministrator(app());
  const created = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/identity-providers', {
    protocol: 'oidc',
    name: 'Corp Login',
    defaultGroupId: 'read-only-user',
    emailDomains: ['corp.example'],
    oidc: { issuer: 'http://127.0.0.1:9/corp', clientId: 'latchkey', clientSecret: 'secret' },
  });
  // A disabled provider has no button and routes nobody.
  await admin.expect(201, 'POST', '/api/v1/identity-providers', {
    protocol: 'oidc',
    name: 'Old Login',
    enabled: false,
    defaultGroupId: 'read-only-user',
    emailDomains: ['old.example'],
    oidc: { issuer: 'http://127.0.0.1:9/old', clientId: 'latchkey' },
  });
  const buttons = await admin.expect<{ providers: { id: string; startUrl: string }[] }>(
    200,
    'GET',
    '/api/v1/sso/providers',
  );
  startUrl = buttons.providers.find((provider) => provider.id === created.id)?.startUrl ?? '';
  expect(startUrl).not.toBe('');
});

test('the sign-in page offers "Sign in with" each enabled provider, going back to where the person was headed', async ({
  page,
}) => {
  await page.goto(`${app().url}/users`);
  await expect(page).toHaveURL(/\/login\?next=%2Fusers$/);
  const button = page.getByRole('link', { name: 'Sign in with Corp Login' });
  await expect(button).toBeVisible();
  await expect(button).toHaveAttribute('href', `${startUrl}?returnTo=${encodeURIComponent('/users')}`);
  await expect(page.getByRole('link', { name: 'Sign in with Old Login' })).toHaveCount(0);
  // The password form stays for native accounts.
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('an email of a configured domain is routed to its provider; other domains are not', async ({ page }) => {
  await page.goto(`${app().url}/login`);
  const email = page.getByRole('textbox', { name: 'Email', exact: true });
  await email.fill('pat@corp.example');
  const suggestion = page.getByRole('status').filter({ hasText: 'Your organisation signs in with Corp Login' });
  await expect(suggestion).toBeVisible();
  await expect(suggestion.getByRole('link', { name: 'Continue with Corp Login' })).toHaveAttribute(
    'href',
    `${startUrl}?returnTo=${encodeURIComponent('/')}`,
  );
  await saveScreenshot(page, 'sign-in-with-sso');

  await email.fill('pat@old.example');
  await email.blur();
  await expect(suggestion).toHaveCount(0);
  await email.fill(ADMIN.email);
  await email.blur();
  await expect(page.getByText('Your organisation signs in with')).toHaveCount(0);
});

test('a failed single sign-on comes back as ?sso_error= and is shown in words', async ({ page }) => {
  await page.goto(`${app().url}/login?sso_error=account_disabled`);
  await expect(page.getByRole('alert')).toContainText(SSO_ERROR_MESSAGES.account_disabled);
  // An unknown code gets the generic message, never the code itself.
  await page.goto(`${app().url}/login?sso_error=%3Cscript%3E`);
  await expect(page.getByRole('alert')).toContainText(SSO_ERROR_MESSAGES.failed);
  await expect(page.getByRole('alert')).not.toContainText('script');
});
