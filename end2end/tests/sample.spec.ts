import { test, expect } from '@playwright/test';
import { signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

test('a new therapist adds sample couples on an empty caseload, views one as a partner, and removes them', async ({ page }) => {
  await signUpTherapist(page, 'Dr Ana Ruiz', uniqueEmail('sample'));
  await expect(page.getByRole('heading', { name: 'Add your first couple' })).toBeVisible();
  await waitForHydration(page);

  await page.getByRole('button', { name: 'Add sample couples' }).click();
  const table = page.getByRole('table', { name: 'Your cases' });
  for (const couple of ['Sample: Robin & Kai', 'Sample: Alex & Sam', 'Sample: Jordan & Casey']) {
    await expect(table.getByRole('link', { name: couple })).toBeVisible();
  }
  await expect(table.getByText('Sample', { exact: true })).toHaveCount(3);

  // The case page says what a sample is and opens a partner's home read-only.
  await table.getByRole('link', { name: 'Sample: Alex & Sam' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sample: Alex & Sam' })).toBeVisible();
  await page.getByRole('link', { name: 'View as Alex' }).click();
  await expect(page.getByText("You are viewing Alex's pages as they would see them.")).toBeVisible();
  await expect(page.getByRole('heading', { name: 'My homework' })).toBeVisible();
  await expect(page.getByRole('button', { name: /reminders/ })).toHaveCount(0);

  // The couple in the middle of the exchange has a printable session summary: in print
  // media it fits an A4 and a US Letter page's width (at 96 px an inch), with nothing cut.
  await page.goto(page.url().replace(/\/view-as\/.*$/, '/summary'));
  await expect(page.getByRole('heading', { level: 1, name: 'Session summary – Sample: Alex & Sam' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Wishes, answers and offers' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Measures' })).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('link', { name: 'Back to the case' })).toBeHidden();
  for (const [paper, width] of [['A4', 794], ['Letter', 816]] as const) {
    await page.setViewportSize({ width, height: 1100 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `the summary printed on ${paper} is no wider than the page`).toBeLessThanOrEqual(0);
    await test.info().attach(`summary-print-${paper}.png`, {
      body: await page.screenshot({ fullPage: true }),
      contentType: 'image/png',
    });
  }
  await page.emulateMedia({ media: 'screen' });

  // Removed in one click.
  await page.goto('/caseload');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Remove sample couples' }).click();
  await expect(page.getByRole('heading', { name: 'Add your first couple' })).toBeVisible();
});
