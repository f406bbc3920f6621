import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `make lighthouse`: the Lighthouse benchmark (not a test). The same release server, test
// SMTP server and Chromium as the browser tests, another folder of specs, one long run.
export default defineConfig({
  ...base,
  testDir: './lighthouse',
  timeout: 15 * 60_000,
  globalTeardown: undefined,
});
