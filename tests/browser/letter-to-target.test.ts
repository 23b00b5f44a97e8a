/**
 * The letter the target receives, checked as they would read it: the PDF through poppler
 * (pdftotext, and page 1 drawn by pdftoppm), the mail's HTML drawn in Chromium, and the text
 * alternative. Images go to test-results/letter-to-target/ to be looked at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatLetterDate } from '../../src/templates/merge-fields.js';
import { drawLogo, useBrowserStack } from '../support/chromium.js';
import { createPublishedCampaign, newOrganiser, signAndConfirm, uniqueSuffix, waitForValue } from '../support/harness.js';
import { multipartFile } from '../support/images.js';

const ARTEFACTS = 'test-results/letter-to-target';
const FIXTURE = readFileSync('tests/fixtures/campaign-letter-2013.txt', 'utf8');
// The fixture's letter from its salutation to its sign-off, as an organiser would paste it.
const LETTER = `${FIXTURE.slice(FIXTURE.indexOf('Dear Secretary'), FIXTURE.indexOf('Sir Jeremy Greenstock'))}{{ supporter.name }}`.replace(
  'We welcome the opportunity',
  'We **strongly** welcome the _opportunity_',
);

/** Confirmed signatories in signing order, one per script a supporter's name may be in. */
const SIGNATORIES = [
  { name: 'Jane Ó Briain', postcode: 'SW1A 2AH' },
  { name: '李明', postcode: '100000' },
  { name: 'Ωμέγα Παπαδοπούλου', postcode: null },
  { name: 'Иван Петров', postcode: '101000' },
  { name: 'محمد', postcode: null },
  { name: 'राम कुमार', postcode: '110001' },
  { name: 'דוד כהן', postcode: null },
];

const { stack, handle, organiser, site } = useBrowserStack({ organiser: 'UNA-UK' });

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  const profile = await stack.app.inject({
    method: 'PUT',
    url: '/api/v1/organiser/profile',
    headers: organiser.auth,
    payload: { name: 'United Nations Association – UK', website: 'https://www.una.org.uk', postalAddress: '3 Whitehall Court\nLondon SW1A 2EL' },
  });
  if (profile.statusCode !== 200) throw new Error(`profile not saved: ${profile.body}`);
});

async function addSignatories(campaignId: string): Promise<void> {
  const tag = uniqueSuffix();
  for (const [index, signatory] of [...SIGNATORIES, { name: 'Never Confirmed', postcode: null }].entries()) {
    const confirmed = signatory.name !== 'Never Confirmed';
    await handle.pool.query(
      `WITH contact AS (INSERT INTO contacts (email, name) VALUES ($1, $2) RETURNING id)
       INSERT INTO supporters (campaign_id, contact_id, name, postcode, status, consent_statement, consent_at, confirmed_at, created_at)
       SELECT $3, id, $2, $4, $5::supporter_status, 'I agree', now(), CASE WHEN $5::supporter_status = 'confirmed' THEN now() END, now() - make_interval(days => $6::int) FROM contact`,
      [`signatory-${index}-${tag}@example.org`, signatory.name, campaignId, signatory.postcode, confirmed ? 'confirmed' : 'unconfirmed', 30 - index],
    );
  }
}

describe('the letter to the target', () => {
  it('is a letter on the letterhead, in the PDF and in the mail, with every signatory', async () => {
    const upload = multipartFile('logo', 'logo.png', 'image/png', await drawLogo(site.browser));
    expect((await stack.app.inject({ method: 'PUT', url: '/api/v1/organiser/logo', headers: { ...organiser.auth, ...upload.headers }, payload: upload.body })).statusCode).toBe(200);

    const campaign = await createPublishedCampaign(stack.app, organiser, {
      letter: { subject: 'The Responsibility to Protect', body: LETTER },
      target: {
        name: 'Rt Hon William Hague MP',
        email: `foreign.secretary-${uniqueSuffix()}@fco.gov.example`,
        address: 'Foreign and Commonwealth Office\nKing Charles Street\nLondon SW1A 2AH',
      },
    });
    const details = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json();
    await addSignatories(campaign.id);

    const delivered = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'bundle' } });
    expect(delivered.statusCode, delivered.body).toBe(202);
    const { targetLetterId } = delivered.json();
    const mail = await stack.sink.waitFor((m) => m.envelopeTo.includes(details.target.email));
    const attachment = mail.parsed.attachments.find((a) => a.filename === 'letter-and-signatories.pdf')!;
    const pdf = Buffer.from(attachment.content as ArrayBuffer);
    writeFileSync(join(ARTEFACTS, 'letter.pdf'), pdf);

    // The PDF, read back as text.
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(ARTEFACTS, 'letter.pdf'), '-'], { encoding: 'utf8' });
    const [{ created_at: requestedAt }] = (await handle.pool.query('SELECT created_at FROM target_letters WHERE id = $1', [targetLetterId])).rows;
    expect(text).not.toMatch(/^\s*[-*+] /m);
    expect(text).not.toContain('**');
    expect(text).not.toMatch(/(^|\s)_\w/);
    expect(text).toContain('Rt Hon William Hague MP\nForeign and Commonwealth Office\nKing Charles Street\nLondon SW1A 2AH');
    expect(text).toContain(formatLetterDate(requestedAt));
    expect(text).toContain('United Nations Association – UK');
    expect(text).toContain('3 Whitehall Court');
    expect(text).toContain('www.una.org.uk');
    expect(text).toContain('We strongly welcome the opportunity');
    // A bullet wrapped over three lines in the source is one sentence, not three broken lines.
    expect(text.replace(/\s+/g, ' ')).toContain('R2P is primarily a preventative political doctrine founded in international law');
    const flat = text.replace(/\s+/g, '');
    let last = -1;
    for (const signatory of SIGNATORIES) {
      const at = flat.indexOf(signatory.name.replace(/\s+/g, ''));
      expect(at, `${signatory.name} in the PDF`).toBeGreaterThan(last);
      last = at;
    }
    expect(text).not.toContain('Never Confirmed');
    expect(text).toMatch(/7 people signed this letter/);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(ARTEFACTS, 'letter.pdf')], { encoding: 'utf8' }))![1]);
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', join(ARTEFACTS, 'letter.pdf'), join(ARTEFACTS, 'pdf-page')]);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', pages, '-l', pages].map(String).concat([join(ARTEFACTS, 'letter.pdf'), join(ARTEFACTS, 'pdf-signatories')]));

    // The mail: a letter in HTML, never raw Markdown, and a text alternative that reads as one.
    const html = String(mail.parsed.html);
    expect(html).not.toContain('<pre');
    expect(html).toMatch(/<li>(<p>)?The United Kingdom should reaffirm its support/);
    expect(html).toContain(`/organisers/${organiser.id}/logo?v=`);
    expect(mail.parsed.text).toContain('• The United Kingdom should reaffirm its support');
    expect(mail.parsed.text).not.toContain('**');
    expect(mail.parsed.text).toContain('7. דוד כהן');
    const page = await site.browser.newPage({ viewport: { width: 800, height: 1100 } });
    // Mail clients load the logo from our public route; the test serves it from the app the same way.
    await page.route('**/organisers/**', async (route) => {
      const served = await stack.app.inject({ method: 'GET', url: new URL(route.request().url()).pathname });
      await route.fulfill({ status: served.statusCode, headers: served.headers as Record<string, string>, body: served.rawPayload });
    });
    await page.setContent(html, { waitUntil: 'load' });
    expect(await page.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTEFACTS, 'mail.png'), fullPage: true });
    await page.close();

    // The organiser's view of what went, and the PDF itself.
    const view = await waitForValue(
      async () => (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/target-letters`, headers: organiser.auth })).json().items[0],
      (item) => item.status === 'sent',
      'the letter to be recorded as sent',
    );
    expect(view).toMatchObject({
      id: targetLetterId,
      to: { name: 'Rt Hon William Hague MP', address: details.target.email },
      replyTo: details.replyAddress,
      subject: 'The Responsibility to Protect',
      signatories: 7,
      pdf: { url: `/api/v1/target-letters/${targetLetterId}/pdf`, bytes: pdf.length },
    });
    expect(view.smtpResponse).toMatch(/^250/);
    expect(Date.parse(view.sentAt)).toBeGreaterThanOrEqual(Date.parse(view.requestedAt));
    const one = await stack.app.inject({ method: 'GET', url: `/api/v1/target-letters/${targetLetterId}`, headers: organiser.auth });
    expect(one.json()).toEqual(view);
    const download = await stack.app.inject({ method: 'GET', url: view.pdf.url, headers: organiser.auth });
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.rawPayload.equals(pdf)).toBe(true);

    const stranger = await newOrganiser(handle, 'Another organisation');
    for (const url of [`/api/v1/target-letters/${targetLetterId}`, view.pdf.url, `/api/v1/campaigns/${campaign.id}/target-letters`]) {
      const response = await stack.app.inject({ method: 'GET', url, headers: stranger.auth });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    }
  }, 60_000);

  it('sends each supporter’s own letter, in individual mode, as a letter on the letterhead', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser, {
      letter: { subject: 'The Responsibility to Protect', body: LETTER },
      target: { name: 'Rt Hon William Hague MP', email: `fs-${uniqueSuffix()}@fco.gov.example`, address: 'Foreign and Commonwealth Office\nKing Charles Street\nLondon SW1A 2AH' },
    });
    const details = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json();
    await addSignatories(campaign.id);
    const delivered = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'individual' } });
    expect(delivered.statusCode, delivered.body).toBe(202);
    const mail = await stack.sink.waitFor((m) => m.envelopeTo.includes(details.target.email) && m.parsed.from?.name === 'Jane Ó Briain via United Nations Association – UK');
    const [{ started_at: startedAt }] = (await handle.pool.query('SELECT started_at FROM broadcasts WHERE id = $1', [delivered.json().broadcastId])).rows;

    const html = String(mail.parsed.html);
    expect(html).not.toContain('<pre');
    expect(html).toContain(`/organisers/${organiser.id}/logo?v=`);
    const page = await site.browser.newPage({ viewport: { width: 800, height: 1100 } });
    await page.route('**/organisers/**', async (route) => {
      const served = await stack.app.inject({ method: 'GET', url: new URL(route.request().url()).pathname });
      await route.fulfill({ status: served.statusCode, headers: served.headers as Record<string, string>, body: served.rawPayload });
    });
    await page.setContent(html, { waitUntil: 'load' });
    mkdirSync('test-results/screenshots', { recursive: true });
    await page.screenshot({ path: 'test-results/screenshots/individual-letter-mail.png', fullPage: true });
    const seen = await page.locator('body').innerText();
    await page.close();
    for (const text of [seen, mail.parsed.text!]) {
      expect(text).toContain('United Nations Association – UK');
      expect(text).toContain('3 Whitehall Court');
      expect(text).toContain('Rt Hon William Hague MP\nForeign and Commonwealth Office\nKing Charles Street\nLondon SW1A 2AH');
      expect(text).toContain(formatLetterDate(startedAt));
      expect(text).toContain('We strongly welcome the opportunity');
      expect(text).toContain('Jane Ó Briain\nSW1A 2AH\nSent on their behalf by United Nations Association – UK');
      expect(text).not.toContain('**');
      expect(text).not.toMatch(/(^|\s)_\w/);
      expect(text).not.toMatch(/^\s*[-*+] /m);
      // One supporter's letter: no one else's name.
      expect(text).not.toContain('李明');
    }
    expect(mail.parsed.text).toContain('• The United Kingdom should reaffirm its support');
  }, 60_000);

  it('puts the organisation’s line at the foot of a supporter’s mail', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const { confirmation } = await signAndConfirm(stack, campaign.slug, { name: 'Jane Ó Briain', email: `jane-${uniqueSuffix()}@example.org` });
    const line = 'United Nations Association – UK · 3 Whitehall Court, London SW1A 2EL · www.una.org.uk';
    expect(confirmation.parsed.text).toContain(line);
    expect(String(confirmation.parsed.html)).toContain(line);
  });
});
