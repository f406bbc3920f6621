import { test, expect } from '@playwright/test';
import { PASSWORD, emailTo, linkIn, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

test('a therapist creates a case, invites both partners, and both join', async ({ page, browser }) => {
  const therapistEmail = uniqueEmail('ruiz');
  const alexEmail = uniqueEmail('alex');
  const samEmail = uniqueEmail('sam');
  await signUpTherapist(page, 'Dr Ana Ruiz', therapistEmail);

  // A new therapist is told what to do first.
  await expect(page.getByRole('heading', { name: 'Add your first couple' })).toBeVisible();
  await page.getByRole('link', { name: 'Create a case' }).click();
  await expect(page.getByRole('heading', { name: 'New case' })).toBeVisible();
  await waitForHydration(page);

  await page.getByLabel('Case name').fill('Alex & Sam');
  await page.getByLabel('Confidentiality policy').selectOption('limited_secrets');
  const partnerA = page.getByRole('group', { name: 'Partner A' });
  await partnerA.getByLabel('First name').fill('Alex');
  await partnerA.getByLabel('Email').fill(alexEmail);
  await partnerA.getByLabel('Seeks more of').selectOption('emotional');
  const partnerB = page.getByRole('group', { name: 'Partner B' });
  await partnerB.getByLabel('First name').fill('Sam');
  await partnerB.getByLabel('Pronouns (optional)').fill('they/them');
  // The same email twice is refused at the field.
  await partnerB.getByLabel('Email').fill(alexEmail);
  await partnerB.getByLabel('Seeks more of').selectOption('physical');
  await page.getByRole('button', { name: 'Create case' }).click();
  await expect(page.getByText('Each partner needs their own email address.')).toBeVisible();
  await expect(partnerB.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');

  await partnerB.getByLabel('Email').fill(samEmail);
  await page.getByRole('button', { name: 'Create case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alex & Sam' })).toBeVisible();

  await page.getByRole('button', { name: 'Invite Alex' }).click();
  await expect(page.getByRole('region', { name: 'Alex' }).getByText('Invited', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Invite Sam' }).click();
  await expect(page.getByRole('region', { name: 'Sam' }).getByText('Invited', { exact: true })).toBeVisible();

  for (const [name, address] of [['Alex', alexEmail], ['Sam', samEmail]] as const) {
    const email = await emailTo(address);
    expect(email.subject).toBe('Your invitation to Babysteps');
    expect(email.text).toContain('Dr Ana Ruiz has invited you');
    const partnerContext = await browser.newContext();
    const partnerPage = await partnerContext.newPage();
    await partnerPage.goto(linkIn(email));
    await expect(partnerPage.getByRole('heading', { name: `Welcome, ${name}` })).toBeVisible();
    await expect(partnerPage.getByRole('heading', { name: 'Confidentiality: Limited secrets' })).toBeVisible();
    await waitForHydration(partnerPage);
    await partnerPage.getByLabel('Choose a password').fill(PASSWORD);
    // Agreeing is required.
    await partnerPage.getByRole('button', { name: 'Join Babysteps' }).click();
    await expect(partnerPage.getByText('Please read and agree')).toBeVisible();
    await partnerPage.getByLabel(/I have read how my therapist handles confidentiality/).check();
    await partnerPage.getByRole('button', { name: 'Join Babysteps' }).click();
    await expect(partnerPage.getByRole('heading', { name: 'My homework' })).toBeVisible();
    const other = name === 'Alex' ? 'Sam' : 'Alex';
    await expect(partnerPage.getByText(`Hello ${name}. You and ${other} are working with Dr Ana Ruiz.`)).toBeVisible();
    // The link works once.
    await partnerPage.goto(linkIn(email));
    await expect(partnerPage.getByRole('heading', { name: 'This invitation has been used' })).toBeVisible();
    await partnerContext.close();
  }

  await page.getByRole('link', { name: 'Caseload' }).click();
  const row = page.getByRole('row', { name: /Alex & Sam/ });
  await expect(row).toContainText('Alex: Joined');
  await expect(row).toContainText('Sam: Joined');
});

test('the caseload searches and filters by status', async ({ page }) => {
  await signUpTherapist(page, 'Dr Kim Lee', uniqueEmail('lee'));
  for (const label of ['Robin & Jules', 'Noor & Ari']) {
    await page.goto('/cases/new');
    await waitForHydration(page);
    await page.getByLabel('Case name').fill(label);
    const [first, second] = label.split(' & ');
    await page.getByRole('group', { name: 'Partner A' }).getByLabel('First name').fill(first);
    await page.getByRole('group', { name: 'Partner A' }).getByLabel('Email').fill(uniqueEmail(first.toLowerCase()));
    await page.getByRole('group', { name: 'Partner B' }).getByLabel('First name').fill(second);
    await page.getByRole('group', { name: 'Partner B' }).getByLabel('Email').fill(uniqueEmail(second.toLowerCase()));
    await page.getByRole('button', { name: 'Create case' }).click();
    await expect(page.getByRole('heading', { level: 1, name: label })).toBeVisible();
  }
  await page.getByRole('button', { name: 'Pause case' }).click();
  await expect(page.getByText('Paused since')).toBeVisible();

  await page.getByRole('link', { name: 'Caseload' }).click();
  await expect(page.getByText('2 cases')).toBeVisible();
  await page.getByLabel('Search by name').fill('jules');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('1 case', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Robin & Jules' })).toBeVisible();

  await page.getByLabel('Search by name').fill('');
  await page.getByLabel('Status').selectOption('paused');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('1 case', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Noor & Ari' })).toBeVisible();
});
