/**
 * The letter to the target and the replies inbox in headless Chromium, as an owner uses them: the
 * letter previewed and sent as a bundle behind the question page with the count, its record naming
 * the PDF; the 2014 reply (tests/fixtures) arriving through the inbound SMTP listener, DKIM-signed
 * by the ministry's domain, into a campaign whose policy is `approve`; the inbox showing it held for
 * approval with its evidence; approving it, which lands on its broadcast's page. Then a hostile HTML
 * reply (script, iframe, remote images and style sheets from a local HTTP server, `javascript:`
 * links, event handlers) shows nothing active: no script runs, in the page or its frame, and the
 * local server receives no request. Every screen is screenshotted and checked with axe.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type AppSession } from '../support/app-session.js';
import { useBrowserStack } from '../support/chromium.js';
import { screenRecorder } from '../support/screens.js';
import { generateDkimKey, installFakeDns, txt } from '../support/fake-dns.js';
import { createPublishedCampaign, waitForValue } from '../support/harness.js';
import { deliverRaw } from '../support/inbound-listener.js';
import { seedSupporters } from '../support/seed.js';
import { SESSION_COOKIE } from '../../src/organiser-app/session-cookie.js';

const recordScreen = screenRecorder('test-results/screenshots/letter-and-replies');
const FIXTURE = readFileSync(new URL('../fixtures/government-reply-2014.eml', import.meta.url), 'utf8');
const OFFICIAL_DOMAIN = 'fco.example.gov.uk';
const OFFICIAL = `conflict.department@${OFFICIAL_DOMAIN}`;
const SUPPORTERS = 4;

const official = generateDkimKey(OFFICIAL_DOMAIN);
const restoreDns = installFakeDns({
  ...official.zone,
  [`_dmarc.${OFFICIAL_DOMAIN}`]: { TXT: [txt('v=DMARC1; p=reject')] },
  [OFFICIAL_DOMAIN]: { TXT: [txt('v=spf1 ip4:127.0.0.1 -all')] },
});

const running = useBrowserStack({ env: { INBOUND_SMTP_PORT: '0' }, inboundListener: true, organiser: 'UNA-UK' });
let context: BrowserContext;
let page: Page;
let owner: AppSession;
let campaign: { id: string; slug: string };
let replyAddress: string;
/** The hostile reply's remote content: every request it gets is recorded here. */
let bait: Server;
const baitRequests: string[] = [];

beforeAll(async () => {
  bait = createServer((request, response) => {
    baitRequests.push(request.url ?? '');
    response.end('alert(1)');
  });
  await new Promise<void>((resolve) => bait.listen(0, '127.0.0.1', resolve));

  const organiser = running.organiser;
  owner = await signIn(running.handle, { organiser, role: 'owner', name: 'Olive Owner' });
  campaign = await createPublishedCampaign(running.stack.app, organiser, {
    target: { name: 'Rt Hon William Hague MP', email: 'foreign.secretary@fco.gov.example', address: 'King Charles Street\nLondon SW1A 2AH' },
    replyPolicy: { mode: 'approve', allowedSenders: [OFFICIAL_DOMAIN] },
  });
  await seedSupporters(running.handle, campaign.id, SUPPORTERS, `browser-${campaign.id.slice(0, 8)}`);
  const view = await running.stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth });
  replyAddress = view.json<{ replyAddress: string }>().replyAddress;

  context = await running.site.browser.newContext({ viewport: { width: 1200, height: 900 } });
  const host = new URL(running.site.baseUrl).hostname;
  await context.addCookies([{ name: SESSION_COOKIE, value: owner.cookie.split('=')[1]!, domain: host, path: '/app', httpOnly: true, sameSite: 'Lax' }]);
  page = await context.newPage();
}, 90_000);

afterAll(async () => {
  await context?.close();
  await new Promise((resolve) => bait?.close(resolve));
  restoreDns();
});

const capture = (name: string) => recordScreen(page, name);

async function goto(path: string): Promise<void> {
  const response = await page.goto(`${running.site.baseUrl}${path}`, { waitUntil: 'load' });
  expect(response?.status(), path).toBe(200);
}

async function replyIdWithSubject(subject: string): Promise<string> {
  const row = await waitForValue(
    async () => (await running.handle.pool.query<{ id: string }>('SELECT id FROM replies WHERE campaign_id = $1 AND subject = $2', [campaign.id, subject])).rows[0],
    (found) => found !== undefined,
    `the reply “${subject}”`,
  );
  return row!.id;
}

describe('the letter to the target', () => {
  it('is previewed, sent as a bundle behind the question with the count, and its record names the PDF', async () => {
    await goto(`/app/campaigns/${campaign.id}/letter`);
    const frame = page.frameLocator('iframe.document-frame');
    await expect.poll(() => frame.locator('body').innerText()).toContain('Supporter 1');
    await capture('letter-preview');

    await page.getByRole('link', { name: 'Send the letter…' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe(`Send to Rt Hon William Hague MP, signed by ${SUPPORTERS} supporters?`);
    await capture('letter-confirm');
    await page.getByRole('button', { name: 'Send the letter' }).click();
    await page.waitForURL(/\/letter\?mode=bundle&done=sent$/);

    const letterId = await waitForValue(
      async () => (await running.handle.pool.query<{ id: string; status: string }>('SELECT id, status FROM target_letters WHERE campaign_id = $1', [campaign.id])).rows[0],
      (row) => row?.status === 'sent',
      'the bundle accepted by the SMTP sink',
    );
    await page.reload();
    const record = page.locator('dl.facts').first();
    await expect.poll(() => record.innerText()).toContain('Sent: accepted by our mail server');
    expect(await record.innerText()).toContain('letter-and-signatories.pdf');
    expect(await record.innerText()).toContain('by Olive Owner');
    expect(await record.innerText()).toContain(replyAddress);
    await capture('letter-sent');
    await goto(`/app/target-letters/${letterId!.id}`);
    await capture('target-letter-record');
  }, 180_000);
});

describe('the replies inbox', () => {
  it('shows the 2014 reply received over SMTP held for approval, with its evidence, and approving it opens its broadcast', async () => {
    const signed = await official.sign(FIXTURE.replace(/\r?\n/g, '\r\n'));
    await deliverRaw(running.listener.port, signed, replyAddress, OFFICIAL);
    const subject = 'Re: UNA-UK letter campaign on the Responsibility to Protect (MIN/66425/2014)';
    const replyId = await replyIdWithSubject(subject);

    await goto(`/app/campaigns/${campaign.id}/replies`);
    expect(await page.locator('table').innerText()).toContain('Trusted, awaiting your approval');
    await capture('replies-inbox');

    await page.getByRole('link', { name: subject }).click();
    const evidence = await page.locator('dl.evidence').innerText();
    expect(evidence).toMatch(/DKIM\s+pass, signed by fco\.example\.gov\.uk/);
    expect(evidence).toMatch(/SPF\s+pass/);
    expect(evidence).toMatch(/DMARC\s+pass/);
    expect(evidence).toMatch(/Allowed sender\s+yes/);
    await expect.poll(() => page.frameLocator('iframe.document-frame').locator('body').innerText()).toContain('Responsibility to Protect');
    await capture('reply-evidence');

    await page.getByRole('link', { name: 'Approve and forward…' }).click();
    expect(await page.locator('h1').innerText()).toBe(`Forward to ${SUPPORTERS} supporters?`);
    await capture('reply-approve');
    await page.getByRole('button', { name: `Forward to ${SUPPORTERS} supporters` }).click();
    const broadcastId = (await running.handle.pool.query<{ broadcast_id: string }>('SELECT broadcast_id FROM replies WHERE id = $1', [replyId])).rows[0]!.broadcast_id;
    await page.waitForURL(`${running.site.baseUrl}/app/broadcasts/${broadcastId}`);
  }, 180_000);

  it('shows a hostile HTML reply with nothing active: no script runs and no remote request is made', async () => {
    const remote = `http://127.0.0.1:${(bait.address() as AddressInfo).port}`;
    const hostile = [
      'From: Someone <someone@evil.example>',
      `To: ${replyAddress}`,
      'Subject: Hostile reply',
      'Message-ID: <hostile@evil.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<html><head><link rel="stylesheet" href="${remote}/sheet.css"><style>@import url("${remote}/import.css"); body{background:url("${remote}/bg.png")}</style>`,
      `<script>window.top.__pwned = true; console.log("pwned-script"); fetch("${remote}/fetch")</script></head>`,
      `<body onload="console.log('pwned-onload')"><p>Dear organiser,</p><img src="${remote}/pixel.png" alt="">`,
      `<img src="x" onerror="console.log('pwned-onerror')"><iframe src="${remote}/frame"></iframe>`,
      `<a id="bad" href="javascript:console.log('pwned-link')">Read our answer</a> <a href="${remote}/link">and more</a>`,
      `<svg><script>console.log('pwned-svg')</script></svg><object data="${remote}/object"></object>`,
      `<form action="${remote}/form"><button>Go</button></form></body></html>`,
    ].join('\r\n');
    await deliverRaw(running.listener.port, hostile, replyAddress, 'someone@evil.example');
    const replyId = await replyIdWithSubject('Hostile reply');

    const messages: string[] = [];
    page.on('console', (message) => messages.push(message.text()));
    page.on('dialog', (dialog) => messages.push(`dialog: ${dialog.message()}`));
    await goto(`/app/replies/${replyId}`);
    expect(await page.locator('.tag').first().innerText()).toBe('Held: not trusted');
    const frame = page.frames().find((candidate) => candidate.url().endsWith(`/app/replies/${replyId}/body.html`));
    expect(frame).toBeDefined();
    await expect.poll(() => frame!.locator('body').innerText()).toContain('Dear organiser');
    expect(await frame!.locator('script, iframe, img, object, embed, form, link, svg').count()).toBe(0);
    expect(await frame!.locator('[onload], [onerror], [href^="javascript:"]').count()).toBe(0);
    // The javascript: link is clicked as a person would: it is inert text now.
    await frame!.getByText('Read our answer').click();
    await page.waitForLoadState('networkidle');
    await capture('reply-hostile');

    expect(await page.evaluate(() => (globalThis as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(messages.filter((text) => text.includes('pwned'))).toEqual([]);
    expect(baitRequests).toEqual([]);
    expect(page.url()).toBe(`${running.site.baseUrl}/app/replies/${replyId}`);
  }, 180_000);

  it('rejects, enters a reply by post with errors beside the fields, and the timeline says who did what', async () => {
    const replyId = await replyIdWithSubject('Hostile reply');
    await goto(`/app/replies/${replyId}`);
    await page.getByRole('link', { name: 'Reject…' }).click();
    await capture('reply-reject');
    await page.getByRole('button', { name: 'Reject the reply' }).click();
    await page.waitForURL(/\/replies\?done=rejected$/);
    await capture('replies-after-reject');

    await page.getByRole('link', { name: 'Enter a reply that came by post' }).click();
    await page.getByLabel('Their email address').fill('not an address');
    await page.getByRole('button', { name: 'Record the reply' }).click();
    expect(await page.locator('.error-summary').innerText()).toContain('Enter their email address');
    await capture('postal-reply-errors');

    await goto(`/app/campaigns/${campaign.id}`);
    const timeline = await page.locator('.timeline').innerText();
    expect(timeline).toContain('(sent by Olive Owner)');
    expect(timeline).toContain('approved for forwarding by Olive Owner');
    expect(timeline).toContain('rejected by Olive Owner');
    await capture('overview-timeline');
  }, 180_000);
});
