import { test, expect } from '@playwright/test';
import { PASSWORD, emailWithSubject, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

test('a therapist signs up, signs out and signs in again', async ({ page }) => {
  const email = uniqueEmail('ana');
  await signUpTherapist(page, 'Dr Ana Ruiz', email);
  await expect(page).toHaveURL(/\/caseload$/);
  await expect(page.getByRole('banner')).toContainText('Dr Ana Ruiz');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Caseload' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await page.getByLabel('Email').fill(email.toUpperCase());
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Caseload' })).toBeVisible();
  await expect(page).toHaveURL(/\/caseload$/);
});

test('a wrong password shows an error at the form', async ({ page }) => {
  const email = uniqueEmail('kim');
  await signUpTherapist(page, 'Kim Lee', email);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await waitForHydration(page);

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not the right one');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'do not match an account' })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});

test('a field error is shown beside its field', async ({ page }) => {
  await page.goto('/sign-up');
  await waitForHydration(page);
  await page.getByLabel('Your name').fill('Sam');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  const email = page.getByLabel('Email');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
});

test('a protected page sends you to sign in and back afterwards', async ({ page, context }) => {
  const email = uniqueEmail('jo');
  await signUpTherapist(page, 'Jo Park', email);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await context.clearCookies();

  await page.goto('/caseload');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fcaseload|\/sign-in\?next=\/caseload/);
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/caseload$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Caseload' })).toBeVisible();
});

test.describe('before the app has loaded', () => {
  test.use({ javaScriptEnabled: false });

  test('sign-up and sign-in forms still work', async ({ page }) => {
    const email = uniqueEmail('nojs');
    await page.goto('/sign-up');
    await page.getByLabel('Your name').fill('Val Stone');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
    const confirmation = await emailWithSubject(email, /Confirm your email/);
    const link = confirmation.text.match(/https?:\/\/\S+\/confirm-email\/\S+/);
    expect(link).not.toBeNull();
    await page.goto(link![0]);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Caseload' })).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong wrong wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'do not match an account' })).toBeVisible();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Caseload' })).toBeVisible();
  });
});

test('the layout works on a phone and by keyboard', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/sign-in');
  await waitForHydration(page);
  await expect(page.getByRole('main')).toBeVisible();
  await expect(page.getByRole('banner')).toBeVisible();
  await expect(page.getByRole('contentinfo')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
});

test('an unknown address shows a friendly 404', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});
