/**
 * The organiser's whole journey in headless Chromium, as a person does it: a sign-in link from the
 * mail, the 2013 campaign letter typed into the editor with merge fields, the live preview merging
 * a name, a misspelt merge field fixed from the error the preview shows, publishing by keyboard, three
 * supporters signing on the public page, and the overview's counts, chart and supporters list
 * changing. Every screen is screenshotted to test-results/organiser-journey/ and checked with axe
 * (no serious or critical violation).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserStack } from '../support/chromium.js';
import { pageProblems, screenRecorder, textOf } from '../support/screens.js';
import { linkIn, newOrganiser, uniqueSuffix, waitForValue } from '../support/harness.js';

const SHOTS = 'test-results/organiser-journey';

const { stack, handle, site } = useBrowserStack();

const capture = screenRecorder(SHOTS);

/** The letter of tests/fixtures, from its greeting to its close, signed with merge fields (one misspelt). */
function fixtureLetter(): string {
  const text = readFileSync('tests/fixtures/campaign-letter-2013.txt', 'utf8');
  const letter = text.slice(text.indexOf('Dear Secretary of State,'), text.indexOf('Yours sincerely,') + 'Yours sincerely,'.length);
  // Lines the PDF extraction broke mid-sentence (they start with a space) joined again, as an organiser would.
  return `${letter.replace(/\n (?=\S)/g, ' ')}\n\n{{ supporter.nmae }}\n{{ supporter.postcode }}\nSigned on {{ signed_at }}`;
}

/** Presses Tab until the focused element's text is `label`: the keyboard user's way to a control. */
async function tabTo(page: Page, label: string): Promise<void> {
  for (let presses = 0; presses < 60; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = (await page.locator(':focus').textContent())?.trim() ?? '';
    if (focused === label) return;
  }
  throw new Error(`“${label}” never took the focus by Tab`);
}

describe('the organiser’s journey', () => {
  it('signs in from the mail, writes, previews, fixes and publishes the letter, and watches supporters arrive', async () => {
    const organiser = await newOrganiser(handle, 'UNA-UK');
    // The address given to create-organiser is the organiser's first user, an owner.
    const { email } = (await handle.pool.query<{ email: string }>('SELECT email FROM organisers WHERE id = $1', [organiser.id])).rows[0]!;
    const context = await site.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = pageProblems(page);

    // Signed out, the app leads to the sign-in page; the link comes by mail.
    await page.goto(`${site.baseUrl}/app/campaigns`);
    await textOf(page, 'h1', 'Sign in');
    await capture(page, 'sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await textOf(page, 'h1', 'Check your inbox');
    await capture(page, 'check-your-inbox');
    const mail = await stack.sink.waitFor((m) => m.envelopeTo.includes(email));
    await page.goto(`${site.baseUrl}${linkIn(mail.parsed.text!, '/app/sign-in/')}`);
    await capture(page, 'sign-in-link');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await textOf(page, 'h1', 'Campaigns');
    await capture(page, 'campaigns-empty', { axe: false });

    // Write the campaign, the letter from the fixture with a misspelt merge field.
    await page.getByRole('link', { name: 'New campaign' }).click();
    await textOf(page, 'h1', 'New campaign');
    const slug = `responsibility-to-protect-${uniqueSuffix()}`;
    await page.getByLabel('Title', { exact: true }).fill('The Responsibility to Protect');
    await page.getByLabel(/^Web address/).fill(slug);
    await page.getByLabel(/^Summary/).fill('Ask the Foreign Secretary to make the 2013 UN dialogue on R2P count.');
    await page.getByLabel(/^Letter subject/).fill('The Responsibility to Protect – a letter from {{ supporter.first_name }}');
    await page.getByLabel(/^Letter Markdown/).fill(fixtureLetter());
    await page.getByLabel(/^Target’s name/).fill('The Rt Hon William Hague MP');
    await page.getByLabel(/^Target’s email/).fill('foreign.secretary@fco.gov.example');
    await page.getByLabel(/^Target’s postal/).fill('Foreign and Commonwealth Office\nKing Charles Street\nLondon SW1A 2AH');
    await page.getByLabel(/^Sender name/).fill('United Nations Association – UK');
    await page.getByLabel(/^Sender email/).fill('campaigns@una.org.example');
    await page.getByLabel(/^Allowed reply senders/).fill('fco.gov.example');

    // The live preview (no button pressed) points at the typo, with its line and column.
    const problem = await textOf(page, '#letter-preview', 'supporter.nmae');
    expect(problem).toMatch(/unknown merge field "supporter.nmae".* on line \d+, column 4\./s);
    await page.locator('#letter-preview').scrollIntoViewIfNeeded();
    await capture(page, 'preview-shows-the-typo');

    // Saving anyway is refused, the error beside the letter and in the summary at the top; its link
    // leads to the letter.
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await textOf(page, '.error-summary', 'There is a problem');
    expect(await page.locator('[id="letter.body-error"]').innerText()).toMatch(/Unknown merge field "supporter.nmae".*\(line \d+, column 4\)/s);
    await capture(page, 'save-refused');
    await page.locator('.error-summary a').click();
    expect(await page.locator(':focus').getAttribute('id')).toBe('letter.body');
    await page.getByLabel(/^Letter/).and(page.locator('textarea')).fill(fixtureLetter().replace('supporter.nmae', 'supporter.name'));
    const merged = await textOf(page, '#letter-preview', 'Yours sincerely,\n\nJane Ó Briain');
    expect(merged).toContain('The Responsibility to Protect – a letter from Jane');
    expect(merged).toContain('Signed on 4 September 2013');
    await capture(page, 'preview-merged', { axe: false });

    await page.getByRole('button', { name: 'Create campaign' }).click();
    await textOf(page, '.notice', 'The campaign is created as a draft.');
    await capture(page, 'overview-draft', { axe: false });

    // Publish by keyboard: Tab to the link, Enter; then Tab to the button on the page that asks first, Enter.
    await tabTo(page, 'Publish…');
    await page.keyboard.press('Enter');
    await textOf(page, 'h1', 'Publish this campaign?');
    await capture(page, 'publish-confirmation');
    await tabTo(page, 'Publish the campaign');
    await page.keyboard.press('Enter');
    await textOf(page, '.notice', 'The campaign is published');
    expect(await page.locator('.status').innerText()).toContain('Open for signatures');
    expect(await page.locator('.counts').innerText()).toMatch(/0\s*pending confirmation\s*0\s*confirmed/);

    // Three supporters sign on the public page; two confirm from their mail.
    const visitorContext = await site.browser.newContext();
    const visitor = await visitorContext.newPage();
    const supporters = ['Grace Hopper', 'Ada Lovelace', 'Alan Turing'].map((name) => ({ name, email: `${name.split(' ')[0]!.toLowerCase()}-${uniqueSuffix()}@example.org` }));
    for (const [index, supporter] of supporters.entries()) {
      await visitor.goto(`${site.baseUrl}/c/${slug}`);
      if (index === 0) await capture(visitor, 'public-page');
      await visitor.getByLabel('Full name').fill(supporter.name);
      await visitor.getByLabel(/Email address/).fill(supporter.email);
      await visitor.getByLabel(/I agree/).check();
      await visitor.getByRole('button', { name: 'Sign the letter' }).click();
      await textOf(visitor, 'h1', 'Check your inbox');
      if (index === 0) await capture(visitor, 'public-signed');
    }
    for (const [index, supporter] of supporters.slice(0, 2).entries()) {
      const confirmation = await stack.sink.waitFor((m) => m.envelopeTo.includes(supporter.email));
      await visitor.goto(`${site.baseUrl}${linkIn(confirmation.parsed.text!, '/confirm/')}`);
      if (index === 0) await capture(visitor, 'public-confirm');
      await visitor.getByRole('button', { name: 'Confirm my signature' }).click();
      await textOf(visitor, 'h1', 'Thank you: your signature is confirmed');
      if (index === 0) await capture(visitor, 'public-confirmed');
    }
    await visitorContext.close();

    // The overview has changed: counts, the chart's day, the timeline.
    await page.reload();
    expect(await page.locator('.counts').innerText()).toMatch(/1\s*pending confirmation\s*2\s*confirmed\s*0\s*unsubscribed/);
    expect(await page.locator('svg desc').textContent()).toMatch(/^3 sign-ups from .*; the most in one day was 3, on /);
    expect(await page.locator('.timeline').innerText()).toContain('Published: the public page opened for signatures');
    await capture(page, 'overview-with-supporters');

    await page.getByRole('link', { name: 'Supporters', exact: true }).click();
    await textOf(page, 'h1', 'Supporters');
    expect(await page.locator('table.supporters tbody th').allInnerTexts()).toEqual(['Alan Turing', 'Ada Lovelace', 'Grace Hopper']);
    await capture(page, 'supporters');
    await page.getByLabel('Name or email address').fill('ada');
    await page.getByRole('button', { name: 'Search' }).click();
    await textOf(page, 'caption', 'Supporters matching your search');
    expect(await page.locator('table.supporters tbody th').allInnerTexts()).toEqual(['Ada Lovelace']);
    await capture(page, 'supporters-search', { axe: false });

    // The letter goes to the target and the reply comes back by post (through the API, as an
    // integration would): the timeline tells both, once the workers have sent them.
    const campaignId = /\/app\/campaigns\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const api = (url: string, payload: object) => stack.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: organiser.auth, payload });
    expect((await api(`/campaigns/${campaignId}/deliver-letter`, { mode: 'bundle' })).statusCode).toBe(202);
    const reply = await api(`/campaigns/${campaignId}/replies`, { fromAddress: 'minister@fco.gov.example', subject: 'Your letter on R2P', body: 'Thank you for your letter.' });
    expect((await api(`/replies/${reply.json<{ id: string }>().id}/approve`, {})).statusCode).toBe(200);
    await page.goto(`${site.baseUrl}/app/campaigns/${campaignId}`);
    const timeline = await waitForValue(
      async () => {
        await page.reload();
        return page.locator('.timeline').innerText();
      },
      (text) => text.includes('Reply forwarded to 2 supporters') && text.includes('Letter delivered to The Rt Hon William Hague MP, with 2 signatories'),
      'the letter delivered and the reply forwarded',
    );
    expect(timeline).toContain('Reply received from minister@fco.gov.example');
    await capture(page, 'overview-timeline');

    // The published letter is locked in the editor; the preview can merge a real supporter.
    await page.goto(`${site.baseUrl}/app/campaigns`);
    await textOf(page, 'table.campaigns', 'Open for signatures');
    await capture(page, 'campaigns-list');
    await page.getByRole('link', { name: 'The Responsibility to Protect' }).click();
    await page.getByRole('link', { name: 'Edit campaign' }).click();
    expect(await page.locator('textarea[name="letter.body"]').getAttribute('readonly')).toBe('');
    await page.getByLabel('Preview for a supporter').fill('Grace');
    await textOf(page, '#letter-preview', 'As Grace Hopper would receive it.');
    await capture(page, 'edit-published');

    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
