/**
 * axe-core (WCAG 2.0/2.1 A and AA, and 2.2 AA) on every page and the main dialogs, in the light
 * and the dark theme: no critical and no serious violation anywhere. One browser page is signed in
 * once and reused for everything behind the sign-in; the public pages get a context of their own.
 * Every finding is collected first and printed as one table, so a failure shows the whole picture.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './support/test.js';
import { ADMIN, ApiClient, createUser, GOOD_PASSWORD, setUpAdministrator } from './support/api.js';
import { useLatchkey } from './support/latchkey.js';
import { signInThroughUi } from './support/ui.js';

test.describe.configure({ mode: 'serial' });

type Mode = 'light' | 'dark';
const MODES: Mode[] = ['light', 'dark'];
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface Finding {
  where: string;
  rule: string;
  impact: string;
  nodes: number;
  targets: string[];
}

const app = useLatchkey();
let admin: ApiClient;
let adminId: string;
/** A saved identity provider with a SCIM token (its page shows the Provisioning section). */
let providerId: string;
let otherId: string;
let recordId: string;
let taskId: string;
const mustChange = { email: 'chris.change@example.test', firstName: 'Chris', lastName: 'Change' };
const enrolling = { email: 'mo.factor@example.test', firstName: 'Mo', lastName: 'Factor' };
const findings: Finding[] = [];
const audited: string[] = [];

/** Runs axe on the page as it is now and keeps its critical and serious violations. */
async function audit(
  page: Page,
  where: string,
  options: { include?: string; disableRules?: string[] } = {},
): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(TAGS);
  if (options.include) builder = builder.include(options.include);
  if (options.disableRules) builder = builder.disableRules(options.disableRules);
  const { violations } = await builder.analyze();
  audited.push(where);
  for (const violation of violations) {
    if (violation.impact !== 'critical' && violation.impact !== 'serious') continue;
    findings.push({
      where,
      rule: violation.id,
      impact: violation.impact,
      nodes: violation.nodes.length,
      // Where, and axe's own words (for colour contrast: the ratio and both colours it found).
      targets: violation.nodes
        .slice(0, 3)
        .map((node) => `${node.target.join(' ')} (${node.any[0]?.message ?? node.failureSummary ?? ''})`),
    });
  }
}

async function setMode(page: Page, mode: Mode): Promise<void> {
  await admin.expect(200, 'PATCH', `/api/v1/users/${adminId}`, { theme: mode });
  await page.goto(`${app().url}/users`);
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', mode);
}

/** A fresh context for the pages before sign-in, in the given colour scheme. */
async function publicPage(browser: Browser, mode: Mode): Promise<Page> {
  const context = await browser.newContext({ colorScheme: mode, viewport: { width: 1366, height: 768 } });
  await context.addInitScript((value) => {
    window.localStorage.setItem('mantine-color-scheme-value', value);
  }, mode);
  return context.newPage();
}

/**
 * Opens a dialog by its button and audits the dialog alone: the page behind it was audited on its
 * own and is inert while the dialog is open. Then closes it with Escape (twice if the first one
 * only closed a dropdown that had the focus).
 */
async function auditDialog(page: Page, where: string, button: string, name: string | RegExp): Promise<void> {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog', { name });
  await expect(dialog).toBeVisible();
  // Mantine's dialogs fade in: let them finish, or axe measures half-transparent colours.
  await page.waitForTimeout(300);
  await audit(page, where, { include: '[role="dialog"]' });
  await page.keyboard.press('Escape');
  if (await dialog.isVisible()) await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
}

test.beforeAll(async () => {
  admin = await setUpAdministrator(app());
  adminId = (await admin.expect<{ user: { id: string } }>(200, 'GET', '/api/v1/me')).user.id;
  const other = await createUser(admin, {
    email: 'ada.lovelace@example.test',
    firstName: 'Ada',
    lastName: 'Lovelace',
    securityGroupId: 'regular-user',
    title: 'Analyst',
  });
  otherId = other.id;
  // A token, so that the Password & Security tab offers Revoke (and its dialog).
  await admin.expect(201, 'POST', `/api/v1/users/${otherId}/api-token`);
  const changer = await createUser(admin, { ...mustChange, securityGroupId: 'regular-user' });
  await admin.expect(200, 'PATCH', `/api/v1/users/${changer.id}/security`, { mustChangePassword: true });
  const enroller = await createUser(admin, { ...enrolling, securityGroupId: 'regular-user' });
  await admin.expect(200, 'PATCH', `/api/v1/users/${enroller.id}/security`, { mfaEnrolled: true });
  recordId = (
    await admin.expect<{ id: string }>(201, 'POST', '/api/v1/records', {
      type: 'Application',
      name: 'Payroll',
      owner: 'Finance',
    })
  ).id;
  providerId = (
    await admin.expect<{ id: string }>(201, 'POST', '/api/v1/identity-providers', {
      protocol: 'oidc',
      name: 'Corp Okta',
      defaultGroupId: 'read-only-user',
      oidc: { issuer: 'http://127.0.0.1:9/realms/corp', clientId: 'latchkey' },
    })
  ).id;
  await admin.expect(201, 'POST', `/api/v1/identity-providers/${providerId}/scim-token`);
  taskId = (
    await admin.expect<{ id: string }>(201, 'POST', '/api/v1/tasks', {
      title: 'Rotate the signing keys',
      dueDate: '2031-03-15',
    })
  ).id;
});

test.afterAll(() => {
  const byRule = new Map<string, { impact: string; nodes: number; pages: Set<string> }>();
  for (const finding of findings) {
    const entry = byRule.get(finding.rule) ?? { impact: finding.impact, nodes: 0, pages: new Set<string>() };
    entry.nodes += finding.nodes;
    entry.pages.add(finding.where);
    byRule.set(finding.rule, entry);
  }
  const lines = [
    `axe: ${audited.length} pages and dialogs audited; critical/serious violations: ${findings.length}`,
    ...[...byRule].map(
      ([rule, entry]) =>
        `${rule.padEnd(28)} ${entry.impact.padEnd(9)} ${String(entry.nodes).padStart(4)} elements  ${[...entry.pages].join(', ')}`,
    ),
    ...findings.map(
      (finding) => `  ${finding.where}: ${finding.rule} × ${finding.nodes}  ${finding.targets.join(' | ')}`,
    ),
  ];
  console.log(lines.join('\n'));
});

for (const mode of MODES) {
  test(`pages before sign-in, ${mode}`, async ({ browser }) => {
    const page = await publicPage(browser, mode);
    await page.goto(`${app().url}/login`);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', mode);
    await audit(page, `${mode}: sign-in`);

    await page.goto(`${app().url}/setup`);
    await expect(page.getByRole('heading', { name: 'Latchkey is already set up' })).toBeVisible();
    await audit(page, `${mode}: setup (done)`);

    await page.goto(`${app().url}/forgot-password`);
    await expect(page.getByRole('heading', { name: 'Forgot password' })).toBeVisible();
    await audit(page, `${mode}: forgot password`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('nobody@example.test');
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
    await audit(page, `${mode}: forgot password (asked)`);

    await page.goto(`${app().url}/reset-password#token=not-a-real-link`);
    await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
    await page.getByLabel(/^New Password/).fill(GOOD_PASSWORD);
    await page.getByLabel('Confirm New Password').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('alert')).toContainText('cannot be used');
    await audit(page, `${mode}: choose a new password (link refused)`);

    await page.goto(`${app().url}/login`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(mustChange.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Change your password' })).toBeVisible();
    await audit(page, `${mode}: change password`);
    await page.context().clearCookies();

    await page.goto(`${app().url}/login`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(enrolling.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Set up multi-factor authentication' })).toBeVisible();
    await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
    await audit(page, `${mode}: MFA set-up`);
    await page.context().close();
  });
}

for (const mode of MODES) {
  test(`every page and the main dialogs, signed in as an Administrator, ${mode}`, async ({ page }) => {
    test.setTimeout(300_000);
    const url = app().url;
    await signInThroughUi(page, app(), ADMIN.email, ADMIN.password);
    await setMode(page, mode);
    {
      const at = (name: string) => `${mode}: ${name}`;

      await expect(page.getByRole('link', { name: 'ada.lovelace@example.test' })).toBeVisible();
      await audit(page, at('users'));
      await auditDialog(page, at('New User dialog'), 'New User', 'New User');
      await auditDialog(page, at('Import Users dialog'), 'Import CSV', 'Import Users from CSV');
      await page.getByRole('checkbox', { name: 'ada.lovelace@example.test' }).check();
      // A checked row is tinted: its links and text must stay readable on the tint.
      await audit(page, at('users: a row selected'), { include: 'table' });
      await auditDialog(page, at('Delete User dialog'), 'Delete User', /Delete user/);
      await page.getByRole('checkbox', { name: 'Select all accounts on this page' }).check();
      await auditDialog(page, at('bulk Disable dialog'), 'Disable', /^Disable \d+ accounts\?$/);
      await auditDialog(
        page,
        at('bulk Change Security Group dialog'),
        'Change Security Group',
        /^Change the security group of \d+ accounts\?$/,
      );
      await page.getByRole('checkbox', { name: 'Select all accounts on this page' }).uncheck();
      await page.getByRole('button', { name: 'Columns' }).click();
      await expect(page.getByRole('checkbox', { name: 'Telephone' })).toBeVisible();
      await page.waitForTimeout(300);
      await audit(page, at('users: Columns menu'), { include: '.mantine-Popover-dropdown' });
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      await expect(page.getByRole('button', { name: 'Excel (.xlsx)' })).toBeVisible();
      await page.waitForTimeout(300);
      await audit(page, at('users: Export choices'), { include: '.mantine-Popover-dropdown' });
      await page.keyboard.press('Escape');

      await page.goto(`${url}/users/${otherId}`);
      await expect(page.getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();
      await audit(page, at('view user: Account Settings'));
      await page.getByRole('tab', { name: 'Password & Security' }).click();
      await expect(page.getByRole('button', { name: 'Change' }).first()).toBeVisible();
      await audit(page, at('view user: Password & Security'));
      await auditDialog(page, at('Revoke API token dialog'), 'Revoke', 'Revoke API token?');
      await page.goto(`${url}/users/${adminId}?tab=password-security`);
      await expect(page.getByRole('region', { name: 'Multi-factor authentication' })).toBeVisible();
      await audit(page, at('view user (own): Password & Security'));

      await page.goto(`${url}/security-groups`);
      await expect(page.getByRole('heading', { name: 'Security Groups' })).toBeVisible();
      await audit(page, at('security groups'));
      await page.goto(`${url}/security-groups/new`);
      await expect(page.getByRole('textbox', { name: /Name/ }).first()).toBeVisible();
      await audit(page, at('security group editor'));

      await page.goto(`${url}/records`);
      await expect(page.getByRole('link', { name: 'Payroll' })).toBeVisible();
      await audit(page, at('records'));
      await auditDialog(page, at('New Record dialog'), 'New Record', 'New Record');
      await auditDialog(page, at('New Record Type dialog'), 'New Type', 'New Record Type');
      await auditDialog(page, at('Import Records dialog'), 'Import CSV', 'Import Records from CSV');
      await page.goto(`${url}/records/${recordId}`);
      await expect(page.getByRole('heading', { name: /Payroll/ })).toBeVisible();
      await audit(page, at('view record'));

      await page.goto(`${url}/tasks`);
      await expect(page.getByRole('link', { name: 'Rotate the signing keys' })).toBeVisible();
      await audit(page, at('tasks'));
      await auditDialog(page, at('New Task dialog'), 'New Task', 'New Task');
      await page.goto(`${url}/tasks/${taskId}`);
      await expect(page.getByRole('heading', { name: 'Rotate the signing keys' })).toBeVisible();
      await audit(page, at('view task'));
      await auditDialog(page, at('Assign Task dialog'), 'Assign…', 'Assign Task');
      await auditDialog(page, at('Delete Task dialog'), 'Delete Task', /Delete task/);

      await page.goto(`${url}/reports`);
      await expect(page.getByRole('heading', { name: 'Reports' })).toBeVisible();
      await audit(page, at('reports'));

      await page.goto(`${url}/logs`);
      await expect(page.getByRole('tab', { name: 'System Events' })).toBeVisible();
      await audit(page, at('logs: System Events'));
      await page.getByRole('tab', { name: 'Login History' }).click();
      await expect(page.getByRole('tab', { name: 'Login History' })).toHaveAttribute('aria-selected', 'true');
      await audit(page, at('logs: Login History'));
      // The From picker's calendar, open.
      await page.getByRole('textbox', { name: 'From' }).click();
      await expect(page.getByRole('button', { name: 'Previous month' })).toBeVisible();
      await page.waitForTimeout(300);
      await audit(page, at('logs: date picker open'));
      await page.keyboard.press('Escape');

      await page.goto(`${url}/settings`);
      await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
      await audit(page, at('settings'));

      await page.goto(`${url}/identity-providers`);
      await expect(
        page
          .getByRole('button', { name: 'New Identity Provider' })
          .or(page.getByRole('link', { name: 'New Identity Provider' })),
      ).toBeVisible();
      await audit(page, at('identity providers'));
      await page.goto(`${url}/identity-providers/new?protocol=oidc`);
      await expect(page.getByRole('textbox').first()).toBeVisible();
      await audit(page, at('identity provider editor (OIDC)'));
      await page.goto(`${url}/identity-providers/new?protocol=saml`);
      await expect(page.getByRole('textbox').first()).toBeVisible();
      await audit(page, at('identity provider editor (SAML)'));
      await page.goto(`${url}/identity-providers/${providerId}`);
      await expect(page.getByRole('group', { name: 'Provisioning (SCIM)' })).toBeVisible();
      await audit(page, at('identity provider editor (saved, with Provisioning)'));
      await auditDialog(page, at('revoke SCIM token dialog'), 'Revoke token', 'Revoke SCIM token');

      await page.goto(`${url}/no/such/page`);
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
      await audit(page, at('not found (signed in)'));
    }
  });
}

test('the API reference (Swagger UI in Latchkey colours, light and dark as the system is)', async ({ page }) => {
  test.setTimeout(180_000);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.goto(`${app().url}/api/docs`);
    // Swagger UI renders from a 1.5 MB script: slow on a busy machine.
    await expect(page.locator('.opblock-summary-method').first()).toBeVisible({ timeout: 45_000 });
    await expect(page).toHaveTitle('API reference · Latchkey');
    await expect(page.getByRole('link', { name: 'Back to Latchkey' })).toHaveAttribute('href', '/');
    // No exception: deep links are off (src/server/app.ts), so no link sits inside an
    // operation's summary button (nested-interactive).
    await audit(page, `API reference (/api/docs, ${colorScheme})`);
  }
});

test('no critical or serious violation on any page or dialog', () => {
  expect(audited.length).toBeGreaterThan(60);
  expect(findings.map((finding) => `${finding.where}: ${finding.rule} (${finding.impact}) × ${finding.nodes}`)).toEqual(
    [],
  );
});
