import { test, expect } from '@playwright/test';
import {
  coupleWhoJoined,
  daytimeZone,
  emailsTo,
  emailWithSubject,
  nextYear,
  openCaseTab,
  signUpTherapist,
  uniqueEmail,
  waitForHydration,
} from './helpers';

test('a follow-up with proposed times reaches both partners, one time is chosen, reminders respect the choice', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await signUpTherapist(page, 'Dr Mia Hart', uniqueEmail('hart'));
  await page.getByRole('link', { name: 'Settings' }).click();
  await waitForHydration(page);
  await page.getByLabel('Practice name (optional)').fill('Hart Practice');
  // Clients' automatic emails wait out the quiet hours in the therapist's time zone: a zone
  // where it is daytime now lets "new homework" go out at once, whatever the hour.
  const zone = daytimeZone();
  await page.getByLabel('Time zone').fill(zone);
  await page.getByLabel('Booking link (optional)').fill('not a link');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Enter a web address starting with https://')).toBeVisible();
  await page.getByLabel('Booking link (optional)').fill('https://book.example.org/hart');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Time zone')).toHaveValue(zone);

  const { alex, sam, emails } = await coupleWhoJoined(page, browser, 'Alex & Sam');
  // Sam turns reminders off before anything is assigned.
  await sam.page.goto('/homework');
  await waitForHydration(sam.page);
  await sam.page.getByRole('button', { name: 'Turn reminders off' }).click();
  await expect(sam.page.getByText('Reminders are off.')).toBeVisible();

  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await expect(page.getByRole('row', { name: /Step 1 – On your own/ })).toBeVisible();
  // What the inbox shows is neutral: the subject and the first lines say nothing of treatment.
  const newHomework = await emailWithSubject(emails.Alex, /^Something new in Babysteps$/);
  expect(newHomework.text).toContain('Something new is waiting for you in Babysteps.');

  // Compose: an unknown placeholder shows in the preview and is refused on send.
  await waitForHydration(page);
  await openCaseTab(page, 'Messages');
  const composer = page.getByRole('form', { name: 'Follow-up email' });
  await expect(composer.getByLabel('Subject')).toHaveValue('Checking in with you');
  await composer.getByLabel('Message').fill('Hi {nickname}');
  await expect(composer.getByRole('region', { name: 'Preview' })).toContainText('Unknown placeholder {nickname}');
  await composer.getByRole('button', { name: 'Send follow-up' }).click();
  await expect(composer.getByText(/Unknown placeholder \{nickname\}/).first()).toBeVisible();

  await composer.getByLabel('Message').fill('Hello {first_name}. {progress_summary} Book here: {booking_link}');
  const preview = composer.getByRole('region', { name: 'Preview' });
  await expect(preview).toContainText('Hello Alex. You have 5 steps ahead of you. Book here: https://book.example.org/hart');
  // Proposed times must lie in the future: mid-January next year, whatever today is.
  const first = nextYear(1, 15, '10:00', zone);
  const second = nextYear(1, 16, '11:30', zone);
  await composer.getByLabel('Time 1').fill(first.input);
  await composer.getByLabel('Time 2').fill(second.input);
  await composer.getByRole('button', { name: 'Send follow-up' }).click();
  await expect(composer.getByText('Queued 2 emails to send now.')).toBeVisible();

  // Both partners get it (Sam too: reminders off never stops the therapist's own messages).
  const toAlex = await emailWithSubject(emails.Alex, /^Checking in with you$/);
  expect(toAlex.text).toContain('Hello Alex. You have 5 steps ahead of you. Book here: https://book.example.org/hart');
  const toSam = await emailWithSubject(emails.Sam, /^Checking in with you$/);
  expect(toSam.text).toContain('Hello Sam.');
  const links = (text: string): string[] => text.match(/https?:\/\/\S+\/consult\/\S+/g) ?? [];
  expect(links(toAlex.text)).toHaveLength(2);

  // Alex chooses the first time; the link works once; Sam's links now say a time is chosen.
  await alex.page.goto(links(toAlex.text)[0]);
  await expect(alex.page.getByText(`Dr Mia Hart proposed ${first.long}`)).toBeVisible();
  await waitForHydration(alex.page);
  await alex.page.getByRole('button', { name: 'Confirm this time' }).click();
  await expect(alex.page.getByText(`Thank you. You chose ${first.long}`)).toBeVisible();
  await sam.page.goto(links(toSam.text)[1]);
  await expect(sam.page.getByText(/A time has already been chosen/)).toBeVisible();
  await alex.page.goto(`${links(toAlex.text)[0]}x`);
  await expect(alex.page.getByText('This link is not valid.')).toBeVisible();

  // Both get a calendar invitation; the therapist is told and sees the choice.
  await emailWithSubject(emails.Alex, /^Booked: /);
  await emailWithSubject(emails.Sam, /^Booked: /);
  await page.reload();
  await expect(page.getByText(`${first.short} — chosen by Alex`)).toBeVisible();

  // Sam, with reminders off, was never told about the new homework; Alex was.
  const samTexts = (await emailsTo(emails.Sam)).map((email) => email.text);
  expect(samTexts.filter((text) => text.includes('Something new is waiting for you'))).toHaveLength(0);
  await alex.context.close();
  await sam.context.close();
});

test('a one-partner consultation reaches only that partner\'s inbox', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signUpTherapist(page, 'Dr Noor Vale', uniqueEmail('vale'));
  const { alex, sam, emails } = await coupleWhoJoined(page, browser, 'Alex & Sam (one partner)');
  await waitForHydration(page);
  await openCaseTab(page, 'Messages');
  const composer = page.getByRole('form', { name: 'Follow-up email' });
  await composer.getByLabel('To', { exact: true }).selectOption({ label: 'Alex only' });
  const time = nextYear(2, 3, '09:00');
  await composer.getByLabel('Time 1').fill(time.input);
  await composer.getByRole('button', { name: 'Send follow-up' }).click();
  await expect(composer.getByText('Queued 1 email to send now.')).toBeVisible();

  const toAlex = await emailWithSubject(emails.Alex, /^Checking in with you$/);
  const link = toAlex.text.match(/https?:\/\/\S+\/consult\/\S+/)?.[0];
  expect(link).toBeTruthy();
  await alex.page.goto(link!);
  await waitForHydration(alex.page);
  await alex.page.getByRole('button', { name: 'Confirm this time' }).click();
  await expect(alex.page.getByText(`Thank you. You chose ${time.long}`)).toBeVisible();
  await emailWithSubject(emails.Alex, /^Booked: /);
  await page.reload();
  await expect(page.getByText(`${time.short} — chosen by Alex`)).toBeVisible();

  // Alex's confirmation and Sam's (absent) one are queued together, so by now Sam's inbox
  // would hold it: it holds only the invitation.
  const samSubjects = (await emailsTo(emails.Sam)).map((email) => email.subject);
  expect(samSubjects).toEqual(['Your invitation to Babysteps']);
  await alex.context.close();
  await sam.context.close();
});
