/**
 * The sign-up as a person does it, in headless Chromium (Debian's `chromium`, driven by
 * playwright-core): an empty submit shows errors beside the fields, a filled form signs, and the
 * link from the captured confirmation mail confirms after pressing the button.
 */
import { describe, expect, it } from 'vitest';
import { useBrowserStack } from '../support/chromium.js';
import { createPublishedCampaign, linkIn, uniqueSuffix } from '../support/harness.js';

const { stack, organiser, site } = useBrowserStack({ organiser: 'UNA-UK' });

describe('signing a campaign in a browser', () => {
  it('shows field errors, signs, and confirms from the emailed link', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const email = `browser-${uniqueSuffix()}@example.org`;
    const context = await site.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    // Anything our strict Content-Security-Policy blocks would show up here as a refusal.
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Refused|Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    page.on('pageerror', (error) => blocked.push(error.message));

    await page.goto(`${site.baseUrl}/c/${campaign.slug}`);
    await expectText(() => page.locator('h1').innerText(), 'The Responsibility to Protect in Syria');
    expect(await page.locator('.letter').innerText()).toContain('[your name]');

    // Submitting the empty form shows each error beside its field, and moves nothing forward.
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForSelector('#name-error');
    expect(await page.locator('#name-error').innerText()).toContain('Enter your name');
    expect(await page.locator('#email-error').innerText()).toContain('Enter your email address');
    expect(await page.locator('#consent-error').innerText()).toContain('Tick the box');
    expect(await page.getByLabel('Full name').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Full name').fill('Grace Browser');
    await page.getByLabel(/Email address/).fill(email);
    await page.getByLabel(/Postcode/).fill('SW1A 2AH');
    await page.getByLabel(/I agree/).check();
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await expectText(() => page.locator('h1').innerText(), 'Check your inbox');

    const confirmation = await stack.sink.waitFor((m) => m.envelopeTo.includes(email));
    await page.goto(`${site.baseUrl}${linkIn(confirmation.parsed.text!, '/confirm/')}`);
    await expectText(() => page.locator('h1').innerText(), 'Confirm your signature');
    await page.getByRole('button', { name: 'Confirm my signature' }).click();
    await expectText(() => page.locator('h1').innerText(), 'Thank you: your signature is confirmed');
    await page.screenshot({ path: 'node_modules/.cache/signup-confirmed.png' });

    await page.goto(`${site.baseUrl}/c/${campaign.slug}`);
    expect(await page.locator('.count').innerText()).toBe('1 supporter has signed this letter.');
    expect(blocked).toEqual([]);
    await context.close();
  });
});

// Vitest's expect has no Playwright matchers: a small poll for text, like a person waiting for a page.
async function expectText(read: () => Promise<string>, expected: string) {
  const deadline = Date.now() + 5_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await read();
    if (last.trim() === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(last.trim()).toBe(expected);
}
