/**
 * An owner fills in the organisation's profile in /app/settings in headless Chromium: a website
 * typed without its https:// comes back beside its field and in the summary, then the fixed profile
 * is saved and a logo uploaded from a file; the campaign page then shows the logo and gives it to
 * link previews. Screens go to test-results/screenshots/ and pass axe-core (no serious or critical).
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { SESSION_COOKIE } from '../../src/organiser-app/session-cookie.js';
import { signIn } from '../support/app-session.js';
import { checkScreen, launchChromium, watchCsp } from '../support/chromium.js';
import { findFreePort } from '../support/free-port.js';
import { createPublishedCampaign, openTestDatabase, startStack, type Stack } from '../support/harness.js';

const SCREENSHOTS = 'test-results/screenshots';

let stack: Stack;
let handle: DatabaseHandle;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The preview tags' image address is absolute, from PUBLIC_BASE_URL: here, where this server listens.
  const port = await findFreePort();
  baseUrl = `http://127.0.0.1:${port}`;
  stack = await startStack({ PUBLIC_BASE_URL: baseUrl });
  await stack.app.listen({ host: '127.0.0.1', port });
  handle = openTestDatabase();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await handle?.close();
});

/** The logo file an organiser would have: a PNG drawn by the browser, 300 × 96. */
async function drawLogo(): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width: 300, height: 96 } });
  await page.setContent('<body style="margin:0"><div style="width:300px;height:96px;background:#14508c;color:#fff;font:bold 44px Georgia,serif;display:flex;align-items:center;justify-content:center">UNA·UK</div></body>');
  const png = await page.screenshot({ type: 'png' });
  await page.close();
  return png;
}

describe('the organisation profile', () => {
  it('is filled in and given a logo in settings, and the campaign page shows it', async () => {
    const owner = await signIn(handle, { config: stack.config, name: 'Jane Owner' });
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    await context.addCookies([{ name: SESSION_COOKIE, value: owner.cookie.split('=')[1]!, url: baseUrl }]);
    const page = await context.newPage();
    const blocked = watchCsp(page);
    const check = (name: string) => checkScreen(page, `${SCREENSHOTS}/${name}.png`, blocked);

    await page.goto(`${baseUrl}/app/settings`);
    await page.waitForSelector('h2:text("Organisation profile")');
    await page.getByLabel('Organisation name').fill('United Nations Association – UK');
    await page.getByLabel('Website (optional)').fill('una.org.uk');
    await page.getByLabel('Postal address (optional)').fill('3 Whitehall Court\nLondon SW1A 2EL');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.waitForSelector('#profile-website-error');
    expect(await page.locator('.error-summary').innerText()).toContain('Website must be a web address starting with https://');
    expect(await page.getByLabel('Website (optional)').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Postal address (optional)').inputValue()).toBe('3 Whitehall Court\nLondon SW1A 2EL');
    await check('profile-01-website-error');

    await page.locator('.error-summary a').click();
    expect(await page.evaluate('document.activeElement.id')).toBe('profile-website');
    await page.getByLabel('Website (optional)').fill('https://una.org.uk');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.waitForSelector('.notice:text("Profile saved")');
    expect(await page.getByLabel('Website (optional)').inputValue()).toBe('https://una.org.uk');

    await page.getByLabel('Upload a logo').setInputFiles({ name: 'una-uk-logo.png', mimeType: 'image/png', buffer: await drawLogo() });
    await page.getByRole('button', { name: 'Upload logo' }).click();
    await page.waitForSelector('.notice:text("Logo saved.")');
    const preview = page.getByRole('img', { name: 'Your current logo' });
    expect(await preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(300);
    await check('profile-02-saved-with-logo');

    const campaign = await createPublishedCampaign(stack.app, owner.organiser);
    await page.goto(`${baseUrl}/c/${campaign.slug}`);
    const logo = page.locator('.organisation img.logo');
    expect(await logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(300);
    const ogImage = await page.locator('meta[property="og:image"]').getAttribute('content');
    expect(ogImage).toMatch(new RegExp(`^${baseUrl}/organisers/${owner.organiser.id}/logo\\?v=[0-9a-f]{16}$`));
    expect(await page.locator('meta[name="twitter:image"]').getAttribute('content')).toBe(ogImage);
    const image = await page.request.get(ogImage!);
    expect(image.headers()['content-type']).toBe('image/png');
    await check('profile-03-campaign-page-with-logo');

    // Removed, it is gone from the page and from the previews.
    await page.goto(`${baseUrl}/app/settings`);
    await page.getByRole('button', { name: 'Remove the logo' }).click();
    await page.waitForSelector('.notice:text("Logo removed.")');
    await page.goto(`${baseUrl}/c/${campaign.slug}`);
    expect(await page.locator('meta[property="og:image"]').count()).toBe(0);
    await context.close();
  }, 90_000);
});
