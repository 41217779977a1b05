import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end tests in a real Chromium (Debian's, never a downloaded one). Each test file starts
 * its own Latchkey from dist/ (see tests/e2e/support/latchkey.ts), so run `npm run build` first.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  globalSetup: './tests/e2e/support/global-setup.ts',
  fullyParallel: false,
  // One at a time: on the two-core machines this runs on, two Chromiums and two servers at once
  // made the whole run slower (measured: 17 tests, 91 s with one worker, 115 s with two) and
  // flakier; each test is CPU-bound in the browser.
  workers: 1,
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results',
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1366, height: 768 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    headless: true,
  },
  projects: [{ name: 'chromium' }],
});
