import { test, expect } from '@playwright/test';
import {
  askForOneMoreConversation,
  coupleWhoJoined,
  markConversationHeldAndRevisit,
  openCaseTab,
  shareStep1,
  signUpTherapist,
  uniqueEmail,
  waitForHydration,
} from './helpers';

// Issue 13, the rest: on a phone-sized screen, a wish is clarified and reworded, one more
// conversation is asked for and marked held before the pact, a revisit date is set, and
// the caseload sorts by the gap between the partners. Written for the lead to run.
const PHONE = { width: 390, height: 844 };

test('clarify a wish, one more conversation before the pact, a revisit date, the gap', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(PHONE);
  await signUpTherapist(page, 'Dr Ada Lind', uniqueEmail('lind'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Alex & Sam', PHONE);
  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await shareStep1(alex.page, /What does emotional connection mean to you/, 'Being heard.', 'Be nicer', 'Sam');
  await shareStep1(sam.page, /What do physical closeness and sexual intimacy mean to you/, 'Feeling wanted.', 'Hold me when I get home', 'Alex');
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
  await askForOneMoreConversation(alex.page, 'Keeping score about chores');
  await expect(alex.page.getByRole('button', { name: 'Confirm the pact' })).toHaveCount(0);

  await markConversationHeldAndRevisit(page);

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
