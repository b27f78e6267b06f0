import { defineConfig } from '@playwright/test';

// The Makefile starts these tests inside a private network namespace, against
// the release binary and a fresh data directory.
const port = Number(process.env.HAGGLE_E2E_PORT ?? 3100);
const dataDir = process.env.HAGGLE_E2E_DATA;
if (!dataDir) {
  throw new Error('HAGGLE_E2E_DATA must name an empty temporary directory (make test sets it)');
}

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // Journeys count open tabs site-wide, so they run one at a time.
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--allow-loopback-in-peer-connection',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
      ],
    },
  },
  webServer: {
    command: '../target/release/haggle',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: '../target/site',
      HAGGLE_DATA_DIR: dataDir,
      HAGGLE_DEMO: '1',
      // Long enough that any bid in a short test auction triggers the soft
      // close, so the journey can watch the countdown jump.
      HAGGLE_SOFT_CLOSE_MINUTES: '10',
      // A budget this small batches a room of a few watchers over 100 ms,
      // so a quick run of bids reaches the browsers as one batch.
      HAGGLE_ROOM_WRITES_PER_SECOND: '30',
      // Every test signs up from this one address; the CAPTCHA on sign-up
      // bursts has its own router test.
      HAGGLE_SIGN_UPS_PER_HOUR: '1000',
      RUST_LOG: 'warn',
    },
  },
});
