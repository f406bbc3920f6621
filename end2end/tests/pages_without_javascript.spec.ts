import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { coupleWhoJoined, errorLines, openCaseTab, readServerLog, signUpTherapist, uniqueEmail } from './helpers';

/** A browser context with JavaScript off, signed in as `page`'s context is (or anonymous). */
async function withoutJavaScript(browser: Browser, signedIn?: Page): Promise<BrowserContext> {
  const storageState = signedIn ? await signedIn.context().storageState() : undefined;
  return browser.newContext({ javaScriptEnabled: false, storageState });
}

/** Opens `path` as the server renders it and checks it is a whole, working page. */
async function opens(page: Page, path: string): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  await expect(page.getByRole('heading', { level: 1 }).first(), path).toBeVisible();
  await expect(page.getByText('Something went wrong'), path).toHaveCount(0);
  await expect(page.getByRole('contentinfo'), path).toBeVisible();
}

/** Opens `path` and checks the server sent the visitor on to `landing`. */
async function sendsOn(page: Page, path: string, landing: RegExp): Promise<void> {
  await page.goto(path);
  await expect(page, path).toHaveURL(landing);
}

test('every main page renders without JavaScript for each visitor, and the server logs no error', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const logBefore = readServerLog().length;

  // A therapist with a couple who joined, Baby Steps assigned, and Alex's step 1 open.
  await signUpTherapist(page, 'Dr Lee Ward', uniqueEmail('ward'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Alex & Sam');
  const casePath = new URL(page.url()).pathname;
  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await expect(page.getByRole('row', { name: /Step 1 – On your own/ })).toBeVisible();
  await alex.page.goto('/homework');
  await alex.page.getByRole('link', { name: 'Start: Step 1 – On your own' }).click();
  await expect(alex.page).toHaveURL(/\/homework\/\d+$/);
  const stepId = new URL(alex.page.url()).pathname.split('/').pop();

  const therapistPages = [
    '/caseload',
    '/caseload?q=Alex&status=active&sort=name&page=1',
    '/cases/new',
    casePath,
    `${casePath}/homework`,
    `${casePath}/together`,
    `${casePath}/notes`,
    `${casePath}/messages`,
    `${casePath}/edit`,
    `/review/${stepId}`,
    '/exercises',
    '/exercises/new',
    '/outbox',
    '/settings',
  ];
  const clientPages = ['/homework', `/homework/${stepId}`, '/wishes', '/check-in', '/letting-go', '/private-note'];

  const therapist = await withoutJavaScript(browser, page);
  const client = await withoutJavaScript(browser, alex.page);
  const anonymous = await withoutJavaScript(browser);
  const [asTherapist, asClient, asAnonymous] = await Promise.all(
    [therapist, client, anonymous].map((context) => context.newPage()),
  );
  for (const path of ['/', '/sign-in', '/sign-up']) await opens(asAnonymous, path);
  await sendsOn(asTherapist, '/', /\/caseload$/);
  await sendsOn(asClient, '/', /\/homework$/);
  for (const path of therapistPages) {
    await opens(asTherapist, path);
    await sendsOn(asClient, path, /\/homework$/);
    await sendsOn(asAnonymous, path, /\/sign-in\?next=/);
  }
  for (const path of clientPages) {
    await opens(asClient, path);
    await sendsOn(asTherapist, path, /\/caseload$/);
    await sendsOn(asAnonymous, path, /\/sign-in\?next=/);
  }

  // Work a page started can finish just after its response; give it a moment to log.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const errors = errorLines(readServerLog().slice(logBefore));
  expect(errors, 'ERROR lines in the server log').toEqual([]);

  for (const context of [therapist, client, anonymous, alex.context, sam.context]) await context.close();
});
