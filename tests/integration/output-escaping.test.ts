/**
 * What people type is shown as text wherever it is shown. Markup in a supporter's name, in an
 * organiser's campaign fields or letter, or in an official reply never runs on the public pages or in
 * the HTML of our mail (it is escaped, or stripped by the sanitiser); the organiser gets it as JSON,
 * never as HTML. In CSV (the organiser's export and the signatory list sent to the target) a cell a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR) is neutralised, and a line break inside a
 * value cannot start a new row.
 */
import { describe, expect, it } from 'vitest';
import { createPublishedCampaign, linkIn, signAndConfirm, uniqueSuffix } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';

const { stack, handle, organiser } = useTestStack({ organiser: 'UNA-UK' });

const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const XSS = `${SCRIPT}${IMG}<svg onload=alert(1)>`;

/** No element that runs script, loads from elsewhere or restyles the page, and no event handler or javascript: URL. */
function expectNothingActive(html: string, where: string): void {
  expect(html, where).not.toMatch(/<(script|img|svg|iframe|object|embed|style|math|base|meta http-equiv)\b/i);
  // Outside quoted attribute values: text escaped inside one (a preview tag's content="…") is inert.
  expect(html.replace(/="[^"]*"/g, '=""'), where).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
  expect(html, where).not.toMatch(/(href|src|action)\s*=\s*["']?\s*(javascript|data|vbscript):/i);
}

const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('markup typed by organisers, supporters and officials', () => {
  it('is text on every public page and in the HTML of every mail', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser, {
      title: `Title ${XSS}`,
      summary: `Summary ${XSS}`,
      target: { name: `Minister ${XSS}`, email: 'minister@fco.gov.example', address: `King Charles Street ${XSS}` },
      sender: { name: `UNA ${XSS}`, email: 'campaigns@una.org.example' },
      consentStatement: `I agree ${XSS}`,
      replyPolicy: { mode: 'auto', allowedSenders: ['fco.gov.example'] },
      letter: {
        subject: 'From {{ supporter.name }}',
        body: `Dear {{ campaign.target.name }},\n\n${XSS} <a href="javascript:alert(1)">link</a> [click](javascript:alert(1)) <iframe src="https://evil.example"></iframe> <style>body{display:none}</style>\n\nYours, {{ supporter.name }}`,
      },
    });
    const name = `Eve ${IMG} ${SCRIPT}`;
    const email = `markup-${uniqueSuffix()}@example.org`;

    const page = await stack.app.inject({ method: 'GET', url: `/c/${campaign.slug}` });
    expect(page.statusCode).toBe(200);
    expectNothingActive(page.body, 'campaign page');
    for (const field of ['Title', 'Summary', 'Minister', 'King Charles Street', 'I agree']) {
      expect(page.body, field).toContain(`${field} ${escaped(SCRIPT)}`);
    }

    const { confirmation, confirmPath } = await signAndConfirm(stack, campaign.slug, { name, email });
    expectNothingActive(confirmation.parsed.html!, 'confirmation mail');
    expect(confirmation.parsed.html).toContain(escaped(SCRIPT));
    const confirmPage = await stack.app.inject({ method: 'GET', url: confirmPath });
    expectNothingActive(confirmPage.body, 'confirm page');
    expect(confirmPage.body).toContain(escaped(SCRIPT));

    const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(email) && m !== confirmation);
    expectNothingActive(copy.parsed.html!, 'letter copy');
    expect(copy.parsed.html).toContain(`Eve &quot;&gt;&lt;img src=x onerror=alert(1)&gt;`);
    const unsubscribePath = linkIn(copy.parsed.text!, '/u/');
    const unsubscribePage = await stack.app.inject({ method: 'GET', url: unsubscribePath });
    expectNothingActive(unsubscribePage.body, 'unsubscribe page');
    expect(unsubscribePage.body).toContain(`UNA ${escaped(SCRIPT)}`);

    const preview = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/preview`, headers: organiser.auth, payload: {} });
    expectNothingActive(preview.json().html, 'preview');

    // The organiser sees the name exactly as typed, as JSON data, never as a page.
    const listed = await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters`, headers: organiser.auth });
    expect(listed.headers['content-type']).toMatch(/^application\/json/);
    expect(listed.headers['x-content-type-options']).toBe('nosniff');
    expect(listed.json().items.map((s: { name: string }) => s.name)).toEqual([name]);

    // An official reply written in HTML, forwarded and shown on the campaign page.
    const reply = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/replies`,
      headers: organiser.auth,
      payload: {
        fromAddress: 'minister@fco.gov.example',
        fromName: `The Minister ${XSS}`,
        subject: 'Our reply',
        format: 'html',
        body: `<p onclick="alert(1)">We reply.</p>${XSS}<a href="javascript:alert(1)">more</a><iframe src="https://evil.example"></iframe>`,
      },
    });
    expect(reply.statusCode).toBe(201);
    expectNothingActive(reply.json().html, 'reply as the organiser gets it');
    const forwarded = await stack.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject!.startsWith('The reply to'));
    expectNothingActive(forwarded.parsed.html!, 'forwarded reply');
    expect(forwarded.parsed.html).toContain('We reply.');
    const withReply = await stack.app.inject({ method: 'GET', url: `/c/${campaign.slug}` });
    expect(withReply.body).toContain('We reply.');
    expectNothingActive(withReply.body, 'campaign page with the reply');
    expect(withReply.body).toContain(`The Minister ${escaped(SCRIPT)}`);

    // The person's own data: a JSON download, not a page.
    await stack.app.inject({ method: 'POST', url: '/privacy', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `email=${encodeURIComponent(email)}` });
    const dataMail = await stack.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject!.startsWith('Your data'));
    expectNothingActive(dataMail.parsed.html!, 'data mail');
    const privacyPath = linkIn(dataMail.parsed.text!, '/privacy/');
    const download = await stack.app.inject({ method: 'POST', url: `${privacyPath}/download` });
    expect(download.headers['content-type']).toMatch(/^application\/json/);
    expect(download.headers['content-disposition']).toContain('attachment');
    expect(download.json().contact.name).toBe(name);
  });
});

/**
 * RFC 4180, as a spreadsheet reads it: quoted cells may hold separators, quotes and line breaks. A
 * spreadsheet in a locale whose list separator is `;` reads the file with `;`.
 */
function parseCsv(text: string, separator = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === separator) {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += char;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

/** What a spreadsheet would evaluate: a cell starting with one of these. */
const FORMULA = /^[=+\-@\t\r]/;

describe('CSV', () => {
  it('neutralises every formula start, and keeps a line break inside its cell, in the export and in the list sent to the target', async () => {
    const targetEmail = `minister-${uniqueSuffix()}@fco.gov.example`;
    const campaign = await createPublishedCampaign(stack.app, organiser, { target: { name: 'Minister', email: targetEmail, address: null } });
    const tag = uniqueSuffix();
    const people = [
      { name: '=HYPERLINK("evil","x")', email: `eq-${tag}@example.org` },
      { name: '+SUM(1,2)', email: `+plus-${tag}@example.org` },
      { name: '-2+3', email: `-minus-${tag}@example.org`, postcode: '-1' },
      { name: '@SUM(A1:A2)', email: `at-${tag}@example.org` },
      { name: 'Tab', email: `tab-${tag}@example.org` },
      { name: 'Return', email: `cr-${tag}@example.org` },
      { name: 'Newline', email: `nl-${tag}@example.org` },
      { name: 'Doe; =1+1', email: `semicolon-${tag}@example.org`, postcode: 'N1 9GU' },
    ];
    for (const person of people) await signAndConfirm(stack, campaign.slug, person);
    // The API refuses control characters in names; these come as if imported from elsewhere.
    for (const [from, to] of [
      ['Tab', '\t=1+1'],
      ['Return', '\r=1+1'],
      ['Newline', 'Line one\r\n=cmd|\' /C calc\'!A0,x'],
    ]) {
      await handle.pool.query('UPDATE supporters SET name = $3 WHERE campaign_id = $1 AND name = $2', [campaign.id, from, to]);
    }

    const exported = await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters/export.csv`, headers: organiser.auth });
    expect(exported.statusCode).toBe(200);
    const rows = parseCsv(exported.body);
    expect(rows[0]).toEqual(['name', 'email', 'postcode', 'signed_at', 'confirmed_at', 'subscribed']);
    expect(rows).toHaveLength(people.length + 1);
    for (const row of rows.slice(1)) {
      expect(row).toHaveLength(6);
      for (const cell of row) expect(cell, JSON.stringify(row)).not.toMatch(FORMULA);
    }
    const names = rows.slice(1).map((row) => row[0]);
    expect(names).toEqual(
      expect.arrayContaining(["'=HYPERLINK(\"evil\",\"x\")", "'+SUM(1,2)", "'-2+3", "'@SUM(A1:A2)", "'\t=1+1", "'\r=1+1", "Line one\r\n=cmd|' /C calc'!A0,x"]),
    );
    expect(rows.slice(1).map((row) => row[1])).toEqual(expect.arrayContaining([`'+plus-${tag}@example.org`, `'-minus-${tag}@example.org`]));
    expect(rows.slice(1).find((row) => row[0] === "'-2+3")![2]).toBe("'-1");
    expect(rows.slice(1).find((row) => row[0] === 'Doe; =1+1')![2]).toBe('N1 9GU');
    // Opened where `;` separates: no cell starts a formula, and "Doe; =1+1" is not split into two.
    const semicolonRows = parseCsv(exported.body, ';');
    expect(semicolonRows).toHaveLength(people.length + 1);
    for (const row of semicolonRows) {
      for (const cell of row) expect(cell, JSON.stringify(row)).not.toMatch(FORMULA);
    }
    expect(semicolonRows.flat().some((cell) => /^ ?=1\+1/.test(cell))).toBe(false);

    await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'bundle' } });
    const bundle = await stack.sink.waitFor((m) => m.envelopeTo.includes(targetEmail), 30_000);
    const attachment = bundle.parsed.attachments.find((a) => a.filename === 'signatories.csv')!;
    const content = typeof attachment.content === 'string' ? attachment.content : new TextDecoder().decode(attachment.content);
    const signatories = parseCsv(content);
    for (const row of parseCsv(content, ';')) {
      for (const cell of row) expect(cell, JSON.stringify(row)).not.toMatch(FORMULA);
    }
    expect(signatories[0]).toEqual(['name', 'postcode', 'signed_at']);
    expect(signatories).toHaveLength(people.length + 1);
    for (const row of signatories.slice(1)) {
      expect(row).toHaveLength(3);
      for (const cell of row) expect(cell, JSON.stringify(row)).not.toMatch(FORMULA);
    }
  });
});
