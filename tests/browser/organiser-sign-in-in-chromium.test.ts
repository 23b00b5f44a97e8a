/**
 * An organiser signing in to the web app in headless Chromium, from the link in the mail that reaches
 * the SMTP sink, then using the settings: the form by keyboard alone, an invitation with a mistake
 * and its fix, a new API key. Each screen is screenshotted to test-results/organiser-sign-in/ and
 * checked with axe-core: no serious or critical violation.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowserStack } from '../support/chromium.js';
import { checkScreen, watchCsp } from '../support/screens.js';
import { linkIn, newOrganiser, uniqueSuffix } from '../support/harness.js';

const SCREENSHOTS = 'test-results/organiser-sign-in';

const { stack, handle, site } = useBrowserStack({ linksLeadHere: true });

beforeAll(() => {
  mkdirSync(SCREENSHOTS, { recursive: true });
});

let blocked: string[] = [];
const check = (page: Page, name: string) => checkScreen(page, `${SCREENSHOTS}/${name}.png`, blocked);

/** Tabs forward until the element matching `selector` has focus, as a keyboard user would. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 20; presses += 1) {
    if (await page.locator(selector).evaluate((element) => element === element.ownerDocument.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} never got focus from the keyboard`);
}

describe('an organiser signing in', () => {
  it('asks for a link by keyboard, signs in from the mail, and manages people and keys', async () => {
    const organiser = await newOrganiser(handle, 'UNA-UK');
    const { rows } = await handle.pool.query<{ email: string }>('SELECT email FROM users WHERE organiser_id = $1', [organiser.id]);
    const email = rows[0]!.email;
    const context = await site.browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    blocked = watchCsp(page);

    await page.goto(`${site.baseUrl}/app/settings`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await check(page, '01-sign-in');

    // The skip link comes first, then the form is reachable and sent by keyboard alone.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to main content');
    await tabTo(page, '#email');
    await page.keyboard.type(email);
    const seen = new Set(stack.sink.received);
    await page.keyboard.press('Enter');
    await page.waitForSelector('h1:text("Check your inbox")');
    await check(page, '02-check-your-inbox');

    const mail = await stack.sink.waitFor((m) => !seen.has(m) && m.envelopeTo.includes(email));
    const link = linkIn(mail.parsed.text!.replaceAll(site.baseUrl, 'https://letters.example.org'), '/app/sign-in/');
    const mailView = await context.newPage();
    await mailView.setContent(mail.parsed.html as string);
    await mailView.screenshot({ path: `${SCREENSHOTS}/03-sign-in-mail.png`, fullPage: true });
    await mailView.close();

    await page.goto(`${site.baseUrl}${link}`);
    await check(page, '04-sign-in-button');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${site.baseUrl}/app/campaigns`);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.waitForSelector('h1:text("Settings")');
    expect(await page.getByRole('link', { name: 'Settings' }).getAttribute('aria-current')).toBe('page');
    expect(await page.locator('.app-user').innerText()).toContain(email);
    await check(page, '05-settings');

    // An invitation with a mistake: the error beside the field, summarised at the top.
    await page.getByLabel('Email address').fill('sam.example.org');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.waitForSelector('#invite-email-error');
    expect(await page.locator('.error-summary').innerText()).toContain('Enter an email address in the right format');
    expect(await page.getByLabel('Email address').getAttribute('aria-invalid')).toBe('true');
    await check(page, '06-invite-error');
    await page.locator('.error-summary a').click();
    expect(await page.evaluate('document.activeElement.id')).toBe('invite-email');
    const colleague = `sam-${uniqueSuffix()}@example.org`;
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(colleague);
    await page.getByLabel('Name (optional)').fill('Sam Colleague');
    await page.getByLabel('Role', { exact: true }).selectOption('owner');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.waitForSelector('.notice:text("Invitation sent.")');
    expect(await page.locator('table').first().innerText()).toContain(colleague);
    await check(page, '07-invited');

    await page.getByRole('button', { name: 'Create an API key' }).click();
    await page.waitForSelector('h1:text("Your new API key")');
    const apiKey = await page.getByLabel('API key').inputValue();
    expect(apiKey).toMatch(/^clk_[A-Za-z0-9_-]{43}$/);
    await check(page, '08-new-api-key');

    await page.goto(`${site.baseUrl}/app/settings`);
    await page.getByRole('link', { name: `Revoke ${apiKey.slice(0, 12)}` }).click();
    await check(page, '09-revoke-confirmation');
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.waitForSelector('.notice:text("The API key is revoked")');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForSelector('.notice:text("You have signed out.")');
    await check(page, '10-signed-out');
    await page.goto(`${site.baseUrl}/app/settings`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await context.close();
  }, 90_000);
});
