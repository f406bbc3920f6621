import { test, expect } from '@playwright/test';
import { coupleWhoJoined, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

test('a partner fills in a scheduled measure and the therapist sees the point', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signUpTherapist(page, 'Dr Mia Lund', uniqueEmail('lund'));
  const { alex } = await coupleWhoJoined(page, browser, 'Alex & Sam');
  const casePage = page.url();

  // The therapist copies the built-in measure.
  await page.goto('/measures');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Copy the built-in measure' }).click();
  await expect(page.getByRole('link', { name: 'How connected do we feel' })).toBeVisible();

  // …and schedules it for Alex, due today, on the case's Homework tab.
  await page.goto(`${casePage}/homework`);
  await waitForHydration(page);
  const measures = page.getByRole('region', { name: 'Measures' });
  await measures.getByText('Schedule a measure').click();
  await measures.getByLabel('Measure').selectOption({ label: 'How connected do we feel' });
  await measures.getByLabel('For').selectOption('a');
  const today = new Date().toISOString().slice(0, 10);
  await measures.getByLabel('First due on').fill(today);
  await measures.getByLabel('How often').selectOption('once');
  await measures.getByRole('button', { name: 'Schedule measure' }).click();
  await expect(measures.getByText('No answers yet.')).toBeVisible();

  // Alex finds it on their home and answers "Mostly" to every item.
  await alex.page.goto('/homework');
  await alex.page.getByRole('link', { name: 'How connected do we feel' }).click();
  await waitForHydration(alex.page);
  const items = alex.page.getByRole('group');
  const count = await items.count();
  for (let i = 0; i < count; i++) {
    await items.nth(i).getByLabel('Mostly').check();
  }
  await alex.page.getByRole('button', { name: 'Send my answers' }).click();
  await expect(alex.page.getByText(/You answered this on/)).toBeVisible();

  // The therapist sees Alex's point on the chart and in its table: 4 items at 3, two
  // reversed items at 1 = 14, "Somewhere in between".
  await page.reload();
  await waitForHydration(page);
  await expect(measures.locator('circle[data-series="Alex"]')).toHaveCount(1);
  await measures.getByText('The same numbers as a table').click();
  const row = measures.getByRole('row', { name: /Alex/ });
  await expect(row).toContainText('14');
  await expect(row).toContainText('Somewhere in between');
});
