import { test, expect } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { PASSWORD, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

/** Decodes RFC 4648 base32 (spaces ignored), as an authenticator app reads a typed key. */
function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/\s+/g, '').toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 30-second step a time falls in. */
function stepAt(ms: number): number {
  return Math.floor(ms / 1000 / 30);
}

/** The six-digit code (RFC 6238: HMAC-SHA1, 30-second steps) an app shows for `secret`. */
function totp(secret: string, ms: number = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(stepAt(ms)));
  const hash = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = hash[hash.length - 1] & 0xf;
  const value =
    ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
  return String(value % 1_000_000).padStart(6, '0');
}

test('a therapist sets up a second factor and signs in with a code', async ({ page }) => {
  // A code is accepted once: signing in waits for the step after the set-up code's.
  test.setTimeout(120_000);
  const email = uniqueEmail('two-step');
  await signUpTherapist(page, 'Dr Two Step', email);

  // New therapists are asked to set one up, on every page.
  const notice = page.getByRole('complementary', { name: 'Second factor' });
  await expect(notice).toContainText('none is set up yet');
  await notice.getByRole('link', { name: 'Set up now' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Second factor' })).toBeVisible();
  await waitForHydration(page);

  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set up now' }).click();
  await expect(page.getByRole('heading', { name: 'Add Babysteps to your app' })).toBeVisible();
  await expect(page.getByRole('img', { name: /QR code for your authenticator app/ })).toBeVisible();
  const secret = ((await page.getByLabel('Key', { exact: true }).textContent()) ?? '').trim();
  expect(secret.replace(/\s+/g, '')).toMatch(/^[A-Z2-7]{32}$/);

  const setUpAt = Date.now();
  await page.getByLabel('Code from the app').fill(totp(secret, setUpAt));
  await page.getByRole('button', { name: 'Confirm' }).click();
  const codes = page.getByRole('region', { name: 'Your recovery codes' });
  await expect(codes).toBeVisible();
  await expect(codes.getByRole('listitem')).toHaveCount(10);
  await expect(page.getByText('Your second factor is on')).toBeVisible();
  await expect(notice).toHaveCount(0);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Enter your code' })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in\/code/);
  await waitForHydration(page);

  // A wrong code is refused at the field.
  const right = totp(secret);
  await page.getByLabel('Code', { exact: true }).fill(right === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('That code did not work')).toBeVisible();

  while (stepAt(Date.now()) <= stepAt(setUpAt)) await page.waitForTimeout(500);
  await page.getByLabel('Code', { exact: true }).fill(totp(secret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Caseload' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText('Dr Two Step');
});

test('without JavaScript, a second factor is set up and a recovery code signs in', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const email = uniqueEmail('two-step-plain');
  await signUpTherapist(page, 'Dr Plain Form', email);
  const context = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const plain = await context.newPage();
  await plain.goto('/account/second-factor');

  // A wrong password comes back to the page with the reason.
  await plain.getByLabel('Your password').fill('not the password at all');
  await plain.getByRole('button', { name: 'Set up now' }).click();
  await expect(plain.getByText('That is not your password.')).toBeVisible();

  // The set-up step shows the key and the recovery codes on the server-rendered page.
  await plain.getByLabel('Your password').fill(PASSWORD);
  await plain.getByRole('button', { name: 'Set up now' }).click();
  await expect(plain.getByRole('heading', { name: 'Add Babysteps to your app' })).toBeVisible();
  const secret = ((await plain.getByLabel('Key', { exact: true }).textContent()) ?? '').trim();
  const codes = plain.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  const recovery = ((await codes.nth(0).textContent()) ?? '').trim();
  await plain.getByLabel('Code from the app').fill(totp(secret));
  await plain.getByRole('button', { name: 'Confirm' }).click();
  await expect(plain.getByText('Your second factor is on')).toBeVisible();
  await expect(plain.getByLabel('Key', { exact: true })).toHaveCount(0);

  // Signing in without JavaScript: the password, then the code screen.
  const fresh = await browser.newContext({ javaScriptEnabled: false });
  const signIn = await fresh.newPage();
  await signIn.goto('/sign-in');
  await signIn.getByLabel('Email').fill(email);
  await signIn.getByLabel('Password').fill(PASSWORD);
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await expect(signIn.getByRole('heading', { name: 'Enter your code' })).toBeVisible();
  await signIn.getByLabel('Code', { exact: true }).fill('000000');
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await expect(signIn.getByText('That code did not work')).toBeVisible();
  await signIn.getByLabel('Code', { exact: true }).fill(recovery);
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await expect(signIn.getByRole('heading', { level: 1, name: 'Caseload' })).toBeVisible();
  await context.close();
  await fresh.close();
});
