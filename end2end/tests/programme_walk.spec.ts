import { test, expect, type Page } from '@playwright/test';
import {
  askForOneMoreConversation,
  bothConfirmThePact,
  coupleWhoJoined,
  markConversationHeldAndRevisit,
  openCaseTab,
  signUpTherapist,
  uniqueEmail,
  waitForHydration,
} from './helpers';

// Issue 13: on phone-sized screens, two partners walk the whole programme in order, from
// step 1 to a confirmed pact, without the therapist opening any step early: a wish is
// clarified and reworded, a too-big wish gets a smaller offer that is accepted, a yes is
// taken back, both practise and check in, one more conversation is asked for and held,
// a revisit date is set, and the caseload then shows the gap between the partners.
const PHONE = { width: 390, height: 844 };

/** Opens a step from the partner's home and waits for its sheet. */
async function openStep(page: Page, title: string) {
  await page.goto('/homework');
  await page.getByRole('link', { name: `Start: ${title}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await waitForHydration(page);
}

/** Step 1: the meaning question and a list of behaviours, submitted and shared. */
async function doStep1(page: Page, meaning: RegExp, behaviours: [string, string][], partner: string) {
  await openStep(page, 'Step 1 – On your own');
  await page.getByLabel(meaning).fill('Feeling that we are on the same side.');
  const list = page.getByRole('group', { name: /List specific things your partner could do/ });
  for (const [index, [kind, text]] of behaviours.entries()) {
    await list.getByRole('button', { name: 'Add an item' }).click();
    await list.getByLabel(`Item ${index + 1}`, { exact: true }).fill(text);
    await list.getByLabel(`Kind of item ${index + 1}`).selectOption(kind);
  }
  await expect(page.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Submit to my therapist' }).click();
  await page.getByRole('button', { name: `Share with ${partner}` }).click();
  await expect(page.getByText(/You have shared|You shared your answers/)).toBeVisible();
}

/** Step 2: after talking, what the partner learned (the one required answer), submitted. */
async function doStep2(page: Page) {
  await openStep(page, 'Step 2 – Talk it through together');
  await page.getByLabel(/What did you learn about your partner/).fill('How tired evenings make us both.');
  await expect(page.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Submit to my therapist' }).click();
  await expect(page.getByText(/Submitted/).first()).toBeVisible();
}

/** Answers a wish on the wishes page: `yes`, or a smaller step with its words. */
async function answerWish(page: Page, wish: string, smaller?: string) {
  const item = page.getByRole('listitem').filter({ hasText: wish }).first();
  if (smaller) {
    await item.getByLabel('Not yet, but I am willing to do a smaller step').check();
    await item.getByLabel('The smaller step (if you offer one)').fill(smaller);
  } else {
    await item.getByLabel('Yes, I can do this').check();
  }
  await item.getByLabel('How easy does giving this feel?').selectOption('4');
  await item.getByRole('button', { name: 'Send answer' }).click();
}

/** This week's check-in, ratings shared with the partner. */
async function checkIn(page: Page, other: string, emotional: string, physical: string) {
  await page.goto('/check-in');
  await waitForHydration(page);
  await page.getByRole('group', { name: 'Did you do your part?' }).getByLabel('Done').check();
  await page.getByRole('group', { name: /Did you notice/ }).getByLabel('Partly').check();
  await page.getByLabel('How emotionally close did you feel? (0–10)').selectOption(emotional);
  await page.getByLabel('How physically close did you feel? (0–10)').selectOption(physical);
  await page.getByRole('button', { name: 'Save check-in' }).click();
  await expect(page.getByText('Check-in saved.')).toBeVisible();
  await page.getByRole('button', { name: `Share my closeness ratings with ${other}` }).click();
  await expect(page.getByRole('button', { name: `Stop sharing my ratings with ${other}` })).toBeVisible();
}

test('two partners walk the whole programme in order on their phones', async ({ page, browser }) => {
  test.setTimeout(240_000);
  await page.setViewportSize(PHONE);
  await signUpTherapist(page, 'Dr Maya Holt', uniqueEmail('holt'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Alex & Sam', PHONE);
  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await expect(page.getByRole('row', { name: /Step 1 – On your own/ })).toContainText('Alex: Not started');

  // Steps 1 and 2, each partner on their own phone.
  await doStep1(alex.page, /What does emotional connection mean to you/, [
    ['emotional', 'Be nicer'],
    ['emotional', 'Sit with me for an hour every evening and talk'],
  ], 'Sam');
  await doStep1(sam.page, /What do physical closeness and sexual intimacy mean to you/, [
    ['physical', 'Hold me when I get home'],
    ['physical', 'Dance with me in the kitchen'],
  ], 'Alex');
  await sam.page.goto('/wishes');
  await expect(sam.page.getByText(/Wishes open with step 3/)).toBeVisible();
  await doStep2(alex.page);
  await doStep2(sam.page);

  // Step 3 opened by itself. Sam asks what "Be nicer" means; Alex rewords it.
  await sam.page.goto('/wishes');
  await waitForHydration(sam.page);
  await sam.page.getByRole('listitem').filter({ hasText: 'Be nicer' }).getByRole('button', { name: 'What do you mean?' }).click();
  await expect(sam.page.getByText(/You asked Alex what this means/)).toBeVisible();
  await alex.page.goto('/wishes');
  await waitForHydration(alex.page);
  const vague = alex.page.getByRole('listitem').filter({ hasText: 'Be nicer' });
  await vague.getByLabel('Your wish, in other words').fill('Say one kind thing at breakfast');
  await vague.getByRole('button', { name: 'Reword' }).click();
  await expect(alex.page.getByText('Earlier wording: “Be nicer”')).toBeVisible();

  // Sam: yes to the reworded wish, and a smaller step for the hour-long talk.
  await sam.page.reload();
  await waitForHydration(sam.page);
  await answerWish(sam.page, 'Say one kind thing at breakfast');
  await answerWish(sam.page, 'Sit with me for an hour every evening and talk', 'Ten minutes of talk after dinner');
  await expect(sam.page.getByText('Smaller step: “Ten minutes of talk after dinner” — waiting for an answer')).toBeVisible();
  // Alex accepts it and says yes to both of Sam's wishes; step 4 then opens by itself.
  await alex.page.reload();
  await waitForHydration(alex.page);
  await alex.page.getByRole('button', { name: 'Accept this smaller step' }).click();
  await expect(alex.page.getByText('Smaller step: “Ten minutes of talk after dinner” — accepted')).toBeVisible();
  await answerWish(alex.page, 'Hold me when I get home');
  await answerWish(alex.page, 'Dance with me in the kitchen');
  await expect(alex.page.getByText('Alex gives, Sam receives · ease 4/5').first()).toBeVisible();

  // Step 4: each chooses something they give to practise, and checks in.
  await alex.page.reload();
  await waitForHydration(alex.page);
  await alex.page.getByRole('listitem').filter({ hasText: 'Hold me when I get home' }).getByRole('button', { name: 'Practise this' }).click();
  await expect(alex.page.getByText('practising, 1 a week')).toBeVisible();
  await sam.page.reload();
  await waitForHydration(sam.page);
  await sam.page.getByRole('button', { name: 'Practise this' }).first().click();
  await expect(sam.page.getByText(/practising, 1 a week/).first()).toBeVisible();
  await checkIn(alex.page, 'Sam', '6', '4');
  await checkIn(sam.page, 'Alex', '5', '8');

  // Alex takes back the yes to dancing, without a reason; Sam reads it kindly.
  await alex.page.goto('/wishes');
  await waitForHydration(alex.page);
  const dance = alex.page.getByRole('listitem').filter({ hasText: 'Dance with me in the kitchen' }).first();
  await dance.getByText('Change my yes').click();
  await dance.getByRole('button', { name: 'Take back my yes' }).click();
  await expect(alex.page.getByText('The yes was taken back for now')).toBeVisible();
  await sam.page.goto('/wishes');
  await expect(sam.page.getByText(/Your partner has taken back their yes to this for now/)).toBeVisible();

  // Step 5 opened by itself. Alex asks for one more conversation; the therapist marks it
  // held and sets a date to revisit the pact; then both confirm.
  await askForOneMoreConversation(alex.page, 'Keeping score about chores');
  await page.reload();
  await waitForHydration(page);
  await markConversationHeldAndRevisit(page);
  await bothConfirmThePact(alex.page, sam.page);

  // The caseload shows each partner's closeness and the gap between them.
  await page.goto('/caseload');
  const row = page.getByRole('row', { name: /Alex & Sam/ });
  await expect(row).toContainText('Gap, week of');
  await alex.context.close();
  await sam.context.close();
});
