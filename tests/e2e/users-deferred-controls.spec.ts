import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './support/test.js';
import { ADMIN, setUpAdministrator, type ApiClient } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { signInThroughUi } from './support/ui.js';

/**
 * The users list shows its rows before the code of its dropdowns, popovers and tooltip has arrived
 * (src/web/components/deferred-overlays.tsx): until then each control is a stand-in that looks and
 * is labelled the same. Someone who uses one that early gets what they asked for once the code is
 * there. Here that code is held back until the stand-in has been used.
 */

const app = useLatchkey();
let admin: ApiClient;
let adminId: string;

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  adminId = (await admin.expect<{ user: { id: string } }>(200, 'GET', '/api/v1/me')).user.id;
});

/** Opens /users with the overlays' chunk held back; `release()` lets it through. */
async function openUsersWithOverlaysHeld(page: Page): Promise<{ release: () => void }> {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/overlays-[^/]*\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  await page.goto(`${app().url}/users`);
  await expect(page.getByRole('table').getByRole('link', { name: ADMIN.email })).toBeVisible();
  return { release };
}

test.beforeEach(async ({ page }) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
});

test('a filter clicked before its code has arrived opens as it arrives, and filters', async ({ page }) => {
  const { release } = await openUsersWithOverlaysHeld(page);
  const filter = page.getByRole('combobox', { name: 'Account Status' });
  await expect(filter).toHaveValue('Any');
  await filter.click();
  release();
  await page.getByRole('option', { name: 'Disabled' }).click();
  await expect(page).toHaveURL(/accountStatus=disabled/);
  await expect(page.getByText('No accounts match these filters.')).toBeVisible();
});

test('the keyboard reaches a filter early: ↓ opens it as it arrives, with the focus on it', async ({ page }) => {
  const { release } = await openUsersWithOverlaysHeld(page);
  const filter = page.getByRole('combobox', { name: 'User Type' });
  await filter.focus();
  await page.keyboard.press('ArrowDown');
  release();
  await expect(page.getByRole('option', { name: 'Native' })).toBeVisible();
  await expect(filter).toBeFocused();
  // ↓ moves through the options (from the chosen one, or from the top), Enter picks one.
  const native = page.getByRole('option', { name: 'Native' });
  for (let i = 0; i < 3 && (await native.getAttribute('data-combobox-selected')) === null; i++) {
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/userType=native/);
});

test('Export and Columns clicked early open their choices as they arrive', async ({ page }) => {
  const { release } = await openUsersWithOverlaysHeld(page);
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  release();
  await expect(page.getByRole('dialog', { name: 'Export' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Export' })).toHaveCount(0);

  const { release: releaseAgain } = await openUsersWithOverlaysHeld(page);
  await page.getByRole('button', { name: 'Columns' }).click();
  releaseAgain();
  await expect(page.getByRole('dialog', { name: 'Columns' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Telephone' })).not.toBeChecked();
});

for (const mode of ['light', 'dark'] as const) {
  test(`the stand-ins pass axe, ${mode}`, async ({ page }) => {
    // The colour scheme is the account's Theme setting.
    await admin.expect(200, 'PATCH', `/api/v1/users/${adminId}`, { theme: mode });
    const { release } = await openUsersWithOverlaysHeld(page);
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', mode);
    const { violations } = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
      .analyze();
    expect(
      violations
        .filter((violation) => violation.impact === 'critical' || violation.impact === 'serious')
        .map((violation) => `${violation.id} × ${violation.nodes.length}`),
    ).toEqual([]);
    release();
    await expect(page.locator('.mantine-Select-input').first()).toBeVisible();
  });
}
