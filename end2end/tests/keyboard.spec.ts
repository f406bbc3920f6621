import { test, expect, type Locator, type Page } from '@playwright/test';
import { coupleWhoJoined, openCaseTab, signUpTherapist, uniqueEmail, waitForHydration } from './helpers';

// A client fills in and submits step 1 with the keyboard alone, list editor included. The
// focus is always visible, and a save, a refused submit or a removed item never drops it.

const STEP_1 = 'Step 1 – On your own';

/** Whether the focused element is `target`, and shows a visible focus ring. */
async function focusState(page: Page, target: Locator): Promise<{ onTarget: boolean; visible: boolean }> {
  const onTarget = await target.evaluate((element) => element === document.activeElement);
  const visible = await page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return false;
    const style = getComputedStyle(element);
    return element.matches(':focus-visible') && style.outlineStyle !== 'none' && style.outlineWidth !== '0px';
  });
  return { onTarget, visible };
}

/** Presses Tab (at most 80 times) until `target` has the focus, checking each stop shows it. */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let presses = 0; presses < 80; presses++) {
    await page.keyboard.press('Tab');
    const { onTarget, visible } = await focusState(page, target);
    expect(visible, 'every focus stop is visible').toBe(true);
    if (onTarget) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

/** The focus is on `target` (not lost to the page) and visible. */
async function expectFocusOn(page: Page, target: Locator): Promise<void> {
  await expect(target).toBeFocused();
  expect((await focusState(page, target)).visible, 'the focus ring shows').toBe(true);
}

test('a client fills in and submits step 1 with the keyboard alone', async ({ page, browser }) => {
  await signUpTherapist(page, 'Dr Kim Keys', uniqueEmail('keys'));
  const { alex, sam } = await coupleWhoJoined(page, browser, 'Keyboard couple');
  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await expect(page.getByRole('row', { name: /Step 1 – On your own/ })).toContainText('Alex: Not started');

  const client = alex.page;
  await client.goto('/homework');
  await waitForHydration(client);
  const start = client.getByRole('link', { name: `Start: ${STEP_1}` });
  await tabTo(client, start);
  await client.keyboard.press('Enter');
  await expect(client.getByRole('heading', { level: 1, name: STEP_1 })).toBeVisible();
  await waitForHydration(client);

  // The first answer, typed; the autosave leaves the focus where it was.
  const meaning = client.getByLabel(/What does emotional connection mean to you/);
  await tabTo(client, meaning);
  await client.keyboard.type('Being listened to without being fixed.');
  await expect(client.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();
  await expectFocusOn(client, meaning);

  // Submitting with the list still empty is refused; the focus moves to the list.
  const submit = client.getByRole('button', { name: 'Submit to my therapist' });
  await tabTo(client, submit);
  await client.keyboard.press('Enter');
  await expect(client.getByText('Not submitted yet: please see the question marked below.')).toBeVisible();
  const list = client.getByRole('group', { name: /List specific things your partner could do/ });
  const add = list.getByRole('button', { name: 'Add an item' });
  await expectFocusOn(client, add);

  // Two items through the list editor: "Add an item" puts the cursor in the new item.
  await client.keyboard.press('Enter');
  await expectFocusOn(client, list.getByLabel('Item 1', { exact: true }));
  await client.keyboard.type('Ask about my day and listen');
  await tabTo(client, add);
  await client.keyboard.press('Enter');
  await expectFocusOn(client, list.getByLabel('Item 2', { exact: true }));
  await client.keyboard.type('Hold my hand on our walk');

  // Moving item 2 up keeps the focus on that item's buttons.
  const up = list.getByRole('button', { name: 'Move item 2 up' });
  await tabTo(client, up);
  await client.keyboard.press('Enter');
  await expect(list.getByLabel('Item 1', { exact: true })).toHaveValue('Hold my hand on our walk');
  await expectFocusOn(client, list.getByRole('button', { name: 'Move item 1 down' }));

  // Removing an item hands the focus to the item that took its place.
  await tabTo(client, list.getByRole('button', { name: 'Remove item 1' }));
  await client.keyboard.press('Enter');
  await expect(list.getByLabel('Item 1', { exact: true })).toHaveValue('Ask about my day and listen');
  await expectFocusOn(client, list.getByLabel('Item 1', { exact: true }));
  await expect(client.getByRole('status').filter({ hasText: 'All changes saved.' })).toBeVisible();

  // Submitted: the sheet turns read-only and the focus lands on what happened.
  await tabTo(client, submit);
  await client.keyboard.press('Enter');
  const submitted = client.getByText('Submitted. Your therapist will read it.');
  await expect(submitted).toBeVisible();
  await expect(submitted).toBeFocused();

  await alex.context.close();
  await sam.context.close();
});
