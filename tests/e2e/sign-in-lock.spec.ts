/**
 * A locked account on its View User page: the notice says until when, and an
 * Administrator unlocks it after a confirmation; the person can sign in again at once.
 */
import { expect, test } from './support/test.js';
import { ADMIN, ApiClient, createUser, setUpAdministrator, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let locked: CreatedUser;

test.beforeAll(async () => {
  const admin = await setUpAdministrator(app());
  locked = await createUser(admin, {
    email: 'lou.locked@example.test',
    firstName: 'Lou',
    lastName: 'Locked',
    securityGroupId: 'regular-user',
  });
  // Ten wrong passwords lock the account for 15 minutes.
  const guesser = new ApiClient(app().url);
  for (let i = 0; i < 10; i++) {
    await guesser.expect(401, 'POST', '/api/v1/session', { email: locked.email, password: `wrong guess ${i}` });
  }
  await guesser.expect(429, 'POST', '/api/v1/session', { email: locked.email, password: locked.password });
});

test('an Administrator sees "Sign-in is locked until …" and unlocks it after confirming', async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/users/${locked.id}`);
  const notice = page.getByText(/^Sign-in is locked until /);
  await expect(notice).toBeVisible();
  await saveScreenshot(page, 'sign-in-lock-notice');

  // Cancel changes nothing.
  await page.getByRole('button', { name: 'Unlock' }).click();
  const dialog = page.getByRole('dialog', { name: 'Unlock sign-in for Lou Locked?' });
  await expect(dialog).toBeVisible();
  await saveScreenshot(page, 'sign-in-lock-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(notice).toBeVisible();

  await page.getByRole('button', { name: 'Unlock' }).click();
  await dialog.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByText('Sign-in is unlocked for Lou Locked')).toBeVisible();
  await expect(notice).toBeHidden();
  await saveScreenshot(page, 'sign-in-lock-unlocked');

  await new ApiClient(app().url).signIn(locked.email, locked.password);
});
