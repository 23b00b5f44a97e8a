/**
 * The public campaign page and the mail around it as people see them, in headless Chromium at a
 * laptop's 1280×800: the sign form on the first screen, the preview tags a shared link shows, the
 * consent box still ticked after an error, the delivered status, and the real 2014 reply introduced
 * by its real sender and dated by its letter. Screenshots go to test-results/public-page/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2P_CAMPAIGN } from '../../src/http/api-examples.js';
import { useBrowserStack } from '../support/chromium.js';
import { seriousAxeViolations } from '../support/screens.js';
import { newOrganiser, signAndConfirm, uniqueSuffix, waitForValue } from '../support/harness.js';
import { deliverRaw } from '../support/inbound-listener.js';
import type { ReceivedMail } from '../support/smtp-sink.js';

const ARTEFACTS = 'test-results/public-page';
const FIXTURE = readFileSync(new URL('../fixtures/government-reply-2014.eml', import.meta.url), 'utf8');

const { stack, handle, listener, site } = useBrowserStack({ env: { INBOUND_REQUIRE_DMARC: 'false', INBOUND_SMTP_PORT: '0' }, inboundListener: true });

beforeAll(() => {
  mkdirSync(ARTEFACTS, { recursive: true });
});

/** A mail as its reader sees it: its HTML in the browser, screenshotted whole. */
async function screenshotMail(mail: ReceivedMail, name: string) {
  const page = await site.browser.newPage({ viewport: { width: 800, height: 800 } });
  await page.setContent(mail.parsed.html as string);
  await page.screenshot({ path: `${ARTEFACTS}/${name}.png`, fullPage: true });
  await page.close();
}

const meta = (page: Page, key: string) => page.locator(`meta[property="${key}"], meta[name="${key}"]`).getAttribute('content');

describe('the public campaign page', () => {
  it('puts the sign form on the first screen, shares well, and shows the reply with its real sender and date', async () => {
    const organiser = await newOrganiser(handle, 'UNA-UK');
    const { rows } = await handle.pool.query<{ email: string }>('SELECT email FROM organisers WHERE id = $1', [organiser.id]);
    const owner = rows[0]!.email;
    const body = { ...R2P_CAMPAIGN, slug: `r2p-${uniqueSuffix()}`, replyPolicy: { mode: 'auto', allowedSenders: ['fco.example.gov.uk'] } };
    const created = await stack.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: organiser.auth, payload: body });
    expect(created.statusCode, created.body).toBe(201);
    const campaign = created.json<{ id: string; slug: string; replyAddress: string }>();
    await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/publish`, headers: organiser.auth });
    // A campaign some way along, as a visitor would find it.
    await handle.pool.query('UPDATE campaigns SET supporter_count = 1283 WHERE id = $1', [campaign.id]);

    const context = await site.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(site.baseUrl)) elsewhere.push(request.url());
    });
    const url = `${site.baseUrl}/c/${campaign.slug}`;
    await page.goto(url);
    await page.screenshot({ path: `${ARTEFACTS}/page-first-screen.png` });
    await page.screenshot({ path: `${ARTEFACTS}/page-before-reply.png`, fullPage: true });

    // The whole form, its button included, without scrolling.
    const form = await page.locator('form.sign').boundingBox();
    expect(form).not.toBeNull();
    expect(form!.y).toBeGreaterThanOrEqual(0);
    expect(form!.y + form!.height).toBeLessThanOrEqual(800);
    expect(await page.locator('.organisation').innerText()).toBe('United Nations Association – UK');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // What a shared link shows: the title and the summary; no logo yet, so no image.
    expect(await meta(page, 'og:title')).toBe(R2P_CAMPAIGN.title);
    expect(await meta(page, 'og:description')).toBe(R2P_CAMPAIGN.summary);
    expect(await meta(page, 'og:type')).toBe('website');
    expect(await meta(page, 'og:url')).toBe(`https://letters.example.org/c/${campaign.slug}`);
    expect(await meta(page, 'twitter:title')).toBe(R2P_CAMPAIGN.title);
    expect(await meta(page, 'twitter:description')).toBe(R2P_CAMPAIGN.summary);
    expect(await page.locator('meta[property="og:image"]').count()).toBe(0);
    const share = await page.locator('nav.share a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    expect(share.some((href) => href.startsWith('mailto:'))).toBe(true);
    expect(share.every((href) => href.includes(encodeURIComponent(`https://letters.example.org/c/${campaign.slug}`)))).toBe(true);

    // A mistake in the email: what was typed and ticked comes back as it was.
    await page.getByLabel('Full name').fill('Ada Rights');
    await page.getByLabel(/Email address/).fill('ada.rights@');
    await page.getByLabel(/I agree/).check();
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForSelector('#email-error');
    expect(await page.getByLabel(/I agree/).isChecked()).toBe(true);
    expect(await page.getByLabel('Full name').inputValue()).toBe('Ada Rights');
    await page.screenshot({ path: `${ARTEFACTS}/page-form-error.png` });
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A supporter signs and gets their copy, which promises the reply.
    const supporter = `supporter-${uniqueSuffix()}@example.org`;
    await signAndConfirm(stack, campaign.slug, { name: 'Margaret Ellis', email: supporter, postcode: 'SW1A 2EL' });
    const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(supporter) && !m.parsed.subject!.startsWith('Please confirm'));
    expect(copy.parsed.text).toContain('When the official reply comes, we will send it to you.');
    await screenshotMail(copy, 'supporter-copy');

    // The letter goes; the page says so and still takes names.
    const delivered = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'bundle' } });
    expect(delivered.statusCode, delivered.body).toBe(202);
    await waitForValue(
      async () => (await handle.pool.query("SELECT count(*)::int AS n FROM target_letters WHERE campaign_id = $1 AND status = 'sent'", [campaign.id])).rows[0].n,
      (n) => n === 1,
      'the letter to reach the target',
    );

    // The Foreign Office's reply of 17 June 2014, by mail.
    await deliverRaw(listener.port, FIXTURE, campaign.replyAddress, 'conflict.department@fco.example.gov.uk');
    const forwarded = await stack.sink.waitFor((m) => m.envelopeTo.includes(supporter) && m.parsed.subject!.startsWith('The reply to'));
    expect(forwarded.parsed.text).toContain('Conflict Department (fco.example.gov.uk) has replied to the letter to The Rt Hon William Hague MP that you signed on');
    expect(forwarded.parsed.text).toContain('The reply is dated 17 June 2014');
    expect(forwarded.parsed.text).not.toContain('William Hague MP has replied');
    await screenshotMail(forwarded, 'forwarded-reply');

    // The organiser's owners hear of it, once forwarded.
    const told = await stack.sink.waitFor((m) => m.envelopeTo.includes(owner) && m.parsed.subject!.includes('has been forwarded to your supporters'));
    expect(told.parsed.text).toContain('Dated: 17 June 2014');
    await screenshotMail(told, 'owner-reply-forwarded');

    await page.goto(url);
    await page.screenshot({ path: `${ARTEFACTS}/page-after-reply.png`, fullPage: true });
    await page.screenshot({ path: `${ARTEFACTS}/page-after-reply-first-screen.png` });
    const status = await page.locator('.status').innerText();
    expect(status).toMatch(/^Delivered to The Rt Hon William Hague MP on \d{1,2} \w+ \d{4}; you can still add your name\.$/);
    const reply = page.locator('section.reply');
    expect(await reply.locator('.to').innerText()).toBe('From Conflict Department (conflict.department@fco.example.gov.uk)\nDated 17 June 2014');
    const pdf = reply.locator('.files a', { hasText: 'MIN-66425-2014.pdf' });
    const file = await page.request.get(`${site.baseUrl}${await pdf.getAttribute('href')}`);
    expect(file.status()).toBe(200);
    expect(file.headers()['content-type']).toBe('application/pdf');
    expect((await file.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(elsewhere).toEqual([]);

    // Someone who signs now gets their copy with the reply, and each sentence is true for them.
    const late = `late-${uniqueSuffix()}@example.org`;
    await signAndConfirm(stack, campaign.slug, { name: 'Late Comer', email: late });
    const lateCopy = await stack.sink.waitFor((m) => m.envelopeTo.includes(late) && !m.parsed.subject!.startsWith('Please confirm'));
    expect(lateCopy.parsed.text).not.toContain('When the official reply comes');
    expect(lateCopy.parsed.text).toContain('The letter has already been answered: Conflict Department replied on 17 June 2014');
    await screenshotMail(lateCopy, 'late-supporter-copy');
    await context.close();
  }, 90_000);
});
