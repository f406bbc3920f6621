import { test, expect, type Page } from '@playwright/test';
import { coupleWhoJoined, openCaseTab, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

const STEP_1 = 'Step 1 – On your own';

/** Opens step 1 from "My homework" and waits until the sheet is interactive. */
async function openStep1(page: Page, action: 'Start' | 'Continue' | 'Read'): Promise<void> {
  await page.goto('/homework');
  await page.getByRole('link', { name: `${action}: ${STEP_1}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: STEP_1 })).toBeVisible();
  await waitForHydration(page);
}

/** Fills step 1 (the first question the partner is asked, and one behaviour), submits and shares. */
async function submitAndShare(page: Page, meaning: RegExp, text: string, partner: string): Promise<void> {
  await openStep1(page, 'Start');
  await page.getByLabel(meaning).fill(text);
  const list = page.getByRole('group', { name: /List specific things your partner could do/ });
  await list.getByRole('button', { name: 'Add an item' }).click();
  await list.getByLabel('Item 1', { exact: true }).fill(`${text} — a behaviour`);
  await expect(page.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Submit to my therapist' }).click();
  await expect(page.getByText('Submitted. Your therapist will read it.')).toBeVisible();
  await page.getByRole('button', { name: `Share with ${partner}` }).click();
}

test('after a reopen, the other partner keeps seeing the shared version until it is shared again', async ({
  page,
  browser,
}) => {
  await signUpTherapist(page, 'Dr Noor Bakker', uniqueEmail('bakker'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Reopen couple');
  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await expect(page.getByRole('row', { name: /Step 1 – On your own/ })).toContainText('Alex: Not started');

  await submitAndShare(alex.page, /What does emotional connection mean to you/, 'Shared words from Alex', 'Sam');
  await submitAndShare(sam.page, /What do physical closeness and sexual intimacy mean to you/, 'Words from Sam', 'Alex');
  await expect(sam.page.getByText('Shared words from Alex', { exact: true })).toBeVisible();

  // The therapist reopens Alex's shared answers; the review page says what that does.
  await page.getByRole('link', { name: `Review ${STEP_1}` }).click();
  await waitForHydration(page);
  await expect(page.getByText(/Their partner keeps seeing only the version Alex already shared/)).toBeVisible();
  await page.getByRole('button', { name: "Reopen Alex's answers for changes" }).click();
  await expect(page.getByRole('button', { name: "Mark Alex's answers reviewed" })).toHaveCount(0);

  // Alex edits the draft; Alex's sheet says which version Sam sees.
  await openStep1(alex.page, 'Continue');
  await alex.page.getByLabel(/What does emotional connection mean to you/).fill('A new draft Sam must not see');
  await expect(alex.page.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();
  await expect(alex.page.getByText(/Sam still sees the version you shared before/)).toBeVisible();

  // Sam still reads the shared version, never the draft.
  await openStep1(sam.page, 'Read');
  await expect(sam.page.getByText('Shared words from Alex', { exact: true })).toBeVisible();
  await expect(sam.page.getByText('A new draft Sam must not see')).toHaveCount(0);

  // Submitted and shared again: now Sam sees the new words.
  await alex.page.getByRole('button', { name: 'Submit to my therapist' }).click();
  await alex.page.getByRole('button', { name: 'Share with Sam' }).click();
  await expect(alex.page.getByText('You shared your answers with Sam.')).toBeVisible();
  await openStep1(sam.page, 'Read');
  await expect(sam.page.getByText('A new draft Sam must not see', { exact: true })).toBeVisible();

  await alex.context.close();
  await sam.context.close();
});

test('a removed partner is signed out at once and keeps only a private note and their own writing', async ({
  page,
  browser,
}) => {
  await signUpTherapist(page, 'Dr Ola Berg', uniqueEmail('berg'));
  const { alex, sam, emails } = await coupleWhoJoined(page, browser, 'Separating couple');
  await alex.page.goto('/private-note');
  await waitForHydration(alex.page);
  await alex.page.getByLabel('Your message').fill('We have decided to separate.');
  await alex.page.getByRole('button', { name: 'Send to my therapist' }).click();
  await expect(alex.page.getByText('We have decided to separate.')).toBeVisible();

  // The therapist removes Alex, after reading what that means.
  await page.reload();
  await waitForHydration(page);
  const alexCard = page.getByRole('region', { name: 'Alex' });
  await alexCard.getByText('Remove Alex from this case…').click();
  await expect(alexCard.getByText(/Alex's access ends at once/)).toBeVisible();
  await alexCard.getByRole('button', { name: 'Remove Alex now' }).click();
  await expect(alexCard.getByText('Removed from the case')).toBeVisible();

  // Alex's open session has ended: the next page asks them to sign in.
  await alex.page.goto('/wishes');
  await expect(alex.page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await alex.page.getByLabel('Email').fill(emails.Alex);
  await alex.page.getByLabel('Password').fill('a calm and quiet river');
  await alex.page.getByRole('button', { name: 'Sign in' }).click();
  await expect(alex.page.getByText(/Your therapist has ended your access to this case/)).toBeVisible();
  await alex.page.goto('/homework');
  await expect(alex.page.getByText(/Your therapist has ended your access to this case/)).toBeVisible();
  await alex.page.getByRole('link', { name: 'Download your own writing' }).click();
  await expect(alex.page.getByRole('heading', { name: 'My writing', exact: true })).toBeVisible();
  await expect(alex.page.getByText(/We have decided to separate\./)).toBeVisible();
  await expect(alex.page.getByRole('link', { name: 'Download my record (ZIP)' })).toBeVisible();

  // Sam keeps working.
  await sam.page.goto('/homework');
  await expect(sam.page.getByRole('heading', { name: 'My homework' })).toBeVisible();

  await alex.context.close();
  await sam.context.close();
});
