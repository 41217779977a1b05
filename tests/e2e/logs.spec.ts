import { readFile } from 'node:fs/promises';
import { expect, test } from './support/test.js';
import { ApiClient, createUser, setUpAdministrator, ADMIN, type CreatedUser } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { saveScreenshot, signInThroughUi } from './support/ui.js';

const app = useLatchkey();
let reader: CreatedUser;
let admin: ApiClient;

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  reader = await createUser(admin, {
    email: 'lena.logreader@example.test',
    firstName: 'Lena',
    lastName: 'Logreader',
    securityGroupId: 'read-only-user',
  });
  // A failed sign-in, as a script with a wrong password would make.
  const stranger = new ApiClient(app().url);
  const failed = await stranger.call('POST', '/api/v1/session', { email: reader.email, password: 'Wrong-Password-1' });
  expect(failed.status).toBe(401);
  // A Password & Security change, for the log to tell in words.
  const milo = await createUser(admin, {
    email: 'milo.mustchange@example.test',
    firstName: 'Milo',
    lastName: 'Mustchange',
    securityGroupId: 'read-only-user',
  });
  const changed = await admin.call('PATCH', `/api/v1/users/${milo.id}/security`, { mustChangePassword: true });
  expect(changed.status).toBe(200);
});

test('an Administrator finds a failed sign-in in Login History and filters by email and result', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs' }).click();
  await expect(page.getByRole('heading', { name: 'Logs' })).toBeVisible();
  await page.getByRole('tab', { name: 'Login History' }).click();
  await expect(page).toHaveURL(/tab=logins/);

  const table = page.getByRole('table', { name: 'Login history' });
  // The whole address, in any letter case.
  await page.getByRole('searchbox', { name: 'Email', exact: true }).fill('Lena.Logreader@Example.test');
  await expect(page).toHaveURL(/email=Lena\.Logreader/);
  const row = table.getByRole('row').filter({ hasText: reader.email });
  await expect(row).toHaveCount(1);
  await expect(row.getByText('Failure')).toBeVisible();
  await expect(row.getByText('Wrong password')).toBeVisible();
  await expect(table.getByRole('row').filter({ hasText: ADMIN.email })).toHaveCount(0);

  await page.getByRole('searchbox', { name: 'Email', exact: true }).fill('');
  await expect(table.getByRole('row').filter({ hasText: ADMIN.email }).first()).toBeVisible();
  await page.getByRole('combobox', { name: 'Result' }).click();
  await page.getByRole('option', { name: 'Failure' }).click();
  await expect(page).toHaveURL(/result=failure/);
  await expect(table.getByRole('row').filter({ hasText: ADMIN.email })).toHaveCount(0);
  await expect(table.getByRole('row').filter({ hasText: reader.email })).toHaveCount(1);
  await saveScreenshot(page, 'logs-login-history');
});

test('an Administrator reads events in words, filters by category and action, and exports them as CSV', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/logs`);
  await expect(page.getByRole('tab', { name: 'System Events', selected: true })).toBeVisible();
  const table = page.getByRole('table', { name: 'System events' });
  const created = table.getByRole('row').filter({ hasText: reader.email }).filter({ hasText: 'user.created' });
  await expect(created).toHaveCount(1);
  await expect(created.getByText('User created')).toBeVisible();
  await expect(created.getByText(ADMIN.email)).toBeVisible();
  // The target by name, over the email it had.
  await expect(created.getByText('Lena Logreader')).toBeVisible();

  // A category: Password & Security shows the change in the product's words, and not the creation.
  await page.getByRole('combobox', { name: 'Category' }).click();
  await page.getByRole('option', { name: 'Password & Security' }).click();
  await expect(page).toHaveURL(/category=security/);
  const security = table.getByRole('row').filter({ hasText: 'milo.mustchange@example.test' });
  await expect(security.getByText('Password & Security changed')).toBeVisible();
  await expect(security.getByText('Must change password: off → on')).toBeVisible();
  await expect(created).toHaveCount(0);
  await saveScreenshot(page, 'logs-system-events-category');
  await page.getByRole('combobox', { name: 'Category' }).click();
  await page.getByRole('option', { name: 'Any' }).click();
  // The actor's security group, in its own column.
  await expect(table.getByRole('columnheader', { name: 'Actor Group' })).toBeVisible();
  await expect(created.getByRole('cell', { name: 'Administrator', exact: true })).toBeVisible();

  await page.getByRole('combobox', { name: 'Action' }).click();
  await page.getByRole('option', { name: 'User created' }).click();
  await expect(page).toHaveURL(/action=user\.created/);
  await expect(table.getByText('setup.first_administrator_created')).toHaveCount(0);
  await expect(created).toHaveCount(1);
  await saveScreenshot(page, 'logs-system-events');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await page.getByRole('button', { name: 'CSV (.csv)' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  expect(csv).toContain(reader.email);
  expect(csv).toContain('user.created');
  expect(csv).not.toContain('setup.first_administrator_created');
});

test('System Events page with First / Previous / Next / Last, and a deep page survives a reload', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  for (let i = 0; i < 27; i++) {
    await createUser(admin, {
      email: `pager-${String(i).padStart(2, '0')}@example.test`,
      firstName: 'Pager',
      lastName: `Number ${i}`,
      securityGroupId: 'read-only-user',
    });
  }
  await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
  await page.goto(`${app().url}/logs?action=user.created&pageSize=25`);
  const table = page.getByRole('table', { name: 'System events' });
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await expect(table.getByRole('row').filter({ hasText: 'pager-26@example.test' })).toHaveCount(1);
  await expect(page.getByText('25 shown of 29 events')).toBeVisible();
  await expect(pages.getByRole('button', { name: 'First' })).toBeDisabled();
  await expect(pages.getByRole('button', { name: 'Previous' })).toBeDisabled();

  await pages.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(page.getByText('4 shown of 29 events')).toBeVisible();
  await expect(table.getByRole('row').filter({ hasText: 'pager-00@example.test' })).toHaveCount(1);
  await expect(pages.getByRole('button', { name: 'Next' })).toBeDisabled();
  await saveScreenshot(page, 'logs-system-events-page-2');

  await page.reload();
  await expect(table.getByRole('row').filter({ hasText: 'pager-00@example.test' })).toHaveCount(1);
  await expect(page.getByText('4 shown of 29 events')).toBeVisible();

  await pages.getByRole('button', { name: 'Previous' }).click();
  await expect(table.getByRole('row').filter({ hasText: 'pager-26@example.test' })).toHaveCount(1);
  await pages.getByRole('button', { name: 'Last' }).click();
  await expect(page).toHaveURL(/cursor=last/);
  await expect(table.getByRole('row').filter({ hasText: 'pager-00@example.test' })).toHaveCount(1);
  await pages.getByRole('button', { name: 'First' }).click();
  await expect(page).not.toHaveURL(/cursor=/);

  // A To date before the From date is said on the field. Both dates are changed in one go, before
  // the page can render the first change: neither may be lost (each change is merged into the
  // address as it is, not as the last render saw it).
  await page.evaluate(() => {
    const setDate = (label: string, value: string) => {
      const input = [...document.querySelectorAll('label')].find((l) => l.textContent?.startsWith(label))?.control;
      if (!(input instanceof HTMLInputElement)) throw new Error(`no ${label} field`);
      // React tracks an input's value: set it through the prototype's setter so onChange fires.
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };
    setDate('From', '2030-01-02');
    setDate('To', '2030-01-01');
  });
  await expect(page).toHaveURL(/from=2030-01-02/);
  await expect(page).toHaveURL(/to=2030-01-01/);
  await expect(page.getByText('Must not be before From.')).toBeVisible();
  // Nothing is asked of the server then, and the table says what to do instead of loading forever.
  await expect(page.getByText('Pick a To date on or after the From date.')).toBeVisible();
  await expect(page.getByText('Loading…')).toHaveCount(0);

  // A made-up page link goes back to the first page, saying why.
  await page.goto(`${app().url}/logs?action=user.created&pageSize=25&cursor=bm90LWEtY3Vyc29y`);
  await expect(page.getByText('This page link is not valid').first()).toBeVisible();
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(table.getByRole('row').filter({ hasText: 'pager-26@example.test' })).toHaveCount(1);
});

test('a Read Only User has no Logs link, and /logs tells them they lack permission', async ({ page }) => {
  await signInThroughUi(page, app(), reader.email, reader.password);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs' })).toHaveCount(0);
  await page.goto(`${app().url}/logs`);
  await expect(page.getByRole('heading', { name: 'You do not have permission to see this page' })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
});

test("the From and To pickers show and take days in the account's Date Format, each a whole local day", async ({
  page,
}) => {
  const me = (await admin.expect<{ user: { id: string } }>(200, 'GET', '/api/v1/me')).user.id;
  await admin.expect(200, 'PATCH', `/api/v1/users/${me}`, { dateFormat: 'dd/mm/yyyy' });
  try {
    await page.setViewportSize({ width: 1366, height: 768 });
    await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
    await page.goto(`${app().url}/logs?action=user.created`);
    const table = page.getByRole('table', { name: 'System events' });
    await expect(table.getByRole('row').filter({ hasText: reader.email })).toHaveCount(1);

    // Today as this browser counts days, typed as the account writes dates.
    const today = await page.evaluate(() => {
      const date = new Date();
      const pad = (n: number) => String(n).padStart(2, '0');
      return { iso: `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` };
    });
    const [y, m, d] = today.iso.split('-') as [string, string, string];
    const from = page.getByRole('textbox', { name: 'From' });
    await from.fill(`${d}/${m}/${y}`);
    await expect(page).toHaveURL(new RegExp(`from=${today.iso}`));
    await from.press('Escape');
    await from.blur();
    await expect(from).toHaveValue(`${d}/${m}/${y}`);
    // Today's events are in: the day runs from local midnight to local midnight.
    await expect(table.getByRole('row').filter({ hasText: reader.email })).toHaveCount(1);
    await saveScreenshot(page, 'logs-date-filter-dd-mm-yyyy');

    // A day after today: nothing yet. Typed in ISO form, it still shows in the account's format.
    const next = new Date(Number(y), Number(m) - 1, Number(d) + 1);
    const pad = (n: number) => String(n).padStart(2, '0');
    const tomorrow = `${next.getFullYear()}-${pad(next.getMonth() + 1)}-${pad(next.getDate())}`;
    await from.fill(tomorrow);
    await expect(page).toHaveURL(new RegExp(`from=${tomorrow}`));
    await from.press('Escape');
    await from.blur();
    await expect(from).toHaveValue(`${pad(next.getDate())}/${pad(next.getMonth() + 1)}/${next.getFullYear()}`);
    await expect(page.getByText('No events match these filters.')).toBeVisible();

    // Picked from the calendar: the day's button, named in words.
    const to = page.getByRole('textbox', { name: 'To' });
    await to.click();
    const named = next.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
    await page.getByRole('button', { name: named, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`to=${tomorrow}`));
    await expect(to).toHaveValue(`${pad(next.getDate())}/${pad(next.getMonth() + 1)}/${next.getFullYear()}`);

    // Not a day in this format: the filter keeps what it had.
    await from.fill('31/02/2030');
    await expect(page).toHaveURL(new RegExp(`from=${tomorrow}`));
  } finally {
    await admin.expect(200, 'PATCH', `/api/v1/users/${me}`, { dateFormat: 'yyyy-mm-dd' });
  }
});
