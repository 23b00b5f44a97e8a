import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signLinkToken } from '../../src/links/link-tokens.js';
import { emailHash } from '../../src/supporters/email-address.js';
import { createPublishedCampaign, linkIn, signAndConfirm, startStack, uniqueSuffix, waitForValue, waitUntil } from '../support/harness.js';
import { postForm } from '../support/form-post.js';
import { useTestStack } from '../support/test-stack.js';
import { countRows } from '../support/seed.js';

// One-to-one mail is retried on the ledger's schedule: seconds, not the shipped 30 s and up.
const { stack, handle, organiser } = useTestStack({ organiser: 'UNA-UK', env: { DELIVERY_RETRY_BASE_SECONDS: '1' } });

const newEmail = (name = 'supporter') => `${name}-${uniqueSuffix()}@Example.ORG`;

async function sign(slug: string, body: Record<string, unknown>) {
  return stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${slug}/signatures`, payload: body });
}

async function supporterRow(campaignId: string, email: string) {
  const { rows } = await handle.pool.query(
    `SELECT s.*, c.email FROM supporters s JOIN contacts c ON c.id = s.contact_id
     WHERE s.campaign_id = $1 AND lower(c.email) = lower($2)`,
    [campaignId, email],
  );
  return rows[0] as { id: string; status: string; unsubscribed_at: Date | null; consent_ip: string; consent_statement: string; name: string } | undefined;
}

describe('from sign-up to the personal copy of the letter', () => {
  it('shows the letter with placeholders, confirms by double opt-in, and mails the merged letter', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const email = newEmail('jane');
    const normalised = email.replace(/@.*/, (domain) => domain.toLowerCase());

    const pageBefore = await stack.app.inject({ method: 'GET', url: `/c/${campaign.slug}` });
    expect(pageBefore.statusCode).toBe(200);
    expect(pageBefore.headers['content-security-policy']).toContain("default-src 'none'");
    expect(pageBefore.body).toContain('[your name]');
    expect(pageBefore.body).toContain('0 supporters have signed');
    expect(pageBefore.body).toMatch(/<input type="checkbox" id="consent" name="consent" value="true"(?![^>]*checked)/);

    const signed = await sign(campaign.slug, { name: 'Jane Ó Briain', email: `  ${email} `, postcode: 'sw1a 2ah', consent: true });
    expect(signed.statusCode).toBe(202);
    expect(signed.json().status).toBe('pending_confirmation');

    const row = await supporterRow(campaign.id, normalised);
    expect(row).toMatchObject({ status: 'unconfirmed', name: 'Jane Ó Briain', consent_ip: '127.0.0.1' });
    expect(row!.consent_statement).toContain('I agree');
    const { rows: contacts } = await handle.pool.query('SELECT email FROM contacts WHERE lower(email) = lower($1)', [email]);
    expect(contacts).toEqual([{ email: normalised }]);

    const confirmation = await stack.sink.waitFor((m) => m.envelopeTo.includes(normalised));
    expect(confirmation.parsed.subject).toContain('Please confirm your signature');
    const confirmPath = linkIn(confirmation.parsed.text!, '/confirm/');
    expect(confirmation.parsed.html).toContain(`https://letters.example.org${confirmPath}`);

    // A mail scanner's GET shows the button and confirms nothing.
    const confirmPage = await stack.app.inject({ method: 'GET', url: confirmPath });
    expect(confirmPage.statusCode).toBe(200);
    expect(confirmPage.body).toContain(`<form method="post" action="${confirmPath}">`);
    expect((await supporterRow(campaign.id, normalised))!.status).toBe('unconfirmed');
    expect(stack.sink.to(normalised)).toHaveLength(1);

    const confirmed = await stack.app.inject({ method: 'POST', url: confirmPath });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('your signature is confirmed');
    expect((await supporterRow(campaign.id, normalised))!.status).toBe('confirmed');

    const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(normalised) && m !== confirmation);
    expect(copy.parsed.subject).toBe('The Responsibility to Protect – a letter from Jane Ó Briain');
    expect(copy.parsed.text).toContain('Yours sincerely,\nJane Ó Briain');
    expect(copy.parsed.text).toContain('“Responsibility to Protect”');
    expect(copy.parsed.html).toContain('Jane Ó Briain');
    expect(copy.parsed.from).toMatchObject({ name: 'United Nations Association – UK', address: 'campaigns@example.org' });
    expect(copy.parsed.replyTo?.[0]?.address).toBe('campaigns@una.org.example');
    // The envelope sender is the row's own return path, where a report about this message would come back.
    expect(copy.envelopeFrom).toMatch(/^bounce\+t[0-9a-f]{32}-[0-9a-f]{16}@replies\.example\.org$/);
    expect(copy.header('message-id')).toMatch(/^<letter-copy\.[0-9a-f-]{36}@example\.org>$/);
    const unsubscribePath = linkIn(copy.parsed.text!, '/u/');
    expect(copy.header('list-unsubscribe')).toBe(`<https://letters.example.org${unsubscribePath}>`);
    expect(copy.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(copy.parsed.html).toContain(`href="https://letters.example.org${unsubscribePath}"`);

    const pageAfter = await stack.app.inject({ method: 'GET', url: `/c/${campaign.slug}` });
    expect(pageAfter.body).toContain('1 supporter has signed');

    // The link is single-use: a second confirmation changes nothing and sends no second copy.
    const again = await stack.app.inject({ method: 'POST', url: confirmPath });
    expect(again.body).toContain('Already confirmed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.sink.to(normalised)).toHaveLength(2);
    const { rows: sent } = await handle.pool.query(
      "SELECT kind, status, last_response FROM transactional_messages WHERE supporter_id = $1 ORDER BY created_at",
      [row!.id],
    );
    expect(sent.map((m) => [m.kind, m.status])).toEqual([
      ['confirmation', 'sent'],
      ['letter_copy', 'sent'],
    ]);
    expect(sent[0].last_response).toMatch(/^250 /);
  });

  it('keeps UTF-8 names intact in headers and bodies, and refuses line breaks in them', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const email = newEmail('utf8');
    const name = 'Zoë Łukasiewicz 李小龍 😀 עברית';
    const { confirmation } = await signAndConfirm(stack, campaign.slug, { name, email });
    expect(confirmation.parsed.to?.[0]?.name).toBe(name);
    const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(email.replace(/@.*/, (d) => d.toLowerCase())) && m !== confirmation);
    expect(copy.parsed.subject).toContain(name);
    expect(copy.parsed.text).toContain(name);

    const injected = await sign(campaign.slug, { name: 'Eve\r\nBcc: victim@example.org', email: newEmail(), consent: true });
    expect(injected.statusCode).toBe(400);
    expect(injected.json().error.field).toBe('name');
  });
});

describe('signing again', () => {
  it('answers the same, stores one signature, and re-sends the confirmation only after the resend interval', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const email = newEmail('twice');
    const normalised = email.replace(/@.*/, (d) => d.toLowerCase());
    const first = await sign(campaign.slug, { name: 'Twice', email, consent: true });
    const second = await sign(campaign.slug, { name: 'Twice Again', email: normalised, consent: true });
    expect(second.statusCode).toBe(first.statusCode);
    expect(second.json()).toEqual(first.json());
    expect(await countRows(handle, 'SELECT count(*) AS n FROM supporters WHERE campaign_id = $1', [campaign.id])).toBe(1);

    await stack.sink.waitFor((m) => m.envelopeTo.includes(normalised));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.sink.to(normalised)).toHaveLength(1);

    // Once the interval has passed, signing again sends the confirmation again.
    await handle.pool.query(
      "UPDATE supporters SET confirmation_sent_at = now() - interval '1 hour' WHERE campaign_id = $1",
      [campaign.id],
    );
    await sign(campaign.slug, { name: 'Twice', email, consent: true });
    await stack.sink.waitFor(() => stack.sink.to(normalised).length === 2);
  });

  it('gives a confirmed supporter the same answer and no mail', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const email = newEmail('confirmed');
    const normalised = email.replace(/@.*/, (d) => d.toLowerCase());
    await signAndConfirm(stack, campaign.slug, { name: 'Already In', email });
    await stack.sink.waitFor(() => stack.sink.to(normalised).length === 2);
    const again = await sign(campaign.slug, { name: 'Already In', email, consent: true });
    expect(again.statusCode).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.sink.to(normalised)).toHaveLength(2);
  });
});

describe('many sign-ups at once', () => {
  it('gives each the answer it would get alone: one signature and one confirmation per address', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const closed = await createPublishedCampaign(stack.app, organiser);
    await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${closed.id}/close`, headers: organiser.auth });
    const suppressed = newEmail('crowd-bounced').toLowerCase();
    await handle.pool.query("INSERT INTO suppressions (email_hash, reason, source) VALUES ($1, 'hard_bounce', 'smtp')", [emailHash(suppressed)]);
    const emails = Array.from({ length: 30 }, (_, i) => newEmail(`crowd-${i}`).toLowerCase());

    // Every address signs twice at the same moment; concurrent sign-ups share statements.
    const signing = [...emails, ...emails].map((email, i) => sign(campaign.slug, { name: `Crowd ${i}`, email, consent: true }));
    const others = [
      sign(campaign.slug, { name: 'Bounced', email: suppressed, consent: true }),
      sign(closed.slug, { name: 'Late', email: emails[0], consent: true }),
      sign('no-such-campaign', { name: 'Lost', email: emails[1], consent: true }),
    ];
    const answers = await Promise.all([...signing, ...others]);
    expect(answers.map((a) => a.statusCode)).toEqual([...signing.map(() => 202), 202, 422, 404]);

    expect(await countRows(handle, 'SELECT count(*) AS n FROM supporters WHERE campaign_id = $1', [campaign.id])).toBe(30);
    expect(await countRows(handle, 'SELECT count(*) AS n FROM supporters WHERE campaign_id = $1', [closed.id])).toBe(0);
    await stack.sink.waitFor(() => emails.every((email) => stack.sink.to(email).length > 0));
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const email of emails) expect(stack.sink.to(email)).toHaveLength(1);
    expect(stack.sink.to(suppressed)).toHaveLength(0);
  });
});

describe('bad sign-ups change nothing', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['no name', { email: 'a@example.org', consent: true }, 'name'],
    ['a blank name', { name: '  ', email: 'a@example.org', consent: true }, 'name'],
    ['an invalid email', { name: 'A', email: 'not-an-email', consent: true }, 'email'],
    ['no consent', { name: 'A', email: 'a@example.org' }, 'consent'],
    ['consent refused', { name: 'A', email: 'a@example.org', consent: false }, 'consent'],
    ['a postcode with symbols', { name: 'A', email: 'a@example.org', postcode: '<script>', consent: true }, 'postcode'],
    ['an unknown field', { name: 'A', email: 'a@example.org', consent: true, admin: true }, 'admin'],
  ];

  it.each(cases)('refuses %s with 400 naming the field', async (_what, body, field) => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const response = await sign(campaign.slug, body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field });
    expect(await countRows(handle, 'SELECT count(*) AS n FROM supporters WHERE campaign_id = $1', [campaign.id])).toBe(0);
  });

  it('stores nothing when the honeypot is filled in, yet answers like a success', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const response = await sign(campaign.slug, { name: 'Bot', email: newEmail('bot'), consent: true, website: 'http://spam.example' });
    expect(response.statusCode).toBe(202);
    expect(await countRows(handle, 'SELECT count(*) AS n FROM supporters WHERE campaign_id = $1', [campaign.id])).toBe(0);
  });

  it('answers 404 for a draft or unknown campaign and 422 for a closed one', async () => {
    const draft = (
      await stack.app.inject({
        method: 'POST',
        url: '/api/v1/campaigns',
        headers: organiser.auth,
        payload: (await import('../support/harness.js')).campaignBody(),
      })
    ).json();
    expect((await sign(draft.slug, { name: 'A', email: newEmail(), consent: true })).statusCode).toBe(404);
    expect((await stack.app.inject({ method: 'GET', url: `/c/${draft.slug}` })).statusCode).toBe(404);
    expect((await sign('no-such-campaign', { name: 'A', email: newEmail(), consent: true })).statusCode).toBe(404);

    const closed = await createPublishedCampaign(stack.app, organiser);
    await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${closed.id}/close`, headers: organiser.auth });
    const response = await sign(closed.slug, { name: 'A', email: newEmail(), consent: true });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('campaign_closed');
    const page = await stack.app.inject({ method: 'GET', url: `/c/${closed.slug}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('This campaign has closed');
    expect(page.body).not.toContain('<form');
  });
});

describe('a sign-up name is a name', () => {
  // Each would open the confirmation mail sent to whatever address was typed: "Dear <this>,".
  const phishing: Array<[string, string]> = [
    ['a URL', 'Claim your refund at https://evil.example/r'],
    ['a URL with another scheme', 'see ftp://files.evil.example'],
    ['www.', 'Visit www.evil now'],
    ['a bare domain', 'Your account is locked, log in at evil.com'],
    ['a bare domain in capitals', 'EVIL.COM'],
    ['a bare domain under a newer TLD', 'refunds.click'],
    ['a domain in fullwidth letters', 'ｅｖｉｌ．ｃｏｍ'],
    ['a domain with an ideographic full stop', 'evil。com'],
    ['an IP address', 'go to 203.0.113.9'],
    ['an email address', 'Write to support@evil.example'],
    ['an encoded word', '=?utf-8?B?SGVscGRlc2s=?='],
    ['an encoded word inside a name', 'Jane =?iso-8859-1?Q?=E9?= Doe'],
  ];

  it.each(phishing)('refuses %s with 400 naming the field name, and stores and sends nothing', async (_what, name) => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const email = newEmail('phished').toLowerCase();
    const response = await sign(campaign.slug, { name, email, consent: true });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field: 'name' });
    expect(response.json().error.message).toMatch(/Enter your name/);
    expect(await countRows(handle, 'SELECT count(*) AS n FROM supporters WHERE campaign_id = $1', [campaign.id])).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stack.sink.to(email)).toHaveLength(0);
  });

  it('shows the refusal beside the name field of the public form, keeping what was typed', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const response = await postForm(stack.app, `/c/${campaign.slug}`, { name: 'Log in at evil.com', email: newEmail('form-phish'), consent: 'true' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/<span class="error" id="name-error">.*Enter your name only: no web or email addresses<\/span>/);
    expect(response.body).toContain('value="Log in at evil.com"');
    expect(await countRows(handle, 'SELECT count(*) AS n FROM supporters WHERE campaign_id = $1', [campaign.id])).toBe(0);
  });

  it.each([
    "Siobhán O'Brien",
    'Jean-Luc Picard',
    'St. John Smythe',
    'Dr. A. Smith',
    'J.R.R. Tolkien',
    'Zoë Łukasiewicz',
    '李小龍',
    'Владимир Иванов',
    'محمد بن سلمان',
    'Nguyễn Thị Minh Khai',
    'Mary-Jane Watson-Parker, Esq.',
  ])('accepts the real name %s', async (name) => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const response = await sign(campaign.slug, { name, email: newEmail('real'), consent: true });
    expect(response.statusCode, response.body).toBe(202);
    expect(await countRows(handle, 'SELECT count(*) AS n FROM supporters WHERE campaign_id = $1 AND name = $2', [campaign.id, name])).toBe(1);
  });
});

describe('the sign form on the campaign page', () => {
  it('shows each error beside its field, keeps what was typed, and stores nothing', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const response = await postForm(stack.app, `/c/${campaign.slug}`, 'name=&email=nope&postcode=');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('<span class="error" id="name-error">');
    expect(response.body).toContain('Enter your name');
    expect(response.body).toContain('Enter an email address like name@example.org');
    expect(response.body).toContain('Tick the box to agree');
    expect(response.body).toContain('value="nope"');
    expect(response.body).toContain('aria-describedby="email-hint email-error"');
    expect(await countRows(handle, 'SELECT count(*) AS n FROM supporters WHERE campaign_id = $1', [campaign.id])).toBe(0);
  });

  it('signs with a filled-in form and shows the "check your inbox" page', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const email = newEmail('form');
    const response = await postForm(stack.app, `/c/${campaign.slug}`, { name: 'Form Signer', email, postcode: '', consent: 'true', website: '' });
    expect(response.statusCode).toBe(202);
    expect(response.body).toContain('Check your inbox');
    expect(await supporterRow(campaign.id, email)).toBeDefined();
  });

  it('escapes HTML that a supporter typed when showing it back', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const response = await postForm(stack.app, `/c/${campaign.slug}`, { name: '"><script>alert(1)</script>', email: 'bad' });
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).toContain('&quot;&gt;&lt;script&gt;');
  });
});

describe('links in mail', () => {
  it('turn away expired, forged and re-pointed confirmation links with a friendly page', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const other = await createPublishedCampaign(stack.app, organiser);
    const email = newEmail('links');
    await sign(campaign.slug, { name: 'Link Tester', email, consent: true });
    const row = (await supporterRow(campaign.id, email))!;
    const secret = stack.config.SECRET_KEY;
    const claims = { purpose: 'confirm' as const, supporterId: row.id, campaignId: campaign.id, issuedAt: new Date(Date.now() - 100 * 3600_000) };

    const expired = signLinkToken(secret, { ...claims, expiresAt: new Date(Date.now() - 3600_000) });
    const expiredPage = await stack.app.inject({ method: 'POST', url: `/confirm/${expired}` });
    expect(expiredPage.statusCode).toBe(410);
    expect(expiredPage.body).toContain('This link has expired');
    expect(expiredPage.body).toContain(`href="/c/${campaign.slug}"`);

    const valid = signLinkToken(secret, { ...claims, expiresAt: new Date(Date.now() + 3600_000) });
    const forged = valid.slice(0, -2) + (valid.endsWith('AA') ? 'BB' : 'AA');
    const wrongSecret = signLinkToken('another-secret-that-is-long-enough-to-use', { ...claims, expiresAt: new Date(Date.now() + 3600_000) });
    const otherCampaign = signLinkToken(secret, { ...claims, campaignId: other.id, expiresAt: new Date(Date.now() + 3600_000) });
    const wrongPurpose = signLinkToken(secret, { ...claims, purpose: 'unsubscribe' });
    for (const token of [forged, wrongSecret, otherCampaign, wrongPurpose, 'not-a-token', row.id]) {
      const response = await stack.app.inject({ method: 'POST', url: `/confirm/${token}` });
      expect(response.statusCode, token).toBe(404);
      expect(response.body).toContain('This link does not work');
    }
    expect((await supporterRow(campaign.id, email))!.status).toBe('unconfirmed');

    expect((await stack.app.inject({ method: 'POST', url: `/confirm/${valid}` })).statusCode).toBe(200);
    expect((await supporterRow(campaign.id, email))!.status).toBe('confirmed');
  });
});

describe('unsubscribing', () => {
  it('one-click POST unsubscribes at once, with no question, and later mail is not sent', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const email = newEmail('leaver');
    const normalised = email.replace(/@.*/, (d) => d.toLowerCase());
    await signAndConfirm(stack, campaign.slug, { name: 'Leaver', email });
    const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(normalised) && !m.parsed.subject!.startsWith('Please confirm'));
    const unsubscribePath = linkIn(copy.parsed.text!, '/u/');

    const page = await stack.app.inject({ method: 'GET', url: unsubscribePath });
    expect(page.body).toContain('all campaigns from United Nations Association – UK');
    expect((await supporterRow(campaign.id, email))!.unsubscribed_at).toBeNull();

    // As a mail provider sends it (RFC 8058).
    const oneClick = await postForm(stack.app, unsubscribePath, 'List-Unsubscribe=One-Click');
    expect(oneClick.statusCode).toBe(200);
    expect(oneClick.body).toContain('You are unsubscribed');
    const row = (await supporterRow(campaign.id, email))!;
    expect(row.unsubscribed_at).not.toBeNull();

    // A campaign mail queued now is checked just before sending, and not sent.
    const { rows } = await handle.pool.query(
      "INSERT INTO transactional_messages (supporter_id, kind) VALUES ($1, 'privacy_link') RETURNING id",
      [row.id],
    );
    await handle.pool.query("DELETE FROM transactional_messages WHERE supporter_id = $1 AND kind = 'letter_copy'", [row.id]);
    const { rows: copyRows } = await handle.pool.query(
      "INSERT INTO transactional_messages (supporter_id, kind) VALUES ($1, 'letter_copy') RETURNING id",
      [row.id],
    );
    const { Queues } = await import('../../src/queue/queues.js');
    const { createRedis } = await import('../../src/queue/redis-connection.js');
    const queues = new Queues(createRedis(stack.config.REDIS_URL, 'producer'), stack.config.REDIS_PREFIX);
    await queues.add('transactional', 'send', { messageIds: [copyRows[0].id] });
    await queues.close();
    const status = async () =>
      (await handle.pool.query('SELECT status, last_response FROM transactional_messages WHERE id = $1', [copyRows[0].id])).rows[0];
    // 'sending' is the worker's claim, before it records its decision: wait past it too.
    for (let i = 0; i < 200 && ['pending', 'sending'].includes((await status()).status); i++) await new Promise((r) => setTimeout(r, 25));
    expect(await status()).toEqual({ status: 'skipped', last_response: 'not sent: unsubscribed' });
    expect(stack.sink.to(normalised)).toHaveLength(2);
    expect(rows).toHaveLength(1);
  });

  it('can unsubscribe from every campaign of the organisation', async () => {
    const first = await createPublishedCampaign(stack.app, organiser);
    const second = await createPublishedCampaign(stack.app, organiser);
    const email = newEmail('all');
    const normalised = email.replace(/@.*/, (d) => d.toLowerCase());
    await signAndConfirm(stack, first.slug, { name: 'All Out', email });
    const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(normalised) && !m.parsed.subject!.startsWith('Please confirm'));
    const response = await postForm(stack.app, linkIn(copy.parsed.text!, '/u/'), 'scope=organisation');
    expect(response.body).toContain('any campaign from United Nations Association – UK');
    expect(
      await countRows(handle, "SELECT count(*) AS n FROM suppressions WHERE reason = 'unsubscribe_all' AND organiser_id = $1", [organiser.id]),
    ).toBeGreaterThanOrEqual(1);

    // Signing the organisation's other campaign is a fresh, explicit opt-in: confirmation is sent,
    // and only confirming it lifts the organisation-wide unsubscribe.
    await signAndConfirm(stack, second.slug, { name: 'All Out', email });
    await stack.sink.waitFor(() => stack.sink.to(normalised).filter((m) => !m.parsed.subject!.startsWith('Please confirm')).length === 2);
  });
});

describe('bounces', () => {
  it('retries a 4xx refusal and delivers; records a 5xx as failed and suppresses the address', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const soft = `soft-${uniqueSuffix()}@example.org`;
    const hard = `hard-${uniqueSuffix()}@example.org`;
    stack.sink.refuse(soft, 451, '4.3.0 Try again later', 1);
    stack.sink.refuse(hard, 550, '5.1.1 No such user');

    await sign(campaign.slug, { name: 'Soft', email: soft, consent: true });
    await sign(campaign.slug, { name: 'Hard', email: hard, consent: true });
    await stack.sink.waitFor((m) => m.envelopeTo.includes(soft));

    const hardRow = (await supporterRow(campaign.id, hard))!;
    const message = async () =>
      (await handle.pool.query('SELECT status, attempts, last_response FROM transactional_messages WHERE supporter_id = $1', [hardRow.id])).rows[0];
    for (let i = 0; i < 200 && (await message()).status !== 'failed'; i++) await new Promise((r) => setTimeout(r, 25));
    const failed = await message();
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_response).toContain('550');
    expect(failed.last_response).toContain('No such user');
    expect(await countRows(handle, "SELECT count(*) AS n FROM suppressions WHERE reason = 'hard_bounce' AND organiser_id IS NULL AND detail LIKE '%550%'", [])).toBeGreaterThanOrEqual(1);

    // The sink holds the message before the worker hears the 250 and records it: wait for the record.
    const softRow = (await supporterRow(campaign.id, soft))!;
    const softMessage = await waitForValue(
      async () => (await handle.pool.query('SELECT status, attempts FROM transactional_messages WHERE supporter_id = $1', [softRow.id])).rows[0],
      (row) => row.status !== 'sending' && row.status !== 'pending',
      'the retried confirmation to be recorded',
    );
    expect(softMessage).toEqual({ status: 'sent', attempts: 2 });
  });

  it('sends each message of a job of several once: delivers the good, retries the 4xx, fails the 5xx', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const addresses = ['good', 'soft', 'hard'].map((name) => `${name}-${uniqueSuffix()}@example.org`);
    const [good, soft, hard] = addresses as [string, string, string];
    const messageIds = await secondConfirmations(campaign.id, addresses);
    stack.sink.refuse(soft, 451, '4.3.0 Try again later', 1);
    stack.sink.refuse(hard, 550, '5.1.1 No such user');
    const { Queues } = await import('../../src/queue/queues.js');
    const { createRedis } = await import('../../src/queue/redis-connection.js');
    const queues = new Queues(createRedis(stack.config.REDIS_URL, 'producer'), stack.config.REDIS_PREFIX);
    await queues.add('transactional', 'send', { messageIds });
    await queues.close();

    const recorded = await waitForValue(
      () => messageRows(messageIds),
      (now) => now.every((row) => row.status === 'sent' || row.status === 'failed'),
      'every message of the job to be recorded',
    );
    expect(recorded.map(({ email, status, attempts }) => ({ email, status, attempts }))).toEqual([
      { email: good, status: 'sent', attempts: 1 },
      { email: hard, status: 'failed', attempts: 1 },
      { email: soft, status: 'sent', attempts: 2 },
    ]);
    expect(recorded.find((row) => row.email === hard)!.last_response).toContain('550 5.1.1 No such user');
    // The job ran twice (for the 4xx); the message already delivered did not go again.
    expect(addresses.map((email) => stack.sink.to(email).length)).toEqual([2, 2, 1]);
  });

  it('leaves the rest of a job for its retry when the SMTP server cannot be reached, and records every one on the last attempt', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const addresses = ['first', 'second'].map((name) => `${name}-${uniqueSuffix()}@example.org`);
    const messageIds = await secondConfirmations(campaign.id, addresses);
    const { createSmtpTransport } = await import('../../src/mail/mail-transport.js');
    const { retrySchedule } = await import('../../src/mail/delivery-outcome.js');
    const { makeLinkUrls } = await import('../../src/links/link-urls.js');
    const { makeSendTransactional } = await import('../../src/transactional/send-transactional.js');
    const { makeReturnPaths } = await import('../../src/mail/return-path.js');
    const { beatWorkerProcess, forgetWorkerProcess } = await import('../../src/infra/worker-registry.js');
    // A registered claimant, as a worker process is, so no other worker takes its claims for abandoned.
    const claimant = randomUUID();
    await beatWorkerProcess(handle.db, claimant);
    // Port 1 on loopback: nothing listens, so the connection is refused, as when the server is down.
    const transport = createSmtpTransport({ url: 'smtp://127.0.0.1:1', poolSize: 1, timeoutSeconds: 5 });
    // Queues of their own (a prefix no worker reads), so the retries this job queues stay queued.
    const { Queues } = await import('../../src/queue/queues.js');
    const { createRedis } = await import('../../src/queue/redis-connection.js');
    const queues = new Queues(createRedis(stack.config.REDIS_URL, 'producer'), `${stack.config.REDIS_PREFIX}-unworked`);
    const schedule = retrySchedule(stack.config);
    const send = makeSendTransactional({ db: handle.db, transport, links: makeLinkUrls(stack.config), returnPaths: makeReturnPaths(stack.config), mailFrom: stack.config.MAIL_FROM, claimant, schedule, queues });
    try {
      await send({ messageIds });
      expect((await messageRows(messageIds)).map(({ status, attempts }) => ({ status, attempts }))).toEqual([
        { status: 'pending', attempts: 1 },
        { status: 'pending', attempts: 0 },
      ]);
      // Both go again with the first one's retry, the second not tried yet.
      const retry = await queues.get('transactional').getJob(`mail-${messageIds[0]}-retry-1`);
      expect(retry?.data).toEqual({ messageIds });
      expect(await retry?.isDelayed()).toBe(true);

      // The last attempt the schedule allows: both due now, each with one attempt left.
      await handle.pool.query('UPDATE transactional_messages SET attempts = $2, next_attempt_at = now() WHERE id = ANY($1::uuid[])', [messageIds, schedule.maxAttempts - 1]);
      await expect(send({ messageIds })).rejects.toThrow('failed 2 of 2');
      const recorded = await messageRows(messageIds);
      expect(recorded.map(({ status, attempts }) => ({ status, attempts }))).toEqual([
        { status: 'failed', attempts: schedule.maxAttempts },
        { status: 'failed', attempts: schedule.maxAttempts },
      ]);
      expect(recorded.every((row) => row.last_response.includes('ECONNREFUSED'))).toBe(true);
    } finally {
      transport.close();
      await queues.get('transactional').obliterate({ force: true });
      await queues.close();
      await forgetWorkerProcess(handle.db, claimant);
    }
  });

  it('keeps retrying a confirmation refused with 451 on the ledger\'s schedule, and sends it once the server accepts', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const email = `greylisted-${uniqueSuffix()}@example.org`;
    // More refusals than a queue's own retries would have allowed within the same delays.
    stack.sink.refuse(email, 451, '4.7.1 Greylisted, try again later', 3);

    await sign(campaign.slug, { name: 'Patient', email, consent: true });
    await stack.sink.waitFor((m) => m.envelopeTo.includes(email));

    const row = (await supporterRow(campaign.id, email))!;
    const message = await waitForValue(
      async () => (await handle.pool.query('SELECT status, attempts FROM transactional_messages WHERE supporter_id = $1', [row.id])).rows[0],
      (current) => current.status === 'sent',
      'the confirmation to be recorded as sent',
    );
    expect(message).toEqual({ status: 'sent', attempts: 4 });
    expect(stack.sink.to(email)).toHaveLength(1);
  });

  it('the sweep sends one-to-one mail whose retry was due long ago, when its delayed job was lost', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const [messageId] = await secondConfirmations(campaign.id, [`lost-retry-${uniqueSuffix()}@example.org`]);
    // As a 451 leaves it, waiting for a retry whose delayed job Redis no longer has: due two minutes ago.
    await handle.pool.query(
      "UPDATE transactional_messages SET attempts = 1, last_response = '451 4.7.1 Greylisted', next_attempt_at = now() - interval '2 minutes', created_at = now() - interval '10 minutes' WHERE id = $1",
      [messageId],
    );
    await stack.workers.sweep();
    const sent = await waitForValue(
      async () => (await handle.pool.query('SELECT status, attempts FROM transactional_messages WHERE id = $1', [messageId])).rows[0],
      (current) => current.status === 'sent',
      'the swept message to be sent',
    );
    expect(sent).toEqual({ status: 'sent', attempts: 2 });
  });
});

/** Signs each address (its confirmation is delivered), then adds a second, pending confirmation each, in that order. */
async function secondConfirmations(campaignId: string, addresses: string[]): Promise<string[]> {
  const slug = (await handle.pool.query<{ slug: string }>('SELECT slug FROM campaigns WHERE id = $1', [campaignId])).rows[0]!.slug;
  for (const email of addresses) await sign(slug, { name: 'Batched', email, consent: true });
  await waitUntil(() => addresses.every((email) => stack.sink.to(email).length === 1), 'the first confirmations');
  const { rows } = await handle.pool.query<{ id: string; supporter_id: string }>(
    "INSERT INTO transactional_messages (supporter_id, kind) SELECT id, 'confirmation' FROM supporters WHERE campaign_id = $1 RETURNING id, supporter_id",
    [campaignId],
  );
  const supporterIds = await Promise.all(addresses.map(async (email) => (await supporterRow(campaignId, email))!.id));
  return supporterIds.map((supporterId) => rows.find((row) => row.supporter_id === supporterId)!.id);
}

/** The ledger rows of these messages, by email address. */
async function messageRows(messageIds: string[]) {
  const { rows } = await handle.pool.query<{ email: string; status: string; attempts: number; last_response: string }>(
    `SELECT c.email, m.status, m.attempts, m.last_response FROM transactional_messages m
     JOIN supporters s ON s.id = m.supporter_id JOIN contacts c ON c.id = s.contact_id
     WHERE m.id = ANY($1) ORDER BY c.email`,
    [messageIds],
  );
  return rows;
}

describe('rate limits', () => {
  it('limits sign-ups per IP (SIGNUP_RATE_LIMIT_PER_MINUTE) with 429 and Retry-After', async () => {
    const limited = await startStack({ SIGNUP_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const campaign = await createPublishedCampaign(limited.app, organiser);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await limited.app.inject({
          method: 'POST',
          url: `/api/v1/campaigns/${campaign.slug}/signatures`,
          payload: { name: 'Many', email: newEmail('ip'), consent: true },
        });
        statuses.push(response.statusCode);
        if (response.statusCode === 429) {
          expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
          expect(response.json().error.code).toBe('rate_limited');
        }
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
      // The form shares the same per-IP budget, and answers with a page.
      const form = await postForm(limited.app, `/c/${campaign.slug}`, 'name=x');
      expect(form.statusCode).toBe(429);
      expect(form.body).toContain('Too many attempts');
    } finally {
      await limited.close();
    }
  });

  it('limits sign-ups per email address (SIGNUP_EMAIL_RATE_LIMIT_PER_HOUR)', async () => {
    const limited = await startStack({ SIGNUP_EMAIL_RATE_LIMIT_PER_HOUR: '2' });
    try {
      const campaign = await createPublishedCampaign(limited.app, organiser);
      const email = newEmail('same');
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await limited.app.inject({
          method: 'POST',
          url: `/api/v1/campaigns/${campaign.slug}/signatures`,
          payload: { name: 'Same', email, consent: true },
        });
        statuses.push(response.statusCode);
      }
      expect(statuses).toEqual([202, 202, 429]);
    } finally {
      await limited.close();
    }
  });
});
