import { test, expect } from '@playwright/test';
import {
  coupleWhoJoined,
  emailWithSubject,
  openCaseTab,
  signUpTherapist,
  uniqueEmail,
  waitForHydration,
} from './helpers';

/**
 * The calendar invitation in an email, read from the raw message maildev kept (the
 * `text/calendar` part, decoded when it travelled as base64).
 */
async function calendarOf(email: { id: string }): Promise<string> {
  const response = await fetch(`${process.env.E2E_MAIL_API}/api/email/${email.id}/source`);
  expect(response.ok).toBeTruthy();
  const source = await response.text();
  const part = source.match(/Content-Type: text\/calendar[^]*?\r?\n\r?\n([^]*?)(\r?\n--|$)/i);
  expect(part, 'a text/calendar part').toBeTruthy();
  const body = part![1].trim();
  return body.includes('BEGIN:VCALENDAR') ? body : Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
}

// Times are entered and read in the therapist's zone. 1 December 2099 is a Tuesday, far
// enough away never to be "in the past", and Chicago is on standard time then (UTC−6), so
// 18:00 there is 00:00 UTC on 2 December.
test('a consultation proposed at 18:00 in Chicago reaches the partner at 18:00 Chicago time', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await signUpTherapist(page, 'Dr Lena Ortiz', uniqueEmail('ortiz'));
  await page.getByRole('link', { name: 'Settings' }).click();
  await waitForHydration(page);
  await page.getByLabel('Time zone').fill('America/Chicago');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();

  const { alex, sam, emails } = await coupleWhoJoined(page, browser, 'Alex & Sam (Chicago)');
  await waitForHydration(page);
  await openCaseTab(page, 'Messages');
  const composer = page.getByRole('form', { name: 'Follow-up email' });
  // The zone is named beside the fields.
  await expect(composer.getByText('Propose consultation times (optional, up to three, America/Chicago)')).toBeVisible();
  await expect(composer.getByLabel(/Send at \(optional, America\/Chicago/)).toBeVisible();
  await composer.getByLabel('To', { exact: true }).selectOption({ label: 'Alex only' });
  // A time inside the spring-forward gap is refused at the field.
  await composer.getByLabel('Time 1').fill('2099-03-08T02:30');
  await composer.getByRole('button', { name: 'Send follow-up' }).click();
  await expect(composer.getByText(/02:30 on 8 March 2099 does not exist in America\/Chicago/)).toBeVisible();

  await composer.getByLabel('Time 1').fill('2099-12-01T18:00');
  await composer.getByRole('button', { name: 'Send follow-up' }).click();
  await expect(composer.getByText('Queued 1 email to send now.')).toBeVisible();

  const when = 'Tuesday 1 December 2099, 18:00 CST (America/Chicago)';
  const toAlex = await emailWithSubject(emails.Alex, /^Checking in with you$/);
  expect(toAlex.text).toContain(when);
  const link = toAlex.text.match(/https?:\/\/\S+\/consult\/\S+/)?.[0];
  expect(link).toBeTruthy();
  await alex.page.goto(link!);
  await expect(alex.page.getByText(`Dr Lena Ortiz proposed ${when}.`)).toBeVisible();
  await waitForHydration(alex.page);
  await alex.page.getByRole('button', { name: 'Confirm this time' }).click();
  await expect(alex.page.getByText(`Thank you. You chose ${when}`)).toBeVisible();

  // The calendar invitation names the same moment: 00:00 UTC on 2 December.
  const booked = await emailWithSubject(emails.Alex, /^Booked: /);
  expect(booked.subject).toBe(`Booked: ${when}`);
  const ics = await calendarOf(booked);
  expect(ics).toContain('DTSTART:20991202T000000Z');

  // The therapist reads the choice in Chicago time, and finds it under What's new.
  await page.reload();
  await expect(page.getByText('1 Dec 2099, 18:00 CST — chosen by Alex')).toBeVisible();
  await page.getByRole('link', { name: 'Caseload' }).click();
  await page.getByRole('link', { name: /^What's new: \d+$/ }).click();
  await expect(page.getByRole('link', { name: 'Alex chose a consultation time' })).toBeVisible();
  await alex.context.close();
  await sam.context.close();
});
