/**
 * A broadcast from the organiser web app in headless Chromium: an update composed beside its live
 * preview, a test to yourself that arrives at the SMTP sink, the question with the audience count,
 * then 30 supporters mailed at 3 a second while the page is open. Paused mid-way and resumed, the
 * progress bar reaches 100% on the open page from the server-sent events (never reloaded), and the
 * one address the sink refuses with 550 shows in "who did not get it" with the server's answer.
 * Every screen is screenshotted to test-results/screenshots/broadcasts/ and checked with axe.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signIn } from '../support/app-session.js';
import { useBrowserStack } from '../support/chromium.js';
import { createPublishedCampaign, uniqueSuffix } from '../support/harness.js';
import { pageProblems, screenRecorder, textOf } from '../support/screens.js';
import { seedSupporters } from '../support/seed.js';

const SHOTS = 'test-results/screenshots/broadcasts';
const SUPPORTERS = 30;

// Slow enough to watch: 30 messages take about ten seconds.
const { stack, handle, site } = useBrowserStack({ env: { MAIL_RATE_PER_SECOND: '3' } });
const capture = screenRecorder(SHOTS);

const percentOn = async (page: Page) => Number(await page.locator('[data-field="percent"]').innerText());

describe('a broadcast watched in the browser', () => {
  it('composes, tests, starts, pauses and resumes an update, and watches it reach everyone but the refused address', async () => {
    const { browser, baseUrl } = site;
    const owner = await signIn(handle, { name: 'Ann Owner', config: stack.config });
    const campaign = await createPublishedCampaign(stack.app, owner.organiser);
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, SUPPORTERS, tag);
    const refused = `supporter-${tag}-17@example.org`;
    stack.sink.refuse(refused, 550, `5.1.1 <${refused}>: Recipient address rejected: User unknown in virtual mailbox table`, Infinity);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const [name, value] = owner.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: `${baseUrl}/app` }]);
    const page = await context.newPage();
    const problems = pageProblems(page);

    // From the campaign to its broadcasts; the preview follows what is typed.
    await page.goto(`${baseUrl}/app/campaigns/${campaign.id}`);
    await page.getByRole('link', { name: 'Broadcasts' }).click();
    await textOf(page, 'h1', 'Broadcasts');
    await page.getByLabel(/^Subject/).fill('The Foreign Office has replied to “{{ campaign.title }}”');
    await page.getByLabel(/^Message/).fill('Dear {{ supporter.first_name }},\n\nThe Foreign Secretary has **replied** to the letter you signed on {{ signed_at }}.\n\nThank you.');
    await textOf(page, '#letter-preview', 'The Foreign Secretary has replied to the letter you signed on 4 September 2013', 20_000);
    await capture(page, 'compose');

    // A typo in a merge field shows in the preview as it is typed, then is fixed.
    await page.getByLabel(/^Message/).fill('Dear {{ supporter.frist_name }},\n\nThe Foreign Secretary has **replied**.');
    await textOf(page, '#letter-preview', /message cannot be previewed.*supporter\.frist_name/i, 20_000);
    await capture(page, 'compose-template-error', { axe: false });
    await page.getByLabel(/^Message/).fill('Dear {{ supporter.first_name }},\n\nThe Foreign Secretary has **replied** to the letter you signed on {{ signed_at }}.\n\nThank you.');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await textOf(page, '.notice', 'saved as a draft');
    await capture(page, 'draft');

    // The test to yourself goes to the signed-in user's address, merged for the sample supporter.
    await page.getByRole('button', { name: 'Send a test to me' }).click();
    await textOf(page, '.notice', `A test is on its way to ${owner.user.email}`);
    const test = await stack.sink.waitFor((mail) => mail.envelopeTo.includes(owner.user.email) && mail.parsed.subject!.startsWith('Test: '));
    expect(test.parsed.subject).toBe('Test: The Foreign Office has replied to “The Responsibility to Protect in Syria”');
    expect(test.parsed.text).toContain('Dear Jane,');
    expect(test.header('list-unsubscribe')).toBeUndefined();

    // Starting is asked first, with the audience.
    await page.getByRole('link', { name: 'Start sending…' }).click();
    await textOf(page, 'h1', `Send this update to ${SUPPORTERS} supporters?`);
    await capture(page, 'confirmation');
    await page.getByRole('button', { name: `Send to ${SUPPORTERS} supporters` }).click();
    await textOf(page, '.notice', 'Sending has started');

    // Paused mid-way: the status changes on the open page, and the figures stop short of 100%.
    await page.getByRole('button', { name: 'Pause' }).click();
    await textOf(page, '#broadcast-state', 'Paused');
    expect(await percentOn(page)).toBeLessThan(100);
    await capture(page, 'paused-mid-way');

    // Resumed: from here the page is never reloaded; the events carry it to 100%.
    await page.getByRole('button', { name: 'Resume' }).click();
    await textOf(page, '.notice', 'carries on where it stopped');
    expect(await percentOn(page)).toBeLessThan(100);
    await page.evaluate('window.stillOpen = true');
    await textOf(page, '[data-field="sent"]', /^([1-9]|1\d|2[0-8])$/, 20_000);
    await capture(page, 'progress-mid-way', { axe: false });
    await textOf(page, '[data-field="percent"]', /^100$/, 60_000);
    const bar = await page.locator('progress#progress-bar').evaluate((element) => {
      const progress = element as unknown as { value: number; max: number };
      return { value: progress.value, max: progress.max };
    });
    expect(bar).toEqual({ value: SUPPORTERS, max: SUPPORTERS });
    await textOf(page, '#broadcast-state', 'Completed', 20_000);
    await textOf(page, '#undelivered', refused, 20_000);
    // The same document all along: a reload or a navigation would have lost this.
    expect(await page.evaluate('window.stillOpen')).toBe(true);
    expect(await page.locator('[data-field="sent"]').innerText()).toBe(String(SUPPORTERS - 1));
    expect(await page.locator('[data-field="bounced"]').innerText()).toBe('1');
    const row = page.locator('#undelivered tbody tr', { hasText: refused });
    await expect.poll(() => row.innerText()).toMatch(/Bounced\s+550 5\.1\.1 .*User unknown/);
    await capture(page, 'completed');

    // Who did not get it, searched by the start of the address.
    await page.getByLabel(/^Name or email address/).fill(`supporter-${tag}-17`);
    await page.getByRole('button', { name: 'Search' }).click();
    await textOf(page, '#undelivered caption', 'Matching your search');
    expect(await page.locator('#undelivered tbody tr').count()).toBe(1);
    await capture(page, 'who-did-not-get-it');

    // The campaign's timeline says who did what.
    await page.goto(`${baseUrl}/app/campaigns/${campaign.id}`);
    const timeline = await textOf(page, '.timeline', 'resumed by Ann Owner');
    expect(timeline).toMatch(/started by Ann Owner/);
    expect(timeline).toMatch(/paused by Ann Owner/);
    expect(timeline).toMatch(new RegExp(`Update “The Foreign Office has replied.*” sent to ${SUPPORTERS - 1} supporters`));
    await capture(page, 'timeline', { axe: false });
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
