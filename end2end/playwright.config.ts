import { defineConfig, devices } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';

// Each run gets its own SQLite file so tests never see another run's data. The folder is
// set once, in the runner, so its worker processes (which load this file too) agree on it.
const dataDir = (process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `babysteps-e2e-${process.pid}`));
// The server's log (stdout and stderr) is kept there too: tests and the global teardown fail
// on any ERROR line in it.
const serverLog = (process.env.E2E_SERVER_LOG ??= path.join(dataDir, 'server.log'));
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// A real SMTP server (maildev) on loopback receives the app's email; tests read it over its API.
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3125);
const mailApiPort = Number(process.env.E2E_MAIL_API_PORT ?? 3180);
process.env.E2E_MAIL_API = `http://127.0.0.1:${mailApiPort}`;

// .ci/test-at runs the tests on a fake clock through libfaketime (LD_PRELOAD), inherited by
// node and the server. Chromium hangs under it, and its clock plays no part in the tests,
// so it is started without it.
const browserEnv = process.env.LD_PRELOAD
  ? ({ ...process.env, LD_PRELOAD: '' } as Record<string, string>)
  : undefined;

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  globalTeardown: './server-log.teardown.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      env: browserEnv,
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
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: [
  {
    command: `node_modules/.bin/maildev --smtp ${smtpPort} --ip 127.0.0.1 --web ${mailApiPort} --web-ip 127.0.0.1`,
    url: `http://127.0.0.1:${mailApiPort}/api/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
  {
    command: `mkdir -p ${dataDir} && ../target/release/server 2>&1 | tee ${serverLog}`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    env: {
      DATABASE_URL: `sqlite://${dataDir}/e2e.db`,
      LISTEN_ADDR: `127.0.0.1:${port}`,
      SITE_ROOT: '../target/site',
      RUST_LOG: 'warn',
      PUBLIC_BASE_URL: baseURL,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      SMTP_TLS: 'none',
      SMTP_FROM: 'Babysteps <no-reply@babysteps.test>',
    },
  },
  ],
});
