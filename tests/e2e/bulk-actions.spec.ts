/**
 * Bulk actions on the User Accounts list (issue 15): checkboxes with select-all-on-page, Disable
 * confirmed with the count, a batch including yourself refused with the reason and nothing
 * changed; and the list at 1366 px: default columns, checkbox + Email staying in view while the
 * table scrolls sideways (light and dark screenshots).
 */
import { expect, test } from './support/test.js';
import { ADMIN, ApiClient, createUser, setUpAdministrator } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let admin: ApiClient;
let adminId: string;
const EMAILS = ['bulk.alpha@example.test', 'bulk.bravo@example.test', 'bulk.charlie@example.test'];

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  adminId = (await admin.expect<{ user: { id: string } }>(200, 'GET', '/api/v1/me')).user.id;
  for (const email of EMAILS) {
    const name = email.split('@')[0]!.split('.')[1]!;
    await createUser(admin, { email, firstName: 'Bulk', lastName: name, securityGroupId: 'read-only-user' });
  }
});

test('select with checkboxes, Disable with the count, a refusal explained, select-all-on-page, sticky Email', async ({
  page,
}) => {
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  const table = page.getByRole('table', { name: 'User accounts' });
  const row = (email: string) => table.getByRole('row').filter({ has: page.getByRole('link', { name: email }) });
  await expect(row(EMAILS[0]!)).toBeVisible();

  await test.step('fits 1366 px: Title, Telephone, Functional Group and Timeout are one click away', async () => {
    for (const hidden of ['Title', 'Telephone', 'Functional Group', 'Timeout'])
      await expect(page.getByRole('columnheader', { name: hidden })).toHaveCount(0);
    const scroller = page.getByRole('region', { name: 'User accounts' });
    await expect(scroller).toHaveCount(0); // nothing to scroll sideways
  });

  await test.step('two accounts disabled at once, after a confirmation stating the count', async () => {
    await page.getByRole('checkbox', { name: EMAILS[0] }).check();
    await page.getByRole('checkbox', { name: EMAILS[1] }).check();
    const bar = page.getByRole('toolbar', { name: 'Selected accounts' });
    await expect(bar).toContainText('2 selected');
    await bar.getByRole('button', { name: 'Disable' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disable 2 accounts?' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(EMAILS[0]!);
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await expect(dialog).toBeHidden();
    await expect(row(EMAILS[0]!)).toContainText('Disabled');
    await expect(row(EMAILS[1]!)).toContainText('Disabled');
    await expect(row(EMAILS[2]!)).toContainText('Enabled');
    await expect(page.getByRole('checkbox', { name: EMAILS[0] })).not.toBeChecked();
  });

  await test.step('a batch including yourself is refused, with the reason, and nothing changes', async () => {
    await page.getByRole('checkbox', { name: ADMIN.email }).check();
    await page.getByRole('checkbox', { name: EMAILS[2] }).check();
    await page.getByRole('toolbar', { name: 'Selected accounts' }).getByRole('button', { name: 'Disable' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disable 2 accounts?' });
    await dialog.getByRole('button', { name: 'Disable' }).click();
    const alert = dialog.getByRole('alert');
    await expect(alert).toContainText('1 account of 2 refused, so nothing was changed.');
    await expect(alert.getByRole('list', { name: 'Refused accounts' })).toHaveText(
      `${ADMIN.email}: You cannot disable your own account.`,
    );
    await saveScreenshot(page, 'bulk-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(row(EMAILS[2]!)).toContainText('Enabled');
    const me = await admin.expect<{ user: { accountStatus: string } }>(200, 'GET', '/api/v1/me');
    expect(me.user.accountStatus).toBe('enabled');
  });

  await test.step('select all on the page; one unchecked leaves it mixed', async () => {
    await page.getByRole('button', { name: 'Clear selection' }).click();
    const all = page.getByRole('checkbox', { name: 'Select all accounts on this page' });
    await all.check();
    const rows = table.getByRole('checkbox');
    // Every row's checkbox (and the header's) is checked: 1 + 4 accounts.
    await expect(rows).toHaveCount(5);
    for (const checkbox of await rows.all()) await expect(checkbox).toBeChecked();
    await expect(page.getByRole('toolbar', { name: 'Selected accounts' })).toContainText('4 selected');
    await page.getByRole('checkbox', { name: EMAILS[1] }).uncheck();
    await expect(all).toHaveJSProperty('indeterminate', true);
    await expect(page.getByRole('toolbar', { name: 'Selected accounts' })).toContainText('3 selected');
    await all.click(); // mixed → all
    await expect(page.getByRole('toolbar', { name: 'Selected accounts' })).toContainText('4 selected');
    await page.getByRole('button', { name: 'Delete User' }).click();
    await expect(page.getByRole('dialog', { name: 'Delete 4 accounts?' })).toBeVisible();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Clear selection' }).click();
  });

  await test.step('every column shown, the checkbox and Email stay in view while the table scrolls sideways', async () => {
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('button', { name: 'Show all' }).click();
    await page.keyboard.press('Escape');
    const scroller = page.getByRole('region', { name: 'User accounts' });
    await expect(scroller).toBeVisible();
    const email = page.getByRole('columnheader', { name: 'Email' });
    const before = (await email.boundingBox())!;
    await page.getByRole('checkbox', { name: EMAILS[2] }).check();
    for (const mode of ['light', 'dark'] as const) {
      if (mode === 'dark') {
        await admin.expect(200, 'PATCH', `/api/v1/users/${adminId}`, { theme: 'dark' });
        await page.reload();
        await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
        await page.getByRole('checkbox', { name: EMAILS[2] }).check();
      }
      await scroller.evaluate((element) => (element.scrollLeft = element.scrollWidth));
      await expect.poll(async () => scroller.evaluate((element) => element.scrollLeft)).toBeGreaterThan(100);
      const after = (await email.boundingBox())!;
      expect(Math.abs(after.x - before.x)).toBeLessThan(2);
      await expect(page.getByRole('link', { name: EMAILS[0] })).toBeInViewport();
      await expect(page.getByRole('columnheader', { name: 'Timeout' })).toBeInViewport();
      // Opaque: the cell behind the Email column does not show through.
      const background = await page
        .getByRole('link', { name: EMAILS[0] })
        .evaluate((link) => getComputedStyle(link.closest('td')!).backgroundColor);
      expect(background).not.toMatch(/rgba\(.*, 0\)|transparent/);
      await saveScreenshot(page, `bulk-users-scrolled-${mode}`);
      await scroller.evaluate((element) => (element.scrollLeft = 0));
      await saveScreenshot(page, `bulk-users-${mode}`);
    }
    await admin.expect(200, 'PATCH', `/api/v1/users/${adminId}`, { theme: 'light' });
  });
});
