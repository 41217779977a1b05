/**
 * Identity Providers in the browser: an Administrator adds an OpenID Connect provider
 * through the form (domains, a group mapping), sees it listed, tests it against an issuer nobody
 * answers at (a failed check, in words), disables and enables it with confirmation and removes it;
 * adds a SAML provider by uploading the IdP's metadata file and sees the certificate's expiry; an
 * SSO account's page says who manages it and is disabled and enabled there (it has no Password &
 * Security tab); an account without administration:configure_sso has no Identity Providers item and no page.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/test.js';
import { ADMIN, ApiClient, createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let admin: ApiClient;
let reader: CreatedUser;

/** Port 9 (discard) on this machine: nothing answers, so discovery fails at once. */
const UNREACHABLE_ISSUER = 'http://127.0.0.1:9/realms/corp';

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  reader = await createUser(admin, {
    email: 'rita.reader@example.test',
    firstName: 'Rita',
    lastName: 'Reader',
    securityGroupId: 'read-only-user',
  });
});

async function openIdentityProviders(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Identity Providers' }).click();
  await expect(page.getByRole('heading', { name: 'Identity Providers', level: 1 })).toBeVisible();
}

function providerRow(page: Page, name: string) {
  return page
    .getByRole('table', { name: 'Identity providers' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name, exact: true }) });
}

/** Mantine's Select: open it by its label, then pick the option. */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

test('an Administrator adds an OpenID Connect provider, tests it, disables and enables it, and removes it', async ({
  page,
}) => {
  test.slow();
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await openIdentityProviders(page);
  await expect(page.getByRole('status').filter({ hasText: 'No identity provider yet' })).toBeVisible();

  await page.getByRole('link', { name: 'New Identity Provider' }).click();
  await expect(page.getByRole('heading', { name: 'New Identity Provider', level: 1 })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'OpenID Connect' })).toBeChecked();

  await page.getByRole('textbox', { name: 'Name' }).fill('Corp Keycloak');
  await choose(page, 'Default security group', 'Read Only User');
  const domains = page.getByRole('combobox', { name: 'Email domains' });
  await domains.fill('Corp.Example');
  await domains.press('Enter');
  await domains.fill('@staff.corp.example');
  await domains.press('Enter');
  await page.getByRole('checkbox', { name: 'Link to existing accounts with the same verified email' }).check();
  await page.getByRole('textbox', { name: 'Issuer URL' }).fill(UNREACHABLE_ISSUER);
  await page.getByRole('textbox', { name: 'Client ID' }).fill('latchkey');
  await page.getByLabel('Client secret', { exact: true }).fill('a-client-secret-for-tests');
  await page.getByRole('button', { name: 'Add mapping' }).click();
  await page.getByRole('textbox', { name: 'Identity provider group 1' }).fill('latchkey-editors');
  await choose(page, 'Security group 1', 'Regular User');
  await expect(page.getByRole('textbox', { name: 'Redirect URI', exact: true })).toHaveValue(
    `${app().url}/api/v1/sso/oidc/callback`,
  );
  await expect(page.getByRole('button', { name: 'Copy Redirect URI', exact: true })).toBeVisible();
  await saveScreenshot(page, 'identity-provider-oidc-form');

  await page.getByRole('button', { name: 'Create Identity Provider' }).click();
  await expect(page.getByText('Identity provider “Corp Keycloak” added')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Edit Corp Keycloak', level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/identity-providers\/[^/]+$/);
  // Saved as entered: domains lower-case without "@", the mapping, the secret kept but never shown.
  await expect(page.getByText('corp.example', { exact: true })).toBeVisible();
  await expect(page.getByText('staff.corp.example', { exact: true })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Identity provider group 1' })).toHaveValue('latchkey-editors');
  await expect(page.getByRole('combobox', { name: 'Security group 1' })).toHaveValue('Regular User');
  await expect(page.getByText('A client secret is stored — leave empty to keep it.')).toBeVisible();
  await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue('');

  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByRole('alert').filter({ hasText: 'The connection test failed' });
  await expect(result).toBeVisible({ timeout: 20_000 });
  await expect(result.getByRole('listitem').filter({ hasText: 'failed' }).first()).toBeVisible();

  await openIdentityProviders(page);
  const row = providerRow(page, 'Corp Keycloak');
  await expect(row).toContainText('OpenID Connect');
  await expect(row).toContainText('Enabled');
  await expect(row).toContainText('corp.example, staff.corp.example');
  await expect(row.getByRole('cell', { name: '0', exact: true })).toBeVisible();
  await saveScreenshot(page, 'identity-providers-list');

  await row.getByRole('button', { name: 'Disable Corp Keycloak' }).click();
  const disable = page.getByRole('dialog', { name: 'Disable Corp Keycloak?' });
  await expect(disable).toContainText('People will not be able to sign in with Corp Keycloak');
  await disable.getByRole('button', { name: 'Disable' }).click();
  await expect(disable).toBeHidden();
  await expect(row).toContainText('Disabled');

  await row.getByRole('button', { name: 'Enable Corp Keycloak' }).click();
  await page.getByRole('dialog', { name: 'Enable Corp Keycloak?' }).getByRole('button', { name: 'Enable' }).click();
  await expect(row).toContainText('Enabled');

  await row.getByRole('button', { name: 'Delete Corp Keycloak' }).click();
  const remove = page.getByRole('dialog', { name: 'Delete Corp Keycloak?' });
  await remove.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Identity provider “Corp Keycloak” deleted')).toBeVisible();
  await expect(row).toHaveCount(0);
});

test('an Administrator adds a SAML provider from its metadata file and sees when its certificate expires', async ({
  page,
}) => {
  test.slow();
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/identity-providers/new?protocol=saml`);
  await expect(page.getByRole('radio', { name: 'SAML 2.0' })).toBeChecked();
  await page.getByRole('textbox', { name: 'Name' }).fill('Corp ADFS');
  await choose(page, 'Default security group', 'Read Only User');

  const choosing = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload metadata XML' }).click();
  await (await choosing).setFiles('tests/fixtures/saml/idp-metadata.xml');
  await expect(page.getByText('Filled from metadata')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Entity ID' })).toHaveValue('https://idp.corp.example/saml/metadata');
  await expect(page.getByRole('textbox', { name: 'SSO login URL' })).toHaveValue('https://idp.corp.example/saml/sso');
  await expect(page.getByRole('textbox', { name: 'Logout URL' })).toHaveValue('https://idp.corp.example/saml/logout');
  await expect(page.getByRole('textbox', { name: 'Signing certificate' })).toHaveValue(/MII/);
  await expect(page.getByText(/Expires on .*2126/)).toBeVisible();
  await saveScreenshot(page, 'identity-provider-saml-form');

  await page.getByRole('button', { name: 'Create Identity Provider' }).click();
  await expect(page.getByText('Identity provider “Corp ADFS” added')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Edit Corp ADFS', level: 1 })).toBeVisible();
  await expect(page.getByText(/Latchkey test SAML IdP.*Expires on .*2126/)).toBeVisible();
  for (const label of ['SP Entity ID', 'ACS URL', 'Metadata URL']) {
    await expect(page.getByRole('textbox', { name: label })).toHaveValue(new RegExp(`^${app().url}/api/v1/sso/saml/`));
  }
  await page.getByText(/Latchkey test SAML IdP/).scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'identity-provider-saml-saved');
});

test('an SSO account shows "Managed by" its provider, has no Password & Security tab, and is disabled and enabled on its page', async ({
  page,
}) => {
  const sso = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/users', {
    email: 'sam.single@corp.example',
    firstName: 'Sam',
    lastName: 'Single',
    userType: 'sso',
    ssoProvider: 'Okta',
    securityGroupId: 'read-only-user',
    sessionTimeoutMinutes: 60,
  });
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/users/${sso.id}`);
  const profile = page.getByRole('region', { name: 'Sam Single' });
  await expect(profile.getByText('Managed by Okta', { exact: true })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Account Settings' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Password & Security' })).toHaveCount(0);

  const status = page.getByRole('region', { name: 'Account Status' });
  await status.getByRole('button', { name: 'Disable account' }).click();
  const confirm = page.getByRole('dialog', { name: 'Disable Sam Single’s account?' });
  await expect(confirm).toContainText('Their sessions end and their API token stops working at once');
  await confirm.getByRole('button', { name: 'Disable account' }).click();
  await expect(confirm).toBeHidden();
  await expect(status).toContainText('Disabled');
  const stored = await admin.expect<{ accountStatus: string }>(200, 'GET', `/api/v1/users/${sso.id}`);
  expect(stored.accountStatus).toBe('disabled');

  await status.getByRole('button', { name: 'Enable account' }).click();
  await page
    .getByRole('dialog', { name: 'Enable Sam Single’s account?' })
    .getByRole('button', { name: 'Enable account' })
    .click();
  await expect(status).toContainText('Enabled');
});

test('an Administrator connects a directory by SCIM: base URL, token shown once, the directory provisions, revoke', async ({
  page,
}) => {
  const provider = await admin.expect<{ id: string }>(201, 'POST', '/api/v1/identity-providers', {
    protocol: 'oidc',
    name: 'Corp Entra',
    defaultGroupId: 'read-only-user',
    oidc: { issuer: UNREACHABLE_ISSUER, clientId: 'latchkey' },
  });
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/identity-providers/${provider.id}`);
  const section = page.getByRole('group', { name: 'Provisioning (SCIM)' });
  await expect(section.getByRole('textbox', { name: 'SCIM base URL' })).toHaveValue(`${app().url}/scim/v2`);
  await expect(section.getByRole('textbox', { name: 'SCIM token' })).toHaveValue('');
  await expect(section.getByRole('textbox', { name: 'SCIM token' })).toHaveAttribute('placeholder', 'No token');
  await expect(section).toContainText('No provisioning changes yet.');

  await section.getByRole('button', { name: 'Generate token' }).click();
  await page.getByRole('dialog', { name: 'Generate SCIM token' }).getByRole('button', { name: 'Generate' }).click();
  const shown = page.getByRole('dialog', { name: 'Your new SCIM token' });
  const token = (await shown.getByLabel('New SCIM token').textContent())!.trim();
  expect(token).toMatch(/^lkscim_/);
  await saveScreenshot(page, 'identity-provider-scim-token');
  await shown.getByRole('button', { name: 'Done' }).click();

  // The directory provisions a person with the token, as Entra ID would.
  const created = await fetch(`${app().url}/scim/v2/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'pat.provisioned@corp.example',
      name: { givenName: 'Pat', familyName: 'Provisioned' },
      active: true,
    }),
  });
  expect(created.status).toBe(201);
  await page.reload();
  await expect(section.getByRole('textbox', { name: 'SCIM token' })).toHaveValue(/^lkscim_.{4}…/);
  await expect(section.getByText(/last used .* from /)).toBeVisible();
  const events = section.getByRole('table', { name: 'Latest provisioning changes' });
  await expect(events).toContainText('Account created by SCIM provisioning');
  await expect(events).toContainText('pat.provisioned@corp.example');
  await section.getByRole('textbox', { name: 'SCIM base URL' }).scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'identity-provider-provisioning');

  await section.getByRole('button', { name: 'Revoke token' }).click();
  await page.getByRole('dialog', { name: 'Revoke SCIM token' }).getByRole('button', { name: 'Revoke' }).click();
  await expect(section.getByRole('textbox', { name: 'SCIM token' })).toHaveValue('');
  await expect(section.getByRole('textbox', { name: 'SCIM token' })).toHaveAttribute('placeholder', 'No token');
  const refused = await fetch(`${app().url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status).toBe(401);
});

test('an account without administration:configure_sso has no Identity Providers item and no page', async ({ page }) => {
  await signInThroughUi(page, app(), reader.email, reader.password);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Records' })).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Identity Providers' }),
  ).toHaveCount(0);
  await page.goto(`${app().url}/identity-providers`);
  await expect(page.getByRole('heading', { name: 'You do not have permission to see this page' })).toBeVisible();
  await page.goto(`${app().url}/identity-providers/new`);
  await expect(page.getByRole('heading', { name: 'You do not have permission to see this page' })).toBeVisible();
});
