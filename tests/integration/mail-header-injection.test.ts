/**
 * No field that reaches a mail header can add a header or a recipient. The API refuses line breaks
 * (and the Unicode line separators) in every such field with 400 naming it; values it accepts, however
 * hostile (angle brackets, commas, quotes, encoded-word look-alikes, RTL overrides, 200 characters),
 * arrive at the SMTP server encoded: the headers are exactly ours, each once, the only recipients are
 * the intended ones, and names decode to what was typed. Even values that got into the database some
 * other way with CR/LF in them cannot break a header.
 */
import { describe, expect, it } from 'vitest';
import type { ReceivedMail } from '../support/smtp-sink.js';
import { campaignBody, createPublishedCampaign, linkIn, signAndConfirm, uniqueSuffix, waitForValue } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { broadcastMessageIdPrefix } from '../../src/mail/message-id.js';

const { stack, handle, organiser } = useTestStack({ organiser: 'UNA-UK' });

const VICTIM = 'victim@evil.example';
const encodedWord = (text: string) => `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;
const BREAKS = ['\r\nBcc: victim@evil.example', '\nBcc: victim@evil.example', '\rBcc: victim@evil.example', '\u2028Bcc: x', '\u2029Bcc: x', '\u0085Bcc: x'];

/** Accepted by the API, and as hostile as a header value gets without a line break. */
const HOSTILE = {
  // A sign-up name may hold no address or encoded word (they are refused: see below), but every other
  // character that means something in an address header.
  supporterName: `Mallory <Eve>, "Eve" \\ ; Bcc: Trudy ‮dlrow ə̀́ 😀`,
  longName: Array.from({ length: 40 }, (_, i) => `Name${i}`).join(' ').slice(0, 200).trim(),
  title: `R2P, <${VICTIM}>; "quoted" ${encodedWord('\r\nBcc: x')}`,
  senderName: `UNA-UK, <${VICTIM}> "Campaigns" (Bcc: ${VICTIM})`,
  targetName: `Minister <${VICTIM}>, Bcc: ${VICTIM}`,
};

const OUR_HEADERS = new Set([
  'content-type',
  'content-transfer-encoding',
  'from',
  'to',
  'reply-to',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'list-unsubscribe',
  'list-unsubscribe-post',
]);

/** The header block unfolded into one line per header. */
function headerLines(raw: string): string[] {
  const head = raw.slice(0, raw.search(/\r?\n\r?\n/));
  return head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
}

function expectOnlyOurHeaders(mail: ReceivedMail, to: string, replyTo: string): void {
  const lines = headerLines(mail.raw);
  const names = lines.map((line) => /^([A-Za-z0-9-]+): /.exec(line)?.[1]?.toLowerCase());
  const what = `${mail.parsed.subject}\n${lines.join('\n')}`;
  expect(names, what).not.toContain(undefined);
  for (const name of names) expect(OUR_HEADERS.has(name!), `${name} in\n${what}`).toBe(true);
  for (const once of ['from', 'to', 'reply-to', 'subject', 'message-id']) {
    expect(names.filter((name) => name === once), `${once} in\n${what}`).toHaveLength(1);
  }
  // Everything non-ASCII is encoded, so no byte in a header can be read as a line break.
  for (const line of lines) expect(line, what).toMatch(/^[\t -~]*$/);
  expect(mail.envelopeTo, what).toEqual([to]);
  expect(mail.parsed.to?.map((a) => a.address), what).toEqual([to]);
  expect(mail.parsed.from?.address, what).toBe('campaigns@example.org');
  expect(mail.parsed.replyTo?.map((a) => a.address), what).toEqual([replyTo]);
  expect(mail.parsed.cc, what).toBeUndefined();
  expect(mail.parsed.bcc, what).toBeUndefined();
}

const newEmail = (label: string) => `${label}-${uniqueSuffix()}@example.org`;

describe('line breaks in a field that reaches a mail header', () => {
  it('are refused with 400 naming the field, in every such field, and nothing is stored', async () => {
    const published = await createPublishedCampaign(stack.app, organiser);
    const draft = (await stack.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: organiser.auth, payload: campaignBody() })).json();
    const base = campaignBody();
    const count = async () => (await handle.pool.query("SELECT (SELECT count(*) FROM campaigns) + (SELECT count(*) FROM broadcasts) + (SELECT count(*) FROM replies) + (SELECT count(*) FROM supporters) AS n")).rows[0].n;
    const before = await count();
    const draftBefore = (await handle.pool.query('SELECT * FROM campaigns WHERE id = $1', [draft.id])).rows[0];
    for (const text of BREAKS) {
      const cases: Array<[string, string, object, string]> = [
        ['POST', '/api/v1/campaigns', campaignBody({ title: `Title${text}` }), 'title'],
        ['POST', '/api/v1/campaigns', campaignBody({ sender: { ...base.sender, name: `UNA${text}` } }), 'sender.name'],
        ['POST', '/api/v1/campaigns', campaignBody({ sender: { ...base.sender, email: `a@una.org.example${text}` } }), 'sender.email'],
        ['POST', '/api/v1/campaigns', campaignBody({ target: { ...base.target, name: `Minister${text}` } }), 'target.name'],
        ['POST', '/api/v1/campaigns', campaignBody({ target: { ...base.target, email: `m@fco.gov.example${text}` } }), 'target.email'],
        ['POST', '/api/v1/campaigns', campaignBody({ letter: { ...base.letter, subject: `Letter${text}` } }), 'letter.subject'],
        ['PATCH', `/api/v1/campaigns/${draft.id}`, { title: `Title${text}` }, 'title'],
        ['PATCH', `/api/v1/campaigns/${draft.id}`, { sender: { name: `UNA${text}` } }, 'sender.name'],
        ['PATCH', `/api/v1/campaigns/${draft.id}`, { target: { name: `Minister${text}` } }, 'target.name'],
        ['PATCH', `/api/v1/campaigns/${draft.id}`, { letter: { subject: `{{ supporter.name }}${text}` } }, 'letter.subject'],
        ['POST', `/api/v1/campaigns/${published.id}/broadcasts`, { kind: 'update', subject: `News${text}`, body: 'x' }, 'subject'],
        ['POST', `/api/v1/campaigns/${published.id}/replies`, { fromAddress: 'm@fco.gov.example', fromName: `FCO${text}`, subject: 'Re', body: 'x' }, 'fromName'],
        ['POST', `/api/v1/campaigns/${published.id}/replies`, { fromAddress: 'm@fco.gov.example', subject: `Re${text}`, body: 'x' }, 'subject'],
        ['POST', `/api/v1/campaigns/${published.slug}/signatures`, { name: `Eve${text}`, email: newEmail('eve'), consent: true }, 'name'],
        ['POST', `/api/v1/campaigns/${published.slug}/signatures`, { name: 'Eve', email: `eve@example.org${text}`, consent: true }, 'email'],
      ];
      for (const [method, url, payload, field] of cases) {
        const response = await stack.app.inject({ method: method as 'POST' | 'PATCH', url, headers: organiser.auth, payload });
        const what = `${method} ${url} ${field} with ${JSON.stringify(text)} → ${response.body}`;
        expect(response.statusCode, what).toBe(400);
        expect(response.json().error, what).toMatchObject({ code: 'validation_failed', field });
      }
    }
    expect(await count()).toBe(before);
    expect((await handle.pool.query('SELECT * FROM campaigns WHERE id = $1', [draft.id])).rows[0]).toEqual(draftBefore);
  });
});

describe('hostile values the API accepts', () => {
  it('reach the SMTP server encoded: our headers only, each once, the intended recipient only, names as typed', async () => {
    const senderEmail = 'campaigns@una.org.example';
    const targetEmail = `minister-${uniqueSuffix()}@fco.gov.example`;
    const campaign = await createPublishedCampaign(stack.app, organiser, {
      title: HOSTILE.title,
      sender: { name: HOSTILE.senderName, email: senderEmail },
      target: { name: HOSTILE.targetName, email: targetEmail, address: null },
      letter: {
        subject: 'From {{ supporter.name }} on {{ campaign.title }} to {{ campaign.target.name }}',
        body: 'Dear {{ campaign.target.name }},\n\nYours, {{ supporter.name }}',
      },
    });
    const replyAddress = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json().replyAddress;

    // Names carrying an address or an encoded word never reach a mail: refused at sign-up.
    for (const name of [`Mallory <${VICTIM}>`, `${encodedWord(`\r\nBcc: ${VICTIM}`)} Trudy`]) {
      const refused = await stack.app.inject({
        method: 'POST',
        url: `/api/v1/campaigns/${campaign.slug}/signatures`,
        payload: { name, email: newEmail('refused'), consent: true },
      });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json().error).toMatchObject({ code: 'validation_failed', field: 'name' });
    }

    const people = [HOSTILE.supporterName, HOSTILE.longName].map((name, i) => ({ name, email: newEmail(`hostile${i}`) }));
    for (const person of people) {
      const { confirmation } = await signAndConfirm(stack, campaign.slug, person);
      expectOnlyOurHeaders(confirmation, person.email, senderEmail);
      const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(person.email) && m !== confirmation);
      expectOnlyOurHeaders(copy, person.email, senderEmail);
      expect(confirmation.parsed.to?.[0]?.name).toBe(person.name);
      expect(copy.parsed.subject).toBe(`From ${person.name} on ${HOSTILE.title} to ${HOSTILE.targetName}`);
      expect(copy.parsed.from?.name).toBe(HOSTILE.senderName);
      expect(confirmation.parsed.subject).toBe(`Please confirm your signature: ${HOSTILE.title}`);
    }

    // "Your data": the sender's name is in its subject.
    const [first] = people;
    await stack.app.inject({
      method: 'POST',
      url: '/privacy',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${encodeURIComponent(first!.email)}`,
    });
    const dataMail = await stack.sink.waitFor((m) => m.envelopeTo.includes(first!.email) && m.parsed.subject!.startsWith('Your data'));
    expectOnlyOurHeaders(dataMail, first!.email, senderEmail);
    expect(dataMail.parsed.subject).toBe(`Your data held by ${HOSTILE.senderName}`);

    // A broadcast whose subject merges every field.
    const broadcast = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/broadcasts`,
      headers: organiser.auth,
      payload: { kind: 'update', subject: `${encodedWord('\r\nBcc: x')} {{ supporter.name }} / {{ campaign.title }} / {{ campaign.target.name }}`, body: 'News.' },
    });
    expect(broadcast.statusCode).toBe(201);
    await stack.app.inject({ method: 'POST', url: `/api/v1/broadcasts/${broadcast.json().id}/start`, headers: organiser.auth });
    for (const person of people) {
      const update = await stack.sink.waitFor((m) => m.envelopeTo.includes(person.email) && m.header('message-id')!.startsWith(broadcastMessageIdPrefix(broadcast.json().id, stack.config.SECRET_KEY)));
      expectOnlyOurHeaders(update, person.email, senderEmail);
      expect(update.header('list-unsubscribe')).toMatch(/^<https:\/\/letters\.example\.org\/u\/[A-Za-z0-9_-]+>$/);
    }

    // Each supporter's letter to the target: From carries the supporter's name.
    const delivered = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'individual' } });
    expect(delivered.statusCode).toBe(202);
    const letters = await waitForValue(() => stack.sink.to(targetEmail), (found) => found.length === people.length, 'a letter to the target per supporter');
    for (const letter of letters) {
      expectOnlyOurHeaders(letter, targetEmail, replyAddress);
      expect(letter.parsed.to?.[0]?.name).toBe(HOSTILE.targetName);
    }
    expect(letters.map((l) => l.parsed.from?.name)).toEqual(
      expect.arrayContaining(people.filter((p) => !p.name.includes('=?')).map((p) => `${p.name} via ${HOSTILE.senderName}`)),
    );

    // The official reply, forwarded: its subject names the campaign.
    const reply = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/replies`,
      headers: organiser.auth,
      payload: { fromAddress: 'minister@fco.gov.example', fromName: `FCO <${VICTIM}>, Bcc: ${VICTIM}`, subject: `Re: ${encodedWord('\r\nBcc: x')}`, body: 'We reply.' },
    });
    expect(reply.statusCode).toBe(201);
    for (const person of people) {
      const forwarded = await stack.sink.waitFor((m) => m.envelopeTo.includes(person.email) && m.parsed.subject!.startsWith('The reply to'));
      expectOnlyOurHeaders(forwarded, person.email, senderEmail);
      expect(forwarded.parsed.subject).toBe(`The reply to “${HOSTILE.title}”`);
    }
    expect(stack.sink.to(VICTIM)).toEqual([]);
  });
});

describe('CR/LF that got into the database some other way', () => {
  it('still cannot add a header or a recipient', async () => {
    const targetEmail = `minister-${uniqueSuffix()}@fco.gov.example`;
    const campaign = await createPublishedCampaign(stack.app, organiser, {
      target: { name: 'Minister', email: targetEmail, address: null },
      letter: { subject: 'From {{ supporter.name }} on {{ campaign.title }}', body: 'Yours, {{ supporter.name }}' },
    });
    const email = newEmail('imported');
    await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.slug}/signatures`, payload: { name: 'Imported', email, consent: true } });
    const confirmation = await stack.sink.waitFor((m) => m.envelopeTo.includes(email));
    const injected = `\r\nBcc: ${VICTIM}\r\nX-Injected: yes\r\n\r\nbody`;
    await handle.pool.query('UPDATE supporters SET name = $2 WHERE campaign_id = $1', [campaign.id, `Eve${injected}`]);
    await handle.pool.query('UPDATE campaigns SET title = $2, sender_name = $3, target_name = $4 WHERE id = $1', [
      campaign.id,
      `Title${injected}`,
      `UNA${injected}`,
      `Minister${injected}`,
    ]);

    expect((await stack.app.inject({ method: 'POST', url: linkIn(confirmation.parsed.text!, '/confirm/') })).statusCode).toBe(200);
    const copy = await stack.sink.waitFor((m) => m.envelopeTo.includes(email) && m !== confirmation);
    expectOnlyOurHeaders(copy, email, 'campaigns@una.org.example');

    await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'bundle' } });
    const bundle = await stack.sink.waitFor((m) => m.envelopeTo.includes(targetEmail), 30_000);
    const replyAddress = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json().replyAddress;
    expectOnlyOurHeaders(bundle, targetEmail, replyAddress);
    expect(stack.sink.to(VICTIM)).toEqual([]);
  });
});
