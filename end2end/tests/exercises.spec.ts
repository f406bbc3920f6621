import { test, expect } from '@playwright/test';
import { coupleWhoJoined, openCaseTab, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

test('a therapist writes an exercise, previews it, and assigns it to one partner', async ({ page, browser }) => {
  await signUpTherapist(page, 'Dr Lou Grant', uniqueEmail('grant'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Lee & Kai');

  await page.getByRole('link', { name: 'Exercises' }).click();
  await expect(page.getByRole('heading', { name: 'No exercises of your own yet' })).toBeVisible();
  await page.getByRole('link', { name: 'New exercise' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New exercise' })).toBeVisible();
  await waitForHydration(page);

  const first = page.getByRole('group', { name: 'Question 1' });
  await first.getByLabel('Question', { exact: true }).fill('How close did you feel this week?');
  await first.getByLabel('Kind of answer').selectOption('scale');
  await expect(first.getByLabel('What the highest point means')).toHaveValue('Completely');
  await page.getByRole('button', { name: 'Add a question' }).click();
  const second = page.getByRole('group', { name: 'Question 2' });
  await second.getByLabel('Question', { exact: true }).fill('Moments of touch you noticed');
  await second.getByLabel('Kind of answer').selectOption('list');
  await second.getByLabel('Most items').fill('3');
  await second.getByLabel('Who answers').selectOption('seeks_physical');
  // A title is needed.
  await page.getByRole('button', { name: 'Save exercise' }).click();
  await expect(page.getByText('Give the exercise a title of up to 200 characters.')).toBeVisible();
  await page.getByLabel('Title').fill('Weekly look back');
  await page.getByRole('button', { name: 'Save exercise' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Weekly look back' })).toBeVisible();
  await expect(page.getByText('Version 1.')).toBeVisible();

  // The preview shows what each partner will see.
  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview.getByRole('group', { name: /How close did you feel this week/ })).toBeVisible();
  await expect(preview.getByRole('group', { name: /Moments of touch you noticed/ })).toBeVisible();
  await preview.getByLabel('Preview as').selectOption('emotional');
  await expect(preview.getByRole('group', { name: /Moments of touch you noticed/ })).toHaveCount(0);

  // Duplicate it, archive the copy: the list shows both, and only the original can be assigned.
  await page.getByRole('button', { name: 'Duplicate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Copy of Weekly look back' })).toBeVisible();
  await page.getByRole('button', { name: 'Archive' }).click();
  await expect(page.getByText('Archived', { exact: true })).toBeVisible();
  await page.getByRole('link', { name: '← Exercises' }).click();
  await expect(page.getByRole('row', { name: /Copy of Weekly look back/ })).toContainText('Archived');
  await expect(page.getByRole('link', { name: 'Weekly look back', exact: true })).toBeVisible();

  // Assign it to Sam only.
  await page.getByRole('link', { name: 'Caseload' }).click();
  await page.getByRole('link', { name: 'Lee & Kai' }).click();
  await openCaseTab(page, 'Homework');
  await page.getByText('Assign one of your exercises').click();
  await expect(page.getByLabel('Exercise', { exact: true }).locator('option')).toHaveText(['Weekly look back']);
  await page.getByLabel('For', { exact: true }).selectOption('b');
  await page.getByRole('button', { name: 'Assign exercise' }).click();
  await expect(page.getByRole('row', { name: /Weekly look back/ })).toContainText('Sam: Not started');

  // Sam fills it in; Alex never sees it.
  await sam.page.goto('/homework');
  await sam.page.getByRole('link', { name: 'Start: Weekly look back' }).click();
  await waitForHydration(sam.page);
  await sam.page.getByRole('radio', { name: '7', exact: true }).check();
  await sam.page.getByRole('button', { name: 'Add an item' }).click();
  await sam.page.getByLabel('Item 1', { exact: true }).fill('A long hug on Sunday');
  await expect(sam.page.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();
  await sam.page.getByRole('button', { name: 'Submit to my therapist' }).click();
  await expect(sam.page.getByText('7 out of 10')).toBeVisible();
  await alex.page.goto('/homework');
  await expect(alex.page.getByRole('heading', { name: 'My homework' })).toBeVisible();
  await expect(alex.page.getByText('Weekly look back')).toHaveCount(0);

  await alex.context.close();
  await sam.context.close();
});
