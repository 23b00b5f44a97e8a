/**
 * The suppressions screen in headless Chromium, as an owner uses it: reached from the main
 * navigation, the list with reason, source, campaign and date; an address looked up (and a mistyped
 * one told beside the field); a complaint lifted through the question page, first without a reason
 * (told beside the field, nothing changed), then with one, recorded with the owner's name. An editor
 * sees the same list with no way to lift anything. Every screen is screenshotted to
 * test-results/screenshots/suppressions/ and checked with axe (no serious or critical violation).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/organiser-app/session-cookie.js';
import { addSuppression } from '../../src/suppressions/suppressions.js';
import { signIn, type AppSession } from '../support/app-session.js';
import { useBrowserStack } from '../support/chromium.js';
import { screenRecorder } from '../support/screens.js';
import { createPublishedCampaign, uniqueSuffix } from '../support/harness.js';
import { seedSupporters } from '../support/seed.js';

const { stack, handle, site } = useBrowserStack();
const capture = screenRecorder('test-results/screenshots/suppressions');

/** A browser signed in as this session's user (the cookie the sign-in link would have set). */
async function browse(session: AppSession): Promise<{ context: BrowserContext; page: Page }> {
  const context = await site.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: SESSION_COOKIE, value: session.cookie.slice(SESSION_COOKIE.length + 1), url: site.baseUrl }]);
  return { context, page: await context.newPage() };
}

describe('the suppressions screen', () => {
  it('lists, looks up, and lifts a complaint with a reason, recorded; an editor only looks', async () => {
    const owner = await signIn(handle, { name: 'Sir Jeremy Greenstock' });
    const campaign = await createPublishedCampaign(stack.app, owner.organiser);
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 3, tag);
    const address = (n: number) => `supporter-${tag}-${n}@example.org`;
    await addSuppression(handle.db, {
      email: address(1),
      organiserId: null,
      reason: 'hard_bounce',
      source: 'smtp',
      campaignId: campaign.id,
      detail: '550 5.1.1 No such user',
    });
    await addSuppression(handle.db, { email: address(2), organiserId: owner.user.organiserId, reason: 'complaint', source: 'complaint', campaignId: campaign.id });
    await addSuppression(handle.db, { email: address(3), organiserId: owner.user.organiserId, reason: 'unsubscribe_all', source: 'unsubscribe', campaignId: campaign.id });

    const { context, page } = await browse(owner);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${site.baseUrl}/app/campaigns`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Suppressions' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Suppressions');
    const rows = page.locator('table.suppressions tbody tr');
    expect(await rows.count()).toBe(3);
    const bounced = rows.filter({ hasText: address(1) });
    expect(await bounced.innerText()).toMatch(/Hard bounce\s+for every organisation\s+Refused while sending\s+The Responsibility to Protect in Syria/);
    expect(await bounced.innerText()).toContain('only the operator can lift it');
    expect(await rows.filter({ hasText: address(3) }).innerText()).toContain('Only the person can undo it');
    await capture(page, 'list');

    // A mistyped address is told beside the field.
    await page.getByLabel('Look up an email address').fill('margaret.ellis-at-example.org');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => page.locator('.error-summary').innerText()).toContain('Enter an email address like name@example.org');
    expect(await page.locator('#email-error').innerText()).toContain('Enter an email address');
    await capture(page, 'lookup-mistyped');

    await page.getByLabel('Look up an email address').fill(address(2).toUpperCase());
    await page.getByRole('button', { name: 'Look up' }).click();
    const result = page.locator('section[aria-labelledby="lookup-result"]');
    await expect.poll(() => result.innerText()).toContain('Your campaigns do not mail this address.');
    expect(await result.innerText()).toContain(address(2));
    await capture(page, 'lookup-suppressed');

    await result.getByRole('link', { name: `Lift the suppression of ${address(2)}` }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe(`Lift the suppression of ${address(2)}?`);
    await capture(page, 'lift-question');
    await page.getByRole('button', { name: 'Lift the suppression' }).click();
    await expect.poll(() => page.locator('#reason-error').innerText()).toContain('Enter why you are lifting it');
    await capture(page, 'lift-without-reason');
    const stillThere = await handle.pool.query('SELECT 1 FROM suppressions WHERE organiser_id = $1 AND reason = $2', [owner.user.organiserId, 'complaint']);
    expect(stillThere.rowCount).toBe(1);

    await page.getByLabel('Why are you lifting it?').fill('She wrote on 2 June asking for our updates again');
    await page.getByRole('button', { name: 'Lift the suppression' }).click();
    await expect.poll(() => page.locator('.notice[role=status]').first().innerText()).toContain('The suppression is lifted');
    expect(await rows.count()).toBe(2);
    expect(await page.locator('table.suppressions').innerText()).not.toContain(address(2));
    const lifted = await page.locator('table.removals tbody tr').innerText();
    for (const part of [address(2), 'Complaint', 'Sir Jeremy Greenstock', 'She wrote on 2 June asking for our updates again']) expect(lifted).toContain(part);
    await capture(page, 'lifted');

    await page.getByLabel('Look up an email address').fill(address(2));
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => result.innerText()).toContain('This address is not suppressed: your campaigns may mail it.');

    const { rows: removals } = await handle.pool.query(
      'SELECT reason, removed_by_user_id, removed_by_api_key_id, suppression_reason FROM suppression_removals WHERE organiser_id = $1',
      [owner.user.organiserId],
    );
    expect(removals).toEqual([
      { reason: 'She wrote on 2 June asking for our updates again', removed_by_user_id: owner.user.userId, removed_by_api_key_id: null, suppression_reason: 'complaint' },
    ]);

    // The export, as the link downloads it.
    const csv = await page.request.get(`${site.baseUrl}/app/suppressions/export.csv`);
    expect(csv.headers()['content-disposition']).toContain('suppressions.csv');
    expect(await csv.text()).toContain(address(1));
    expect(problems).toEqual([]);
    await context.close();

    // An editor of the same organisation: the same list, and no way to lift anything.
    const editor = await signIn(handle, { organiser: owner.organiser, role: 'editor', name: 'An editor' });
    const editing = await browse(editor);
    await editing.page.goto(`${site.baseUrl}/app/suppressions`);
    await expect.poll(() => editing.page.locator('h1').innerText()).toBe('Suppressions');
    expect(await editing.page.getByRole('link', { name: /^Lift/ }).count()).toBe(0);
    await capture(editing.page, 'editor-list');
    await editing.context.close();
  }, 180_000);
});
