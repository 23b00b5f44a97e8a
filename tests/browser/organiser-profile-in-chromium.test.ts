/**
 * An owner fills in the organisation's profile in /app/settings in headless Chromium: a website
 * typed without its https:// comes back beside its field and in the summary, then the fixed profile
 * is saved and a logo uploaded from a file; the campaign page then shows the logo and gives it to
 * link previews. Screens go to test-results/screenshots/ and pass axe-core (no serious or critical).
 */
import { mkdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/organiser-app/session-cookie.js';
import { signIn } from '../support/app-session.js';
import { drawLogo, useBrowserStack } from '../support/chromium.js';
import { createPublishedCampaign } from '../support/harness.js';
import { checkScreen, watchCsp } from '../support/screens.js';

const SCREENSHOTS = 'test-results/screenshots';

// The preview tags' image address is absolute, from PUBLIC_BASE_URL: here, where this server listens.
const { stack, handle, site } = useBrowserStack({ linksLeadHere: true });

beforeAll(() => {
  mkdirSync(SCREENSHOTS, { recursive: true });
});

describe('the organisation profile', () => {
  it('is filled in and given a logo in settings, and the campaign page shows it', async () => {
    const owner = await signIn(handle, { config: stack.config, name: 'Jane Owner' });
    const context = await site.browser.newContext({ viewport: { width: 1024, height: 768 } });
    await context.addCookies([{ name: SESSION_COOKIE, value: owner.cookie.split('=')[1]!, url: site.baseUrl }]);
    const page = await context.newPage();
    const blocked = watchCsp(page);
    const check = (name: string) => checkScreen(page, `${SCREENSHOTS}/${name}.png`, blocked);

    await page.goto(`${site.baseUrl}/app/settings`);
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

    await page.getByLabel('Upload a logo').setInputFiles({ name: 'una-uk-logo.png', mimeType: 'image/png', buffer: await drawLogo(site.browser) });
    await page.getByRole('button', { name: 'Upload logo' }).click();
    await page.waitForSelector('.notice:text("Logo saved.")');
    const preview = page.getByRole('img', { name: 'Your current logo' });
    expect(await preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(300);
    await check('profile-02-saved-with-logo');

    const campaign = await createPublishedCampaign(stack.app, owner.organiser);
    await page.goto(`${site.baseUrl}/c/${campaign.slug}`);
    const logo = page.locator('.organisation img.logo');
    expect(await logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(300);
    const ogImage = await page.locator('meta[property="og:image"]').getAttribute('content');
    expect(ogImage).toMatch(new RegExp(`^${site.baseUrl}/organisers/${owner.organiser.id}/logo\\?v=[0-9a-f]{16}$`));
    expect(await page.locator('meta[name="twitter:image"]').getAttribute('content')).toBe(ogImage);
    const image = await page.request.get(ogImage!);
    expect(image.headers()['content-type']).toBe('image/png');
    await check('profile-03-campaign-page-with-logo');

    // Removed, it is gone from the page and from the previews.
    await page.goto(`${site.baseUrl}/app/settings`);
    await page.getByRole('button', { name: 'Remove the logo' }).click();
    await page.waitForSelector('.notice:text("Logo removed.")');
    await page.goto(`${site.baseUrl}/c/${campaign.slug}`);
    expect(await page.locator('meta[property="og:image"]').count()).toBe(0);
    await context.close();
  }, 90_000);
});
