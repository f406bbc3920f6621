import { test, expect } from '@playwright/test';
import {
  coupleWhoJoined,
  emailWithSubject,
  nextYear,
  openCaseTab,
  signUpTherapist,
  uniqueEmail,
  waitForHydration,
} from './helpers';

test('the therapist records a session with a note and schedules the next one', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signUpTherapist(page, 'Dr Lena Ortiz', uniqueEmail('ortiz'));
  const { emails } = await coupleWhoJoined(page, browser, 'Alex & Sam');
  await waitForHydration(page);
  // Sessions and their notes are on the case's Notes tab.
  await openCaseTab(page, 'Notes');

  const sessions = page.getByRole('region', { name: 'Sessions' });
  await expect(sessions.getByText('No sessions recorded yet.')).toBeVisible();
  await sessions.getByText('Record a session').click();
  await sessions.getByLabel('Date and time').first().fill('2025-03-04T10:00');
  await sessions.getByLabel('Length in minutes').first().fill('50');
  await sessions.getByLabel('Who attends').first().selectOption('both');
  await sessions.getByLabel('Note (free text)').fill('We talked about evenings together.');
  await sessions.getByRole('button', { name: 'Record the session' }).click();
  await expect(sessions.getByText('Session recorded.')).toBeVisible();
  await expect(sessions.getByText('We talked about evenings together.')).toBeVisible();

  const next = nextYear(3, 11, '09:30');
  await sessions.getByText('Schedule the next session').click();
  await sessions.getByLabel('Date and time').last().fill(next.input);
  await sessions.getByRole('button', { name: 'Schedule the session' }).click();
  await expect(sessions.getByText(/Scheduled\. The partners who joined get a calendar invitation\./)).toBeVisible();
  await expect(sessions.getByRole('listitem').filter({ hasText: 'Scheduled' }).first()).toBeVisible();

  // The invitation is neutral: it says when, never what was discussed.
  const invitation = await emailWithSubject(emails.Alex, /^Booked: /);
  expect(invitation.text).not.toContain('evenings');

  // The summary page opens from the case and shows the note.
  await sessions.getByRole('link', { name: 'Session summary (printable)' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Session summary/ })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Last session note' })).toContainText('We talked about evenings together.');
});
