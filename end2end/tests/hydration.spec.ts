import { test, expect, type Page, type Request } from '@playwright/test';
import { PASSWORD, coupleWhoJoined, openCaseTab, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

// A smoke test of the release bundle on every main page: the page hydrates without a console
// error, and one interaction that needs the WebAssembly app (a server function called with
// fetch, or a client-side navigation that loads its data with fetch) works without reloading
// the page.

/**
 * Collects console errors, uncaught exceptions and failed requests of `page`. A server
 * function that refuses input answers 4xx on purpose (422 for a wrong password), which
 * Chromium also logs to the console; those are the app working, not errors.
 */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const refusedByServerFunction =
      /^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()) &&
      new URL(message.location().url).pathname.startsWith('/api/');
    if (!refusedByServerFunction) errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`exception: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && !new URL(response.url()).pathname.startsWith('/api/')) {
      errors.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  return errors;
}

/** Opens `path` and checks that it hydrated cleanly. */
async function visit(page: Page, errors: string[], path: string, heading: string | RegExp): Promise<void> {
  errors.length = 0;
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  await waitForHydration(page);
  expect(await page.evaluate(() => (window as unknown as { __hydrated?: boolean }).__hydrated)).toBe(true);
  expect(errors, `errors on ${path}`).toEqual([]);
}

/**
 * Runs `interaction` and checks that it went through `fetch` to a server function, in the
 * same document (no full page load), and caused no error.
 */
async function throughFetch(page: Page, errors: string[], interaction: () => Promise<void>): Promise<void> {
  const calls: Request[] = [];
  const onRequest = (request: Request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) calls.push(request);
  };
  await page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));
  page.on('request', onRequest);
  try {
    await interaction();
  } finally {
    page.off('request', onRequest);
  }
  expect(calls.length, 'server function calls').toBeGreaterThan(0);
  expect(calls.map((request) => request.resourceType())).toEqual(calls.map(() => 'fetch'));
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  expect(errors, 'errors after the interaction').toEqual([]);
}

test('the sign-in and sign-up pages hydrate and answer through fetch', async ({ page }) => {
  const errors = watchErrors(page);

  await visit(page, errors, '/sign-in', 'Sign in');
  await throughFetch(page, errors, async () => {
    await page.getByLabel('Email').fill(uniqueEmail('nobody'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'do not match an account' })).toBeVisible();
  });

  await visit(page, errors, '/sign-up', 'Create a therapist account');
  await throughFetch(page, errors, async () => {
    await page.getByLabel('Your name').fill('Dr Smoke');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  });
});

test('every signed-in page hydrates and answers through fetch', async ({ page, browser }) => {
  await signUpTherapist(page, 'Dr Ada Smoke', uniqueEmail('smoke'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Smoke & Mirrors');
  const errors = watchErrors(page);

  // Caseload: searching navigates in the app and loads the list with fetch.
  await visit(page, errors, '/caseload', 'Caseload');
  await throughFetch(page, errors, async () => {
    await page.getByLabel('Search by name').fill('smoke');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/q=smoke/);
    await expect(page.getByText('1 case', { exact: true })).toBeVisible();
  });

  // A case: assigning the programme.
  await page.getByRole('link', { name: 'Smoke & Mirrors' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Smoke & Mirrors' })).toBeVisible();
  const casePath = new URL(page.url()).pathname;
  await visit(page, errors, casePath, 'Smoke & Mirrors');
  await throughFetch(page, errors, async () => {
    await openCaseTab(page, 'Homework');
    await page.getByLabel('I have screened each partner alone for safety').check();
    await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
    await expect(page.getByRole('row', { name: /Step 1 – On your own/ })).toContainText('Alex: Not started');
  });

  // Settings: saving.
  await visit(page, errors, '/settings', 'Settings');
  await throughFetch(page, errors, async () => {
    await page.getByLabel('Practice name').fill('Smoke Practice');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  });

  // Outbox: moving on to Exercises in the app loads that page's data with fetch.
  await visit(page, errors, '/outbox', 'Outbox');
  await expect(page.getByRole('cell', { name: 'Your invitation to Babysteps' }).first()).toBeVisible();
  await throughFetch(page, errors, async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exercises' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Exercises' })).toBeVisible();
  });

  // Exercises: writing and saving a new exercise.
  await visit(page, errors, '/exercises', 'Exercises');
  await throughFetch(page, errors, async () => {
    await page.getByRole('link', { name: 'New exercise' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'New exercise' })).toBeVisible();
    await page.getByLabel('Title').fill('Smoke check');
    await page.getByRole('group', { name: 'Question 1' }).getByLabel('Question', { exact: true }).fill('How was it?');
    await page.getByRole('button', { name: 'Save exercise' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Smoke check' })).toBeVisible();
  });

  // A client's homework list: turning reminders off.
  const client = alex.page;
  const clientErrors = watchErrors(client);
  await visit(client, clientErrors, '/homework', 'My homework');
  await throughFetch(client, clientErrors, async () => {
    await client.getByRole('button', { name: 'Turn reminders off' }).click();
    await expect(client.getByRole('button', { name: 'Turn reminders on' })).toBeVisible();
  });

  // A client's exercise sheet: the draft saves while they type.
  await client.getByRole('link', { name: 'Start: Step 1 – On your own' }).click();
  await expect(client.getByRole('heading', { level: 1, name: 'Step 1 – On your own' })).toBeVisible();
  await visit(client, clientErrors, new URL(client.url()).pathname, 'Step 1 – On your own');
  await throughFetch(client, clientErrors, async () => {
    await client.getByLabel(/What does emotional connection mean to you/).fill('Being listened to.');
    await expect(client.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();
  });

  await alex.context.close();
  await sam.context.close();
});

test('the bundle is served with hashed names, compressed, and cached for a year', async ({ page }) => {
  // Each response is kept as it arrives, with the headers Chromium reported with it:
  // `allHeaders()` waits for a second report that Chromium sometimes never sends (Playwright
  // issue 39948), and a list filled after such a wait once missed both scripts.
  const bundle: { url: string; headers: Record<string, string> }[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/pkg/')) {
      bundle.push({ url: response.url(), headers: response.headers() });
    }
  });
  await page.goto('/sign-in');
  await waitForHydration(page);
  // The split build: the main script, stylesheet and module, the split loader, and the
  // page's own chunks — each with a content hash in its name.
  const kinds = [...new Set(bundle.map(({ url }) => url.split('.').pop()))].sort();
  expect(kinds).toEqual(['css', 'js', 'wasm']);
  for (const name of ['babysteps', '__wasm_split']) {
    expect(bundle.some(({ url }) => new URL(url).pathname.startsWith(`/pkg/${name}.`)), name).toBe(true);
  }
  for (const { url, headers } of bundle) {
    expect(url).toMatch(/\/pkg\/[A-Za-z0-9_]+\.[A-Za-z0-9_-]{22}\.(css|js|wasm)$/);
    expect(headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
    expect(headers['content-encoding'], url).toBe('br');
  }
  const icon = await page.request.get('/favicon.svg');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toBe('image/svg+xml');
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute('href', '/favicon.svg');
});
