import { expect, type Locator, type Page } from '@playwright/test';
import type { RunningLatchkey } from './latchkey.js';

/** Signs in through the sign-in page, as a person would. */
export async function signInThroughUi(
  page: Page,
  app: RunningLatchkey,
  email: string,
  password: string,
): Promise<void> {
  if (!page.url().includes('/login')) await page.goto(`${app.url}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** Saves a screenshot for people to look at (screenshots/ is not committed). */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: false, animations: 'disabled' });
}

/** Picks a file in a dialog's "CSV file" field through the browser's file chooser, as a person would. */
export async function chooseFile(page: Page, dialog: Locator, name: string, content: string): Promise<void> {
  const choosing = page.waitForEvent('filechooser');
  await dialog.getByRole('button', { name: /^CSV file/ }).click();
  await (await choosing).setFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content) });
}
