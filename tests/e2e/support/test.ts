/**
 * Playwright's `test`, plus a check after every test that the page raised no uncaught error and
 * the browser refused nothing under the Content Security Policy (`script-src 'self'`: an inline
 * script or style the UI relied on would break silently otherwise).
 */
import { expect, test as base } from '@playwright/test';

export const test = base.extend<{ browserProblems: void }>({
  browserProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`Uncaught error: ${error.message}`));
      page.on('console', (message) => {
        const text = message.text();
        if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(text))
          problems.push(`CSP: ${text}`);
      });
      await use();
      expect(problems, 'the browser reported problems').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
