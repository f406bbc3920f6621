import { test, expect, type Page } from '@playwright/test';
import { coupleWhoJoined, openCaseTab, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

// Issue 13, the rest: on a phone-sized screen, a wish is clarified and reworded, one more
// conversation is asked for and marked held before the pact, a revisit date is set, and
// the caseload sorts by the gap between the partners. Written for the lead to run.
const PHONE = { width: 390, height: 844 };

/** Submits and shares step 1 with one behaviour. */
async function doStep1(page: Page, meaning: RegExp, answer: string, behaviour: string, partner: string) {
  await page.goto('/homework');
  await page.getByRole('link', { name: 'Start: Step 1 – On your own' }).click();
  await waitForHydration(page);
  await page.getByLabel(meaning).fill(answer);
  const list = page.getByRole('group', { name: /List specific things your partner could do/ });
  await list.getByRole('button', { name: 'Add an item' }).click();
  await list.getByLabel('Item 1', { exact: true }).fill(behaviour);
  await expect(page.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Submit to my therapist' }).click();
  await page.getByRole('button', { name: `Share with ${partner}` }).click();
}

test('clarify a wish, one more conversation before the pact, a revisit date, the gap', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(PHONE);
  await signUpTherapist(page, 'Dr Ada Lind', uniqueEmail('lind'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Alex & Sam', PHONE);
  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await doStep1(alex.page, /What does emotional connection mean to you/, 'Being heard.', 'Be nicer', 'Sam');
  await doStep1(sam.page, /What do physical closeness and sexual intimacy mean to you/, 'Feeling wanted.', 'Hold me when I get home', 'Alex');
  await page.reload();
  await waitForHydration(page);
  for (const step of [3, 4, 5]) {
    await page.getByRole('button', { name: `Open step ${step} now` }).click();
    await expect(page.getByRole('button', { name: `Open step ${step} now` })).toHaveCount(0);
  }

  // Sam asks what Alex means; Alex rewords; both see the earlier wording.
  await sam.page.goto('/wishes');
  await waitForHydration(sam.page);
  const vague = sam.page.getByRole('listitem').filter({ hasText: 'Be nicer' });
  await vague.getByRole('button', { name: 'What do you mean?' }).click();
  await expect(sam.page.getByText(/You asked Alex what this means/)).toBeVisible();
  await alex.page.goto('/wishes');
  await waitForHydration(alex.page);
  await alex.page.getByLabel('Your wish, in other words').fill('Say one kind thing at breakfast');
  await alex.page.getByRole('button', { name: 'Reword' }).click();
  await expect(alex.page.getByText('Earlier wording: “Be nicer”')).toBeVisible();
  await sam.page.reload();
  const reworded = sam.page.getByRole('listitem').filter({ hasText: 'Say one kind thing at breakfast' });
  await expect(reworded.getByText('Earlier wording: “Be nicer”')).toBeVisible();

  // Alex asks for one more conversation: no confirming until the therapist marks it held.
  await alex.page.goto('/letting-go');
  await waitForHydration(alex.page);
  await alex.page.getByLabel('What resentment are you choosing to let go of?').fill('Keeping score about chores');
  await alex.page.getByLabel(/Ask my therapist for one more guided conversation first/).check();
  await alex.page.getByRole('button', { name: 'Save for now' }).click();
  await expect(alex.page.getByText(/Once they mark it as held, you can confirm the pact/)).toBeVisible();
  await expect(alex.page.getByRole('button', { name: 'Confirm the pact' })).toHaveCount(0);

  await openCaseTab(page, 'Together');
  await waitForHydration(page);
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel("Day Alex's conversation was held").fill(today);
  await page.getByRole('button', { name: 'Mark as held' }).click();
  await expect(page.getByText(/Alex's extra conversation was held on/)).toBeVisible();
  const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Revisit the pact on').fill(nextWeek);
  await page.getByRole('button', { name: 'Save the revisit date' }).click();
  await expect(page.getByText(/Both partners get a check-in reminder on/)).toBeVisible();

  await alex.page.reload();
  await expect(alex.page.getByText(/Your therapist suggests looking at the pact again on/)).toBeVisible();
  await alex.page.getByRole('button', { name: 'Confirm the pact' }).click();
  await expect(alex.page.getByText('You have confirmed the pact.')).toBeVisible();

  // The caseload sorts by the largest gap with a plain link, and each row shows the gap.
  await page.goto('/caseload');
  await page.getByRole('link', { name: '(largest gap first)' }).click();
  await expect(page).toHaveURL(/sort=gap/);
  await expect(page.getByRole('row', { name: /Alex & Sam/ })).toContainText('No check-ins yet');

  await alex.context.close();
  await sam.context.close();
});
