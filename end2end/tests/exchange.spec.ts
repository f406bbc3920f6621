import { test, expect, type Page } from '@playwright/test';
import {
  bothConfirmThePact,
  coupleWhoJoined,
  emailWithSubject,
  openCaseTab,
  shareStep1,
  signUpTherapist,
  uniqueEmail,
  waitForHydration,
} from './helpers';

/** Saves a check-in for the week starting `week` (a Monday, as the week list's values are). */
async function checkIn(page: Page, week: string, emotional: string, physical: string) {
  await page.getByLabel('Week', { exact: true }).selectOption(week);
  await page.getByRole('group', { name: 'Did you do your part?' }).getByLabel('Done').check();
  await page.getByRole('group', { name: /Did you notice/ }).getByLabel('Partly').check();
  await page.getByLabel('How emotionally close did you feel? (0–10)').selectOption(emotional);
  await page.getByLabel('How physically close did you feel? (0–10)').selectOption(physical);
  await page.getByRole('button', { name: 'Save check-in' }).click();
  await expect(page.getByText('Check-in saved.')).toBeVisible();
}

/** The therapist, on the case page, opens locked steps early. */
async function openStepsEarly(page: Page, steps: number[]) {
  await page.reload();
  await waitForHydration(page);
  for (const step of steps) {
    await page.getByRole('button', { name: `Open step ${step} now` }).click();
    await expect(page.getByRole('button', { name: `Open step ${step} now` })).toHaveCount(0);
  }
}

test('a wish becomes a smaller step, an agreement, two weeks of check-ins and the pact', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const therapistEmail = uniqueEmail('stone');
  await signUpTherapist(page, 'Dr Eve Stone', therapistEmail);
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Alex & Sam');
  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await expect(page.getByRole('row', { name: /Step 1 – On your own/ })).toBeVisible();

  await shareStep1(alex.page, /What does emotional connection mean to you/, 'Being heard.', 'Ask about my day and really listen', 'Sam');
  await shareStep1(sam.page, /What do physical closeness and sexual intimacy mean to you/, 'Feeling wanted.', 'Hold me when I get home', 'Alex');

  // The wishes open with step 3; until then the page says what comes first. Here the
  // therapist opens steps 3 to 5 early from the case page.
  await sam.page.goto('/wishes');
  await expect(sam.page.getByText(/Wishes open with step 3/)).toBeVisible();
  await openStepsEarly(page, [3, 4, 5]);

  // Sam: "not yet", with a smaller step.
  await sam.page.goto('/wishes');
  await waitForHydration(sam.page);
  const alexWish = sam.page.getByRole('listitem').filter({ hasText: 'Ask about my day and really listen' });
  await alexWish.getByLabel('Not yet, but I am willing to do a smaller step').check();
  await alexWish.getByLabel('The smaller step (if you offer one)').fill('Ask one question at dinner');
  await alexWish.getByLabel('How easy does giving this feel?').selectOption('4');
  await alexWish.getByRole('button', { name: 'Send answer' }).click();
  await expect(sam.page.getByText('Smaller step: “Ask one question at dinner” — waiting for an answer')).toBeVisible();

  // Alex accepts it, and says yes to Sam's wish.
  await alex.page.goto('/wishes');
  await waitForHydration(alex.page);
  await expect(alex.page.getByText('Sam offered a smaller step')).toBeVisible();
  await alex.page.getByRole('button', { name: 'Accept this smaller step' }).click();
  await expect(alex.page.getByText('Smaller step: “Ask one question at dinner” — accepted')).toBeVisible();
  const samWish = alex.page.getByRole('listitem').filter({ hasText: 'Hold me when I get home' });
  await samWish.getByLabel('Yes, I can do this').check();
  await samWish.getByLabel('How easy does giving this feel?').selectOption('5');
  await samWish.getByRole('button', { name: 'Send answer' }).click();
  await expect(alex.page.getByText('Alex gives, Sam receives · ease 5/5')).toBeVisible();
  // Each chooses one of the things they give to practise.
  await alex.page.getByRole('button', { name: 'Practise this' }).click();
  await expect(alex.page.getByText('practising, 1 a week')).toBeVisible();
  await sam.page.reload();
  await waitForHydration(sam.page);
  await sam.page.getByLabel('Times a week').selectOption('2');
  await sam.page.getByRole('button', { name: 'Practise this' }).click();
  await expect(sam.page.getByText('Sam gives, Alex receives · ease 4/5 · practising, 2 a week')).toBeVisible();

  // Two weekly check-ins each, ratings shared by both. Both use the weeks Alex's page offers
  // (this week and last), so a new week starting half-way through changes nothing.
  await alex.page.goto('/check-in');
  const weekList = alex.page.getByLabel('Week', { exact: true }).locator('option');
  await expect(weekList).toHaveCount(5);
  const [thisWeek, lastWeek] = await weekList.evaluateAll((options) =>
    options.slice(0, 2).map((option) => (option as HTMLOptionElement).value),
  );
  for (const [partner, other, values] of [
    [alex, 'Sam', [['4', '3'], ['6', '5']]],
    [sam, 'Alex', [['5', '6'], ['7', '7']]],
  ] as const) {
    await partner.page.goto('/check-in');
    await waitForHydration(partner.page);
    await checkIn(partner.page, lastWeek, values[0][0], values[0][1]);
    await checkIn(partner.page, thisWeek, values[1][0], values[1][1]);
    await partner.page.getByRole('button', { name: `Share my closeness ratings with ${other}` }).click();
    await expect(partner.page.getByRole('button', { name: `Stop sharing my ratings with ${other}` })).toBeVisible();
  }
  await alex.page.reload();
  const chart = alex.page.getByRole('img', { name: 'Closeness over the weeks: you and Sam' });
  await expect(chart).toBeVisible();
  await expect(chart.locator('circle[data-series="Alex – emotional"]')).toHaveCount(2);
  await expect(chart.locator('circle[data-series="Sam – physical"]')).toHaveCount(2);

  // Step 5: both confirm; the therapist is told by email.
  await bothConfirmThePact(alex.page, sam.page);
  const update = await emailWithSubject(therapistEmail, /^An update on one of your cases$/);
  expect(update.text).not.toContain('holidays');

  // A private note, marked urgent, reaches the therapist only; the therapist is emailed at
  // once, without its words.
  await alex.page.goto('/private-note');
  await waitForHydration(alex.page);
  await expect(alex.page.getByRole('complementary', { name: 'If you need help now' })).toContainText(
    'If you are in danger, call your local emergency number.',
  );
  await alex.page.getByLabel('Your message').fill('I would like a session on my own.');
  await alex.page.getByLabel('This is urgent').check();
  await alex.page.getByRole('button', { name: 'Send to my therapist' }).click();
  await expect(alex.page.getByText('Sent. Only your therapist will read it.')).toBeVisible();
  await expect(alex.page.getByText(/Not read yet/)).toBeVisible();
  await sam.page.goto('/private-note');
  await expect(sam.page.getByRole('heading', { name: 'A private note to your therapist' })).toBeVisible();
  await expect(sam.page.getByText('I would like a session on my own.')).toHaveCount(0);
  const notice = await emailWithSubject(therapistEmail, /^You have a new message in Babysteps$/);
  expect(notice.text).not.toContain('session on my own');

  await page.getByRole('link', { name: 'Caseload' }).click();
  await expect(page.getByRole('region', { name: 'Urgent' }).getByRole('link', { name: 'Alex & Sam' })).toBeVisible();
  const row = page.getByRole('row', { name: /Alex & Sam/ });
  await expect(row).toContainText('1 private note');
  await expect(row).toContainText('Urgent');
  await expect(row.getByRole('img', { name: /Closeness over 2 weeks/ })).toBeVisible();
  await expect(row).toContainText('Gap, week of');
  await row.getByRole('link', { name: 'Alex & Sam' }).click();
  await expect(page.getByRole('region', { name: 'Needs you now' })).toContainText('Alex marked a private note urgent');
  await openCaseTab(page, 'Notes');
  await expect(page.getByRole('heading', { name: 'Private notes (1 new)' })).toBeVisible();
  // Loading the page did not open the note; opening it does, and Alex sees when.
  await expect(page.getByText('I would like a session on my own.')).toHaveCount(0);
  await page.getByRole('button', { name: /Open note from Alex/ }).click();
  await expect(page.getByText('I would like a session on my own.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Private notes', exact: true })).toBeVisible();
  await page.getByLabel('Reply to Alex').fill('Of course. Let us find a time this week.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await expect(page.getByText('Of course. Let us find a time this week.')).toBeVisible();
  await alex.page.reload();
  await expect(alex.page.getByText(/· Read /)).toBeVisible();
  await expect(alex.page.getByText('Of course. Let us find a time this week.')).toBeVisible();
  await sam.page.reload();
  await expect(sam.page.getByText('Of course. Let us find a time this week.')).toHaveCount(0);
  await openCaseTab(page, 'Together');
  await expect(page.getByText(/Both partners confirmed the pact on/)).toBeVisible();
  const caseChart = page.getByRole('img', { name: 'Closeness over the weeks, both partners' });
  await expect(caseChart.locator('circle')).toHaveCount(8);

  await alex.context.close();
  await sam.context.close();
});

test('a yes can be taken back without a reason, and the wisher is told kindly', async ({ page, browser }) => {
  test.setTimeout(90_000);
  await signUpTherapist(page, 'Dr Ines Moreau', uniqueEmail('moreau'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Alex & Sam');
  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await expect(page.getByRole('row', { name: /Step 1 – On your own/ })).toBeVisible();
  await shareStep1(alex.page, /What does emotional connection mean to you/, 'Being heard.', 'Ask about my day', 'Sam');
  await shareStep1(sam.page, /What do physical closeness and sexual intimacy mean to you/, 'Feeling wanted.', 'Hold me when I get home', 'Alex');
  await openStepsEarly(page, [3, 4]);

  // Alex says yes to Sam's wish and practises it; the page says a yes can be taken back.
  await alex.page.goto('/wishes');
  await waitForHydration(alex.page);
  await expect(alex.page.getByText(/Nobody owes their partner touch or sex/)).toBeVisible();
  const samWish = alex.page.getByRole('listitem').filter({ hasText: 'Hold me when I get home' });
  await samWish.getByLabel('Yes, I can do this').check();
  await samWish.getByLabel('How easy does giving this feel?').selectOption('4');
  await samWish.getByRole('button', { name: 'Send answer' }).click();
  await alex.page.getByRole('button', { name: 'Practise this' }).click();
  await expect(alex.page.getByText('practising, 1 a week')).toBeVisible();

  // Alex takes the yes back, giving no reason: it leaves what Alex gives.
  const agreed = alex.page.getByRole('listitem').filter({ hasText: 'Hold me when I get home' }).first();
  await agreed.getByText('Change my yes').click();
  await agreed.getByRole('button', { name: 'Take back my yes' }).click();
  await expect(alex.page.getByText('The yes was taken back for now')).toBeVisible();
  await expect(alex.page.getByText('practising, 1 a week')).toHaveCount(0);
  await expect(alex.page.getByText(/Alex gives, Sam receives/)).toHaveCount(0);

  // Sam reads a kind sentence, not a verdict.
  await sam.page.goto('/wishes');
  await expect(sam.page.getByText(/Your partner has taken back their yes to this for now/)).toBeVisible();

  await alex.context.close();
  await sam.context.close();
});
