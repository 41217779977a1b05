/**
 * SAML 2.0 sign-in in Chromium against the test identity provider (tests/helpers/saml-idp.ts, on
 * 127.0.0.1, signing real assertions): the browser follows the HTTP-Redirect AuthnRequest, the
 * IdP's page posts the signed response cross-site to Latchkey's ACS (as real IdPs do), and the
 * person lands signed in as an SSO account in the mapped group; signing out offers the IdP's
 * sign-out page.
 */
import { startTestSamlIdp, type TestSamlIdp } from '../helpers/saml-idp.js';
import { expect, test } from './support/test.js';
import { setUpAdministrator } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot } from './support/ui.js';

const app = useLatchkey();
let idp: TestSamlIdp;

test.beforeAll(async () => {
  const admin = await setUpAdministrator(app());
  idp = await startTestSamlIdp();
  await admin.expect(201, 'POST', '/api/v1/identity-providers', {
    protocol: 'saml',
    name: 'Corp SAML',
    defaultGroupId: 'read-only-user',
    groupMappings: [{ idpGroup: 'operations', securityGroupId: 'orchestration-user' }],
    saml: {
      entityId: idp.entityId,
      ssoUrl: idp.ssoUrl,
      logoutUrl: idp.logoutUrl,
      certificate: idp.certificate,
      groupsAttribute: 'groups',
    },
  });
});
test.afterAll(async () => idp?.close());

test('a person signs in through the SAML identity provider and lands in the mapped group; sign-out offers the IdP sign-out', async ({
  page,
}) => {
  test.slow();
  idp.setNextPerson({
    nameId: 'sam-operator',
    attributes: {
      email: 'sam.operator@corp.example',
      firstName: 'Sam',
      lastName: 'Operator',
      title: 'Night Shift',
      groups: ['operations', 'everyone'],
    },
  });
  await page.goto(`${app().url}/login`);
  await page.getByRole('link', { name: 'Sign in with Corp SAML' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(app().url);

  await page.getByRole('link', { name: 'My Account' }).click();
  const profile = page.getByRole('region').filter({ hasText: 'Managed by Corp SAML' });
  await expect(profile).toContainText('Sam Operator');
  await expect(profile).toContainText('Night Shift');
  await expect(profile).toContainText('Orchestration User');
  await expect(page.getByRole('tab', { name: 'Password & Security' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Sign out' }).click();
  const signOutThere = page.getByRole('link', { name: 'Also sign out of Corp SAML' });
  await expect(signOutThere).toBeVisible();
  await saveScreenshot(page, 'sso-saml-signed-out');
  await signOutThere.click();
  await expect(page.getByText('You are signed out of the test IdP.')).toBeVisible();
});
