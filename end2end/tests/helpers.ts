import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import * as fs from 'node:fs';

/** The password every test account uses. */
export const PASSWORD = 'a calm and quiet river';

/** A fresh email for each test, so tests never collide. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
}

/**
 * A time zone where it is 14:00 now: an `Etc/GMT±N` zone picked from the current UTC hour.
 * Automatic emails to clients wait out the quiet hours (21:00–08:00 in their therapist's
 * zone), so a test that expects one gives its therapist this zone and passes at any hour.
 * IANA's Etc zones count the other way round: `Etc/GMT-5` is five hours ahead of UTC.
 */
export function daytimeZone(now: Date = new Date()): string {
  const hoursAhead = 14 - now.getUTCHours(); // from -9 to +14, all of which exist
  if (hoursAhead === 0) return 'Etc/GMT';
  return `Etc/GMT${hoursAhead > 0 ? '-' : '+'}${Math.abs(hoursAhead)}`;
}

/**
 * The abbreviation the server shows for a zone of fixed offset: `UTC`, `GMT`, or for an
 * `Etc/GMT±N` zone its offset (`Etc/GMT-5` is `+05`).
 */
export function zoneAbbreviation(zone: string): string {
  if (zone === 'UTC' || zone === 'Etc/GMT') return zone === 'UTC' ? 'UTC' : 'GMT';
  const match = zone.match(/^Etc\/GMT([+-])(\d+)$/);
  if (!match) throw new Error(`no fixed abbreviation for ${zone}`);
  return `${match[1] === '-' ? '+' : '-'}${match[2].padStart(2, '0')}`;
}

/**
 * The same date next year, at the given time in the therapist's zone (UTC by default, or
 * an `Etc/GMT±N` zone): always in the future, with how the app shows it — `long` in emails
 * and on the consultation page ("Friday 15 January 2027, 10:00 +05 (Etc/GMT-5)"), `short`
 * in lists ("15 Jan 2027, 10:00 +05").
 */
export function nextYear(
  month: number,
  day: number,
  time: string,
  zone = 'UTC',
): { input: string; long: string; short: string } {
  const year = new Date().getUTCFullYear() + 1;
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][date.getUTCDay()];
  const monthName = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
    'October', 'November', 'December'][month - 1];
  const pad = (n: number) => String(n).padStart(2, '0');
  const abbreviation = zoneAbbreviation(zone);
  const named = abbreviation === zone ? zone : `${abbreviation} (${zone})`;
  return {
    input: `${year}-${pad(month)}-${pad(day)}T${time}`,
    long: `${weekday} ${day} ${monthName} ${year}, ${time} ${named}`,
    short: `${day} ${monthName.slice(0, 3)} ${year}, ${time} ${abbreviation}`,
  };
}

/** Waits until the page has hydrated (the WASM app has taken over). */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __hydrated?: boolean }).__hydrated === true);
}

/**
 * Creates a therapist account through the sign-up form, confirms it through the link the
 * confirmation email (in maildev) carries, and lands on the caseload.
 */
export async function signUpTherapist(page: Page, name: string, email: string): Promise<void> {
  await page.goto('/sign-up');
  await waitForHydration(page);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
  const confirmation = await emailWithSubject(email, /Confirm your email/);
  const link = confirmation.text.match(/https?:\/\/\S+\/confirm-email\/\S+/);
  if (!link) throw new Error(`no confirmation link in: ${confirmation.text}`);
  await page.goto(link[0]);
  await waitForHydration(page);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Caseload' })).toBeVisible();
}

/** One email as the test SMTP server (maildev) reports it. */
export interface ReceivedEmail {
  id: string;
  subject: string;
  text: string;
  to: { address: string; name: string }[];
}

/** Waits for the email sent to `address` and returns the newest one. */
export async function emailTo(address: string): Promise<ReceivedEmail> {
  const api = process.env.E2E_MAIL_API;
  for (let attempt = 0; attempt < 60; attempt++) {
    const response = await fetch(`${api}/api/email`);
    const emails = (await response.json()) as ReceivedEmail[];
    const mine = emails.filter((email) => email.to.some((to) => to.address === address));
    if (mine.length > 0) return mine[mine.length - 1];
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no email arrived for ${address}`);
}

/** The first link to this app in an email's text. */
export function linkIn(email: ReceivedEmail): string {
  const match = email.text.match(/https?:\/\/\S+\/join\/\S+/);
  if (!match) throw new Error(`no invitation link in: ${email.text}`);
  return match[0];
}

/** A signed-in partner's own browser. */
export interface PartnerSession {
  context: BrowserContext;
  page: Page;
}

/**
 * On the therapist's `page`: creates a case for Alex (seeks emotional connection) and Sam
 * (seeks physical closeness), invites both, and lets each join in their own browser
 * context with the given viewport. Returns the partners' sessions.
 */
export async function coupleWhoJoined(
  page: Page,
  browser: Browser,
  label: string,
  viewport = { width: 1280, height: 900 },
): Promise<{ alex: PartnerSession; sam: PartnerSession; emails: { Alex: string; Sam: string } }> {
  const emails = { Alex: uniqueEmail('alex'), Sam: uniqueEmail('sam') };
  await page.goto('/cases/new');
  await waitForHydration(page);
  await page.getByLabel('Case name').fill(label);
  for (const [group, name, seeks] of [['Partner A', 'Alex', 'emotional'], ['Partner B', 'Sam', 'physical']] as const) {
    const partner = page.getByRole('group', { name: group });
    await partner.getByLabel('First name').fill(name);
    await partner.getByLabel('Email').fill(emails[name]);
    await partner.getByLabel('Seeks more of').selectOption(seeks);
  }
  await page.getByRole('button', { name: 'Create case' }).click();
  await expect(page.getByRole('heading', { level: 1, name: label })).toBeVisible();
  const sessions: Record<string, PartnerSession> = {};
  for (const name of ['Alex', 'Sam'] as const) {
    await page.getByRole('button', { name: `Invite ${name}` }).click();
    await expect(page.getByRole('region', { name }).getByText('Invited', { exact: true })).toBeVisible();
    const context = await browser.newContext({ viewport });
    const partnerPage = await context.newPage();
    await partnerPage.goto(linkIn(await emailTo(emails[name])));
    await waitForHydration(partnerPage);
    await partnerPage.getByLabel('Choose a password').fill(PASSWORD);
    await partnerPage.getByLabel(/I have read how my therapist handles confidentiality/).check();
    await partnerPage.getByRole('button', { name: 'Join Babysteps' }).click();
    await expect(partnerPage.getByRole('heading', { name: 'My homework' })).toBeVisible();
    sessions[name] = { context, page: partnerPage };
  }
  return { alex: sessions.Alex, sam: sessions.Sam, emails };
}

/**
 * On a therapist's case page: opens one of its tabs ('Overview', 'Homework', 'Together',
 * 'Notes', 'Messages') by its link in the "Case sections" navigation, and waits until it is
 * the current one.
 */
export async function openCaseTab(page: Page, tab: string): Promise<void> {
  const tabs = page.getByRole('navigation', { name: 'Case sections' });
  await tabs.getByRole('link', { name: tab, exact: true }).click();
  await expect(tabs.getByRole('link', { name: tab, exact: true })).toHaveAttribute('aria-current', 'page');
}

/** A partner fills in step 1 with one behaviour on their list, submits it and shares it. */
export async function shareStep1(page: Page, meaning: RegExp, answer: string, behaviour: string, partner: string) {
  await page.goto('/homework');
  await page.getByRole('link', { name: 'Start: Step 1 – On your own' }).click();
  await waitForHydration(page);
  await page.getByLabel(meaning).fill(answer);
  const list = page.getByRole('group', { name: /List specific things your partner could do/ });
  await list.getByRole('button', { name: 'Add an item' }).click();
  await list.getByLabel('Item 1', { exact: true }).fill(behaviour);
  await expect(page.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Submit to my therapist' }).click();
  await page.getByRole('button', { name: `Share with ${partner}` }).click();
  await expect(page.getByText(/You have shared|You shared your answers/)).toBeVisible();
}

/** Step 5: Alex writes what they let go of and asks for one more guided conversation first. */
export async function askForOneMoreConversation(alex: Page, letGoOf: string): Promise<void> {
  await alex.goto('/letting-go');
  await waitForHydration(alex);
  await alex.getByLabel('What resentment are you choosing to let go of?').fill(letGoOf);
  await alex.getByLabel(/Ask my therapist for one more guided conversation first/).check();
  await alex.getByRole('button', { name: 'Save for now' }).click();
  await expect(alex.getByText(/Once they mark it as held, you can confirm the pact/)).toBeVisible();
}

/**
 * On the therapist's case page: marks Alex's extra conversation as held today and sets the
 * date to revisit the pact a week from now.
 */
export async function markConversationHeldAndRevisit(page: Page): Promise<void> {
  await openCaseTab(page, 'Together');
  await waitForHydration(page);
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel("Day Alex's conversation was held").fill(today);
  await page.getByRole('button', { name: 'Mark as held' }).click();
  await expect(page.getByText(/Alex's extra conversation was held on/)).toBeVisible();
  const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Revisit the pact on').fill(nextWeek);
  await page.getByRole('button', { name: 'Save the revisit date' }).click();
  await expect(page.getByText(/Both partners get a check-in reminder on/)).toBeVisible();
}

/** Step 5: each partner writes what they let go of and confirms the pact. */
export async function bothConfirmThePact(alex: Page, sam: Page): Promise<void> {
  for (const [partner, text] of [[alex, 'Keeping score about chores'], [sam, 'Old hurt about holidays']] as const) {
    await partner.goto('/letting-go');
    await waitForHydration(partner);
    await partner.getByLabel('What resentment are you choosing to let go of?').fill(text);
    await partner.getByRole('button', { name: 'Confirm the pact' }).click();
    await expect(partner.getByText('You have confirmed the pact.')).toBeVisible();
  }
  await expect(sam.getByText(/You have both confirmed the pact/)).toBeVisible();
}

/** Every email the test SMTP server received for `address`, oldest first. */
export async function emailsTo(address: string): Promise<ReceivedEmail[]> {
  const response = await fetch(`${process.env.E2E_MAIL_API}/api/email`);
  const emails = (await response.json()) as ReceivedEmail[];
  return emails.filter((email) => email.to.some((to) => to.address === address));
}

/** Waits for an email to `address` whose subject matches, and returns it. */
export async function emailWithSubject(address: string, subject: RegExp): Promise<ReceivedEmail> {
  for (let attempt = 0; attempt < 80; attempt++) {
    const found = (await emailsTo(address)).filter((email) => subject.test(email.subject));
    if (found.length > 0) return found[found.length - 1];
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no email matching ${subject} arrived for ${address}`);
}

/** Everything the server has written to stdout and stderr in this run (colours removed). */
export function readServerLog(): string {
  const file = process.env.E2E_SERVER_LOG;
  if (!file) throw new Error('E2E_SERVER_LOG is not set (see playwright.config.ts)');
  return fs.readFileSync(file, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
}

/** The lines of a server log written at ERROR level. */
export function errorLines(log: string): string[] {
  return log.split('\n').filter((line) => /\bERROR\b/.test(line));
}
