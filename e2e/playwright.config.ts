// Playwright runs in Debian's Chromium (/usr/bin/chromium): no browser is ever downloaded.
// `cargo xtask test` starts the local server and passes its address in BASE_URL.
import { defineConfig } from '@playwright/test';

const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  },
};

export default defineConfig({
  testDir: 'tests',
  outputDir: 'test-results',
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  // Two cores shared with the server under test.
  workers: 1,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:8080',
    trace: 'on-first-retry',
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
  },
  projects: [
    {
      // Residents use phones: their specs run at 360 x 800.
      name: 'mobile',
      testMatch: /resident.*\.spec\.ts/,
      use: { ...chromium, viewport: { width: 360, height: 800 } },
    },
    {
      name: 'chromium',
      testIgnore: /resident.*\.spec\.ts/,
      use: { ...chromium, viewport: { width: 1280, height: 800 } },
    },
  ],
});
