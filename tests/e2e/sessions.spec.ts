/**
 * The Sessions tab of View User, as a person uses it: signed in from two browsers, they see both
 * sessions (this one marked), sign the other one out (confirmed) and that browser is signed out on
 * its next page; Sign out everywhere (confirmed) ends this one too and lands on the sign-in page.
 */
import { expect, test } from './support/test.js';
import { ApiClient, createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const FIREFOX_ON_UBUNTU = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

const app = useLatchkey();
let admin: ApiClient;
let person: CreatedUser;

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  person = await createUser(admin, {
    email: 'sam.sessions@example.test',
    firstName: 'Sam',
    lastName: 'Sessions',
    securityGroupId: 'regular-user',
  });
});

test('two browsers: see both, sign the other out, then sign out everywhere', async ({ page, browser }) => {
  // The other browser: another kind of browser on another computer.
  const otherContext = await browser.newContext({ userAgent: FIREFOX_ON_UBUNTU });
  const other = await otherContext.newPage();
  await signInThroughUi(other, app(), person.email, person.password);

  await signInThroughUi(page, app(), person.email, person.password);
  await page.goto(`${app().url}/users/${person.id}`);
  await page.getByRole('tab', { name: 'Sessions' }).click();
  const table = page.getByRole('table', { name: 'Sessions' });
  await expect(table.getByRole('row')).toHaveCount(3); // the header and two sessions
  const current = table.getByRole('row').filter({ hasText: 'This session' });
  await expect(current).toHaveCount(1);
  const firefox = table.getByRole('row').filter({ hasText: 'Firefox 133' });
  await expect(firefox).toContainText('Ubuntu');
  await expect(firefox).toContainText('Password');
  await expect(firefox).not.toContainText('This session');
  await saveScreenshot(page, 'sessions-tab');

  // Sign the other one out: a confirmation first, Cancel changes nothing.
  await page.getByRole('button', { name: 'Sign out Firefox 133 on Ubuntu' }).click();
  const confirm = page.getByRole('dialog', { name: 'Sign out this session?' });
  await expect(confirm).toBeVisible();
  await saveScreenshot(page, 'sessions-sign-out-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(table.getByRole('row')).toHaveCount(3);

  await page.getByRole('button', { name: 'Sign out Firefox 133 on Ubuntu' }).click();
  await confirm.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('The session was signed out.')).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table.getByRole('row').filter({ hasText: 'This session' })).toHaveCount(1);

  // The other browser is signed out on its next page.
  await other.goto(`${app().url}/users`);
  await expect(other.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await otherContext.close();

  // Sign out everywhere: this browser too, to the sign-in page.
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  const everywhere = page.getByRole('dialog', { name: 'Sign out everywhere?' });
  await expect(everywhere).toContainText('this one too');
  await everywhere.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  // And it stays signed out.
  await page.goto(`${app().url}/users/${person.id}?tab=sessions`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});
