import { expect, test } from '@playwright/test';
import { emailWithSubject, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

const NEW_PASSWORD = 'a brand new morning walk';

test('a forgotten password is reset from the emailed link, once', async ({ page, browser }) => {
  const email = uniqueEmail('forgot');
  await signUpTherapist(page, 'Dr Ana Ruiz', email);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();

  await page.getByRole('link', { name: 'Reset your password' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Forgot your password?' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByRole('status')).toContainText('If an account uses that email');

  const received = await emailWithSubject(email, /^Your Babysteps password$/);
  const match = received.text.match(/https?:\/\/\S+\/reset-password\/\S+/);
  if (!match) throw new Error(`no reset link in: ${received.text}`);
  const link = match[0];

  // A fresh browser, as when the email is opened on another device.
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(link);
  await expect(other.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
  await waitForHydration(other);
  await other.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await other.getByRole('button', { name: 'Save new password' }).click();
  await expect(other.getByRole('heading', { level: 1, name: 'Your password has been changed' })).toBeVisible();

  await other.getByRole('link', { name: 'Sign in' }).first().click();
  await expect(other.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await waitForHydration(other);
  await other.getByLabel('Email').fill(email);
  await other.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('heading', { level: 1, name: 'Caseload' })).toBeVisible();

  // The link worked once.
  await other.goto(link);
  await expect(other.getByRole('heading', { level: 1, name: 'This link has been used' })).toBeVisible();
  await expect(other.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();
  await context.close();
});

test('an unknown email gets the same answer', async ({ page }) => {
  await page.goto('/forgot-password');
  await waitForHydration(page);
  await page.getByLabel('Email').fill(uniqueEmail('nobody'));
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByRole('status')).toContainText('If an account uses that email');
});
