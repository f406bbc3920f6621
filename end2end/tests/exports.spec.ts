import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import { coupleWhoJoined, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

/** True when the file is a ZIP archive (its first bytes are a local file header). */
function isZip(path: string): boolean {
  const head = fs.readFileSync(path).subarray(0, 4);
  return head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
}

test("the therapist downloads a case's record, and a client downloads their own", async ({ page, browser }) => {
  await signUpTherapist(page, 'Dr Mira Okafor', uniqueEmail('okafor'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Export couple');

  // From the case page.
  await waitForHydration(page);
  let downloading = page.waitForEvent('download');
  await page.getByRole('main').getByRole('link', { name: 'Download the case record (ZIP)' }).click();
  let download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^babysteps-case-\d+-\d{4}-\d{2}-\d{2}\.zip$/);
  expect(isZip(await download.path())).toBe(true);

  // From the case's records, where the export itself is now listed.
  await page.getByRole('main').getByRole('link', { name: 'Records', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Records: Export couple' })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByRole('row').filter({ hasText: 'case: exported' })).toHaveCount(1);
  downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the case record (ZIP)' }).click();
  download = await downloading;
  expect(isZip(await download.path())).toBe(true);

  // A client downloads their own record from My writing.
  await alex.page.goto('/homework');
  await alex.page.getByRole('link', { name: 'Download your own writing' }).first().click();
  await expect(alex.page.getByRole('heading', { name: 'My writing', exact: true })).toBeVisible();
  await waitForHydration(alex.page);
  downloading = alex.page.waitForEvent('download');
  await alex.page.getByRole('link', { name: 'Download my record (ZIP)' }).click();
  download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^babysteps-alex-\d{4}-\d{2}-\d{2}\.zip$/);
  expect(isZip(await download.path())).toBe(true);

  // The therapist sees Alex's download in the records.
  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: 'own writing: exported' })).toHaveCount(1);

  await alex.context.close();
  await sam.context.close();
});
