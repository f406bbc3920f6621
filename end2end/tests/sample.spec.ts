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

  // Removed in one click.
  await page.goto('/caseload');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Remove sample couples' }).click();
  await expect(page.getByRole('heading', { name: 'Add your first couple' })).toBeVisible();
});
