import { test, expect, type Page } from '@playwright/test';
import { coupleWhoJoined, openCaseTab, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

const PHONE = { width: 360, height: 740 };

/** Opens step 1 from "My homework" and waits until the sheet is interactive. */
async function openStep(page: Page, action: 'Start' | 'Continue' | 'Read', title: string): Promise<void> {
  await page.goto('/homework');
  await page.getByRole('link', { name: `${action}: ${title}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await waitForHydration(page);
}

/** Adds an item to the behaviours list and types it. */
async function addBehaviour(page: Page, position: number, text: string): Promise<void> {
  const list = page.getByRole('group', { name: /List specific things your partner could do/ });
  await list.getByRole('button', { name: 'Add an item' }).click();
  await list.getByLabel(`Item ${position}`, { exact: true }).fill(text);
}

const saved = (page: Page) => expect(page.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();

test('the couple does step 1 on their phones, shares it, and the therapist reviews side by side', async ({
  page,
  browser,
}) => {
  await signUpTherapist(page, 'Dr Mia Hart', uniqueEmail('hart'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Alex & Sam', PHONE);

  // The therapist assigns the programme: step 1 opens, the rest stay locked.
  await openCaseTab(page, 'Homework');
  await page.getByLabel('A note for the couple (optional)').fill('Take your time with this one.');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await expect(page.getByRole('row', { name: /Step 1 – On your own/ })).toContainText('Alex: Not started');
  await expect(page.getByRole('row', { name: /Step 2 – Talk it through together/ })).toContainText('Locked');

  // Alex (seeks emotional connection) starts on a phone, reloads half-way, finds the draft.
  const step1 = 'Step 1 – On your own';
  await openStep(alex.page, 'Start', step1);
  await expect(alex.page.getByText('Take your time with this one.')).toBeVisible();
  await expect(alex.page.getByLabel(/What does physical closeness/)).toHaveCount(0);
  await alex.page.getByLabel(/What does emotional connection mean to you/).fill('Being really listened to.');
  await addBehaviour(alex.page, 1, 'Ask about my day and listen for ten minutes');
  await addBehaviour(alex.page, 2, 'Put the phone away at dinner');
  await saved(alex.page);
  await alex.page.reload();
  await waitForHydration(alex.page);
  await expect(alex.page.getByLabel(/What does emotional connection mean to you/)).toHaveValue('Being really listened to.');
  await expect(alex.page.getByLabel('Item 2', { exact: true })).toHaveValue('Put the phone away at dinner');
  // Reorder, then submit.
  await alex.page.getByRole('button', { name: 'Move item 2 up' }).click();
  await expect(alex.page.getByLabel('Item 1', { exact: true })).toHaveValue('Put the phone away at dinner');
  await saved(alex.page);
  await alex.page.getByRole('button', { name: 'Submit to my therapist' }).click();
  await expect(alex.page.getByText('Submitted. Your therapist will read it.')).toBeVisible();
  await alex.page.getByRole('button', { name: 'Share with Sam' }).click();
  await expect(alex.page.getByText('You have shared. You will see each other\'s answers once Sam shares too.')).toBeVisible();
  await expect(alex.page.getByRole('heading', { name: "Sam's answers" })).toHaveCount(0);

  // Sam (seeks physical closeness): a required answer is missing at first.
  await openStep(sam.page, 'Start', step1);
  await expect(sam.page.getByLabel(/What does emotional connection mean/)).toHaveCount(0);
  await addBehaviour(sam.page, 1, 'Hold me for a while when we get home');
  await saved(sam.page);
  await sam.page.getByRole('button', { name: 'Submit to my therapist' }).click();
  await expect(sam.page.getByText('Please answer this question before you submit.')).toBeVisible();
  await sam.page.getByLabel(/What do physical closeness and sexual intimacy mean to you/).fill('Feeling wanted.');
  await saved(sam.page);
  await sam.page.getByRole('button', { name: 'Submit to my therapist' }).click();
  await expect(sam.page.getByText('Submitted. Your therapist will read it.')).toBeVisible();
  // Before Sam shares, Sam cannot read Alex's answers; after, both can.
  await expect(sam.page.getByText('Put the phone away at dinner')).toHaveCount(0);
  await sam.page.getByRole('button', { name: 'Share with Alex' }).click();
  await expect(sam.page.getByRole('heading', { name: "Alex's answers" })).toBeVisible();
  await expect(sam.page.getByText('Put the phone away at dinner')).toBeVisible();
  await openStep(alex.page, 'Read', step1);
  await expect(alex.page.getByText('Hold me for a while when we get home')).toBeVisible();

  // Step 2 is open for both.
  for (const partner of [alex, sam]) {
    await partner.page.goto('/homework');
    await expect(partner.page.getByRole('link', { name: 'Start: Step 2 – Talk it through together' })).toBeVisible();
  }

  // The caseload counts what waits for review.
  await page.getByRole('link', { name: 'Caseload' }).click();
  const row = page.getByRole('row', { name: /Alex & Sam/ });
  await expect(row).toContainText('Baby Steps: step 2');
  await expect(row).toContainText('2 to review');

  // Side by side review, a comment to Alex only, marked reviewed.
  await row.getByRole('link', { name: 'Alex & Sam' }).click();
  await page.getByRole('link', { name: `Review ${step1}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: step1 })).toBeVisible();
  await waitForHydration(page);
  const behaviours = page.getByRole('row', { name: /List specific things your partner could do/ });
  await expect(behaviours).toContainText('Put the phone away at dinner');
  await expect(behaviours).toContainText('Hold me for a while when we get home');
  await expect(page.getByRole('row', { name: /What does emotional connection mean/ })).toContainText('Not asked');
  const whole = page.getByRole('row', { name: /The whole exercise/ });
  await whole.getByText('Comment to Alex', { exact: true }).click();
  await whole.getByLabel('Comment to Alex on the whole exercise').fill('Lovely, concrete list. Bring it next week.');
  await whole.getByRole('button', { name: 'Send comment' }).first().click();
  await expect(whole.getByText('Lovely, concrete list. Bring it next week.')).toBeVisible();
  await page.getByRole('button', { name: "Mark Alex's answers reviewed" }).click();
  await expect(page.getByRole('button', { name: "Reopen Alex's answers for changes" })).toBeVisible();

  // Alex sees the comment (announced on the home page); Sam does not.
  await alex.page.goto('/homework');
  await expect(alex.page.getByText('1 new comment from your therapist')).toBeVisible();
  await openStep(alex.page, 'Read', step1);
  await expect(alex.page.getByText('Lovely, concrete list. Bring it next week.')).toBeVisible();
  await openStep(sam.page, 'Read', step1);
  await expect(sam.page.getByRole('heading', { name: "Alex's answers" })).toBeVisible();
  await expect(sam.page.getByText('Lovely, concrete list')).toHaveCount(0);

  await alex.context.close();
  await sam.context.close();
});

test('a draft edited in two tabs is never silently overwritten', async ({ page, browser }) => {
  await signUpTherapist(page, 'Dr Jo Park', uniqueEmail('park'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Two tabs');
  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await expect(page.getByRole('row', { name: /Step 1 – On your own/ })).toBeVisible();

  const step1 = 'Step 1 – On your own';
  await openStep(alex.page, 'Start', step1);
  const secondTab = await alex.context.newPage();
  await openStep(secondTab, 'Start', step1);
  const meaning = /What does emotional connection mean to you/;
  await alex.page.getByLabel(meaning).fill('Written in the first tab.');
  await saved(alex.page);
  await secondTab.getByLabel(meaning).fill('Written in the second tab.');
  await expect(secondTab.getByText(/changed somewhere else/)).toBeVisible();
  await secondTab.getByRole('button', { name: 'Load the latest version' }).click();
  await expect(secondTab.getByLabel(meaning)).toHaveValue('Written in the first tab.');
  // The second tab's text is still on screen, so nothing is lost.
  await expect(secondTab.getByText('Written in the second tab.')).toBeVisible();

  await alex.context.close();
  await sam.context.close();
});
