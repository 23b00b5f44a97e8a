import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emailHash } from '../../src/supporters/email-address.js';
import { createPublishedCampaign, linkIn, newOrganiser, signAndConfirm, uniqueSuffix, waitForValue } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { countRows } from '../support/seed.js';

const { stack, handle, organiser } = useTestStack({ organiser: 'UNA-UK' });

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('a supporter’s data rights', () => {
  it('treats every letter case of an address as one person: sign-up, export and erasure', async () => {
    const first = await createPublishedCampaign(stack.app, organiser);
    const second = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    // The sign form takes ASCII addresses only; non-ASCII capitals: tests/unit and the migration's test.
    const stored = `elodie.${tag}@example.org`;
    await signAndConfirm(stack, first.slug, { name: 'Élodie Case', email: `ELODIE.${tag.toUpperCase()}@EXAMPLE.ORG` });
    await signAndConfirm(stack, second.slug, { name: 'Élodie Case', email: stored });
    const again = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${first.slug}/signatures`,
      payload: { name: 'Élodie Case', email: `Elodie.${tag}@Example.Org`, consent: true },
    });
    expect(again.statusCode).toBe(202);
    const contacts = await handle.pool.query<{ id: string; email: string }>('SELECT c.id, c.email FROM contacts c JOIN supporters s ON s.contact_id = c.id WHERE s.name = $1', ['Élodie Case']);
    expect(contacts.rows).toEqual([{ id: contacts.rows[0]!.id, email: stored }, { id: contacts.rows[0]!.id, email: stored }]);

    await stack.app.inject({ method: 'POST', url: '/privacy', headers: form, payload: `email=${encodeURIComponent(`ELODIE.${tag}@example.org`)}` });
    const linkMail = await stack.sink.waitFor((m) => m.envelopeTo.includes(stored) && m.parsed.subject!.startsWith('Your data'));
    const privacyPath = linkIn(linkMail.parsed.text!, '/privacy/');
    const data = (await stack.app.inject({ method: 'POST', url: `${privacyPath}/download` })).json();
    expect(data.contact.email).toBe(stored);
    expect(data.signatures).toHaveLength(2);

    expect((await stack.app.inject({ method: 'POST', url: `${privacyPath}/erase` })).statusCode).toBe(200);
    expect(await countRows(handle, "SELECT count(*) AS n FROM supporters WHERE name = 'Élodie Case'", [])).toBe(0);
    expect(await countRows(handle, 'SELECT count(*) AS n FROM contacts WHERE id = $1', [contacts.rows[0]!.id])).toBe(0);
    // The suppression holds for every case of it.
    expect(emailHash(`ELODIE.${tag.toUpperCase()}@example.org`)).toEqual(emailHash(stored));
  });

  it('exports what each broadcast sent them, and the letter sent to the target in their name', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const email = `broadcasts-${uniqueSuffix()}@example.org`;
    await signAndConfirm(stack, campaign.slug, { name: 'Bea Broadcast', email });
    const broadcastDone = async (id: string) =>
      waitForValue(
        async () => (await stack.app.inject({ method: 'GET', url: `/api/v1/broadcasts/${id}`, headers: organiser.auth })).json<{ status: string }>().status,
        (status) => status === 'completed',
        `broadcast ${id} completed`,
      );
    const created = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/broadcasts`,
      headers: organiser.auth,
      payload: { kind: 'update', subject: 'News about the letter', body: 'Dear {{ supporter.name }},\n\nIt went.' },
    });
    const update = created.json<{ id: string }>();
    await stack.app.inject({ method: 'POST', url: `/api/v1/broadcasts/${update.id}/start`, headers: organiser.auth });
    await broadcastDone(update.id);
    const delivered = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'individual' } });
    await broadcastDone(delivered.json<{ broadcastId: string }>().broadcastId);

    await stack.app.inject({ method: 'POST', url: '/privacy', headers: form, payload: `email=${encodeURIComponent(email)}` });
    const linkMail = await stack.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject!.startsWith('Your data'));
    const data = (await stack.app.inject({ method: 'POST', url: `${linkIn(linkMail.parsed.text!, '/privacy/')}/download` })).json();
    expect(data.broadcasts).toEqual([
      expect.objectContaining({ kind: 'update', to: 'you', subject: 'News about the letter', status: 'sent', serverAnswer: expect.stringMatching(/^250/) }),
      expect.objectContaining({ kind: 'letter', to: 'the target, in your name', status: 'sent' }),
    ]);
    expect(Date.parse(data.broadcasts[0].sentAt)).not.toBeNaN();
    expect(data.mail.find((m: { kind: string }) => m.kind === 'letter_copy')).toMatchObject({ status: 'sent', serverAnswer: expect.stringMatching(/^250/) });
  });

  it('removes an erased signatory’s name from our stored copy of the letter sent to the target, saying so', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await signAndConfirm(stack, campaign.slug, { name: 'Ada Keep', email: `keep-${tag}@example.org`, postcode: 'SW1A 2AH' });
    await signAndConfirm(stack, campaign.slug, { name: 'Zed Erase', email: `erase-${tag}@example.org`, postcode: 'EC1A 1BB' });
    const delivered = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'bundle' } });
    const { targetLetterId } = delivered.json();
    const record = async () => (await stack.app.inject({ method: 'GET', url: `/api/v1/target-letters/${targetLetterId}`, headers: organiser.auth })).json();
    await waitForValue(record, (letter) => letter.status === 'sent', 'the bundle sent');
    const pdfText = async () => {
      const pdf = (await stack.app.inject({ method: 'GET', url: `/api/v1/target-letters/${targetLetterId}/pdf`, headers: organiser.auth })).rawPayload;
      const file = join(mkdtempSync(join(tmpdir(), 'letter-')), 'letter.pdf');
      writeFileSync(file, pdf);
      return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    };
    const before = await pdfText();
    expect(before).toContain('Ada Keep');
    expect(before).toContain('Zed Erase');

    await stack.app.inject({ method: 'POST', url: '/privacy', headers: form, payload: `email=${encodeURIComponent(`erase-${tag}@example.org`)}` });
    const linkMail = await stack.sink.waitFor((m) => m.envelopeTo.includes(`erase-${tag}@example.org`) && m.parsed.subject!.startsWith('Your data'));
    const privacyPath = linkIn(linkMail.parsed.text!, '/privacy/');
    const page = await stack.app.inject({ method: 'GET', url: privacyPath });
    expect(page.body).toContain('your name from the copies we keep of letters sent to targets');
    expect((await stack.app.inject({ method: 'POST', url: `${privacyPath}/erase` })).statusCode).toBe(200);

    const after = await pdfText();
    expect(after).not.toContain('Zed Erase');
    expect(after).not.toContain('EC1A 1BB');
    expect(after).toContain('Ada Keep');
    expect(after.replace(/\s+/g, ' ')).toContain('This is our copy of the letter sent with 2 names: 1 name was removed from it since, at the signatories’ request.');
    expect(after).toContain('Rt Hon William Hague MP');
    // The record of what was sent still says what was sent.
    expect(await record()).toMatchObject({ status: 'sent', signatories: 2 });
  });

  it('mails a link, downloads everything held, and erases it while keeping the count', async () => {
    const first = await createPublishedCampaign(stack.app, organiser);
    const second = await createPublishedCampaign(stack.app, organiser);
    const email = `rights-${uniqueSuffix()}@example.org`;
    await signAndConfirm(stack, first.slug, { name: 'Ada Rights', email, postcode: 'SW1A 2AH' });
    await signAndConfirm(stack, second.slug, { name: 'Ada Rights', email });

    // Asking for an unknown address answers the same and mails nobody.
    const unknown = await stack.app.inject({ method: 'POST', url: '/privacy', headers: form, payload: 'email=nobody-at-all%40example.org' });
    const known = await stack.app.inject({ method: 'POST', url: '/privacy', headers: form, payload: `email=${encodeURIComponent(email)}` });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(known.body).toBe(unknown.body);
    const bad = await stack.app.inject({ method: 'POST', url: '/privacy', headers: form, payload: 'email=not-an-address' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter an email address');

    const linkMail = await stack.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject!.startsWith('Your data'));
    const privacyPath = linkIn(linkMail.parsed.text!, '/privacy/');
    const page = await stack.app.inject({ method: 'GET', url: privacyPath });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain(email);
    // It says what is held, as the download below has it: a postcode and the consent's IP, no postal address.
    expect(page.body).toContain('the name and postcode you gave');
    expect(page.body).toContain('the internet (IP) address it came from');
    expect(page.body).not.toContain('name and address');

    const download = await stack.app.inject({ method: 'POST', url: `${privacyPath}/download` });
    expect(download.headers['content-disposition']).toContain('attachment');
    const data = download.json();
    expect(data.contact).toMatchObject({ email, name: 'Ada Rights' });
    expect(data.signatures).toHaveLength(2);
    expect(data.signatures[0]).toMatchObject({ name: 'Ada Rights', postcode: 'SW1A 2AH', status: 'confirmed' });
    expect(data.signatures[0].consent.statement).toContain('I agree');
    expect(data.signatures[0].consent.ip).toBe('127.0.0.1');
    expect(data.mail.map((m: { kind: string }) => m.kind)).toEqual(
      expect.arrayContaining(['confirmation', 'letter_copy', 'privacy_link']),
    );

    const countBefore = (await handle.pool.query('SELECT supporter_count FROM campaigns WHERE id = $1', [first.id])).rows[0].supporter_count;
    const erased = await stack.app.inject({ method: 'POST', url: `${privacyPath}/erase` });
    expect(erased.statusCode).toBe(200);
    expect(erased.body).toContain('Your data is erased');

    expect(await countRows(handle, 'SELECT count(*) AS n FROM contacts WHERE lower(email) = lower($1)', [email])).toBe(0);
    expect(await countRows(handle, "SELECT count(*) AS n FROM supporters WHERE name = 'Ada Rights'", [])).toBe(0);
    expect((await handle.pool.query('SELECT supporter_count FROM campaigns WHERE id = $1', [first.id])).rows[0].supporter_count).toBe(countBefore);
    expect(await countRows(handle, "SELECT count(*) AS n FROM suppressions WHERE email_hash = $1 AND reason = 'erasure'", [emailHash(email)])).toBe(1);
    // Nothing readable is left: the only trace is the hash.
    const { rows } = await handle.pool.query("SELECT count(*) AS n FROM suppressions WHERE detail LIKE '%' || $1 || '%'", [email]);
    expect(Number(rows[0].n)).toBe(0);

    // The link is dead, and the address is never mailed again, even on a new sign-up.
    expect((await stack.app.inject({ method: 'GET', url: privacyPath })).statusCode).toBe(404);
    const mailsBefore = stack.sink.to(email).length;
    const again = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${first.slug}/signatures`,
      payload: { name: 'Ada Rights', email, consent: true },
    });
    expect(again.statusCode).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.sink.to(email)).toHaveLength(mailsBefore);
    expect(await countRows(handle, 'SELECT count(*) AS n FROM contacts WHERE lower(email) = lower($1)', [email])).toBe(0);
  });
});

describe('the organiser’s view of supporters', () => {
  it('lists, filters and searches supporters of their own campaign only', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await signAndConfirm(stack, campaign.slug, { name: 'Beatrice Confirmed', email: `bea-${tag}@example.org` });
    await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.slug}/signatures`,
      payload: { name: 'Carl Pending', email: `carl-${tag}@example.org`, consent: true },
    });

    const all = await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters`, headers: organiser.auth });
    expect(all.statusCode).toBe(200);
    expect(all.json().items.map((s: { name: string }) => s.name)).toEqual(['Carl Pending', 'Beatrice Confirmed']);
    expect(all.json().items[1]).toMatchObject({ email: `bea-${tag}@example.org`, status: 'confirmed', subscribed: true });

    const confirmed = await stack.app.inject({
      method: 'GET',
      url: `/api/v1/campaigns/${campaign.id}/supporters?status=confirmed`,
      headers: organiser.auth,
    });
    expect(confirmed.json().items.map((s: { name: string }) => s.name)).toEqual(['Beatrice Confirmed']);

    const search = await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters?q=carl-`, headers: organiser.auth });
    expect(search.json().items.map((s: { name: string }) => s.name)).toEqual(['Carl Pending']);
    // LIKE wildcards typed by the organiser are literal characters, not patterns.
    const wildcard = await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters?q=%25`, headers: organiser.auth });
    expect(wildcard.json().items).toEqual([]);

    const paged = await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters?limit=1`, headers: organiser.auth });
    const next = await stack.app.inject({
      method: 'GET',
      url: `/api/v1/campaigns/${campaign.id}/supporters?limit=1&cursor=${paged.json().nextCursor}`,
      headers: organiser.auth,
    });
    expect(next.json().items.map((s: { name: string }) => s.name)).toEqual(['Beatrice Confirmed']);
    expect(next.json().nextCursor).toBeNull();

    const bad = await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/supporters?status=maybe`, headers: organiser.auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('status');

    const stranger = await newOrganiser(handle, 'Stranger');
    for (const url of [`/api/v1/campaigns/${campaign.id}/supporters`, `/api/v1/campaigns/${campaign.id}/supporters/export.csv`]) {
      const response = await stack.app.inject({ method: 'GET', url, headers: stranger.auth });
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toContain(tag);
      expect((await stack.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
  });

  it('exports confirmed supporters as CSV, neutralising spreadsheet formulas', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await signAndConfirm(stack, campaign.slug, { name: '=HYPERLINK("evil","click")', email: `formula-${tag}@example.org` });
    await signAndConfirm(stack, campaign.slug, { name: 'Dana "Quote", Esq.', email: `dana-${tag}@example.org`, postcode: 'EC1A 1BB' });
    await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.slug}/signatures`,
      payload: { name: 'Not Confirmed', email: `pending-${tag}@example.org`, consent: true },
    });

    const response = await stack.app.inject({
      method: 'GET',
      url: `/api/v1/campaigns/${campaign.id}/supporters/export.csv`,
      headers: organiser.auth,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${campaign.slug}-supporters.csv"`);
    const lines = response.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('"name","email","postcode","signed_at","confirmed_at","subscribed"');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^"Dana ""Quote"", Esq\\.","dana-${tag}@example\\.org","EC1A 1BB",`));
    expect(lines[2]).toMatch(/^"'=HYPERLINK\(""evil"",""click""\)",/);
    expect(response.body).not.toContain('Not Confirmed');
  });
});
