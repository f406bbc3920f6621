import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import { coupleWhoJoined, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

const CSV_HEADER =
  'occurred_at_utc,actor,action,outcome,case,partner,record_type,record_id,client_address,session_ref,entry_id';

test("the therapist opens a case's records, filters them by partner and downloads them as CSV", async ({
  page,
  browser,
}) => {
  await signUpTherapist(page, 'Dr Lena Fischer', uniqueEmail('fischer'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Records couple');
  // Each partner opens their private notes: one audited read each.
  for (const partner of [alex, sam]) {
    await partner.page.goto('/private-note');
    await waitForHydration(partner.page);
  }

  // From the case page to its records.
  await page.getByRole('main').getByRole('link', { name: 'Records', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Records: Records couple' })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByRole('row').filter({ hasText: 'private notes: viewed' })).toHaveCount(2);

  // Only Alex's entries.
  await page.getByLabel('Partner').selectOption({ label: 'Alex' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/partner=\d+/);
  const viewed = page.getByRole('row').filter({ hasText: 'private notes: viewed' });
  await expect(viewed).toHaveCount(1);
  await expect(viewed).toContainText('Alex');
  await expect(page.getByRole('cell', { name: 'Sam', exact: true })).toHaveCount(0);

  // The CSV holds the same entries, with a header row.
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^audit-case-\d+-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = fs.readFileSync(await download.path(), 'utf8');
  const lines = text.split('\r\n');
  expect(lines[0]).toBe(CSV_HEADER);
  expect(lines.filter((line) => line.includes('private notes: viewed'))).toHaveLength(1);
  expect(lines.some((line) => line.includes(',Sam,'))).toBe(false);

  // The download itself is in the records (the therapist's own entry, so the case view
  // without a partner filter shows it).
  await page.goto(page.url().replace(/\?.*$/, ''));
  await expect(page.getByRole('row').filter({ hasText: 'audit: exported' })).toHaveCount(1);
});
