import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublishedCampaign, newOrganiser, signAndConfirm, uniqueSuffix, waitForValue, type Stack } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { deliverRaw } from '../support/inbound-listener.js';
import { seedSupporters } from '../support/seed.js';
import { broadcastMessageIdPrefix } from '../../src/mail/message-id.js';

const FIXTURE = readFileSync(new URL('../fixtures/government-reply-2014.eml', import.meta.url), 'utf8');
const OFFICIAL = 'conflict.department@fco.example.gov.uk';

const { stack, handle, organiser, listener } = useTestStack({
  env: { SWEEP_INTERVAL_SECONDS: '1', INBOUND_REQUIRE_DMARC: 'false', INBOUND_SMTP_PORT: '0', INBOUND_MAX_BYTES: '200000' },
  organiser: 'UNA-UK',
  inboundListener: true,
});

async function campaignWith(policy: { mode: 'auto' | 'approve'; allowedSenders: string[] }) {
  const campaign = await createPublishedCampaign(stack.app, organiser, { replyPolicy: policy });
  const details = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json();
  return { ...campaign, replyAddress: details.replyAddress as string };
}

const deliver = (raw: string, to: string, from = OFFICIAL) => deliverRaw(listener.port, raw, to, from);

async function repliesOf(campaignId: string) {
  return (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/replies`, headers: organiser.auth })).json().items;
}

async function broadcastOf(broadcastId: string) {
  return (await stack.app.inject({ method: 'GET', url: `/api/v1/broadcasts/${broadcastId}`, headers: organiser.auth })).json();
}

describe('an official reply by email', () => {
  it('is received, authenticated, recorded once, and forwarded once to every confirmed subscribed supporter with its PDF', async () => {
    const campaign = await campaignWith({ mode: 'auto', allowedSenders: ['fco.example.gov.uk'] });
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 20, tag);
    await handle.pool.query(
      `UPDATE supporters SET unsubscribed_at = now() WHERE id = (
         SELECT s.id FROM supporters s JOIN contacts c ON c.id = s.contact_id WHERE c.email = $1)`,
      [`supporter-${tag}-1@example.org`],
    );

    const accepted = await deliver(FIXTURE, campaign.replyAddress);
    expect(accepted.response).toMatch(/^250 /);
    const [reply] = await waitForValue(() => repliesOf(campaign.id), (items) => items[0]?.status === 'forwarded', 'the reply to be forwarded');
    expect(reply).toMatchObject({
      trusted: true,
      from: { address: OFFICIAL, name: 'Conflict Department' },
      subject: 'Re: UNA-UK letter campaign on the Responsibility to Protect (MIN/66425/2014)',
      attachments: [{ filename: 'MIN-66425-2014.pdf', contentType: 'application/pdf' }],
    });
    expect(reply.text).toContain('A copy of this letter has been emailed to your members who supported the UNA-UK campaign letter');
    expect(reply.authentication).toHaveProperty('dmarc');

    const done = await waitForValue(() => broadcastOf(reply.broadcastId), (b) => b.status === 'completed', 'the forward to complete');
    expect(done.counts).toMatchObject({ total: 19, sent: 19 });
    const forwarded = stack.sink.received.filter((m) => m.header('message-id')?.startsWith(broadcastMessageIdPrefix(reply.broadcastId, stack.config.SECRET_KEY)));
    expect(forwarded).toHaveLength(19);
    expect(new Set(forwarded.flatMap((m) => m.envelopeTo)).size).toBe(19);
    expect(forwarded.some((m) => m.envelopeTo.includes(`supporter-${tag}-1@example.org`))).toBe(false);
    const one = forwarded.find((m) => m.envelopeTo[0] === `supporter-${tag}-3@example.org`)!;
    expect(one.parsed.subject).toBe('The reply to “The Responsibility to Protect in Syria”');
    expect(one.parsed.text).toMatch(/^Dear Supporter,\n\nConflict Department \(fco\.example\.gov\.uk\) has replied to the letter to The Rt Hon William Hague MP that you signed on \d+ \w+ \d{4}\. The reply is dated 17 June 2014,/);
    expect(one.parsed.text).toContain('A copy of this letter has been emailed to your members');
    expect(one.parsed.attachments.map((a) => a.filename)).toEqual(['MIN-66425-2014.pdf']);

    // The same message again is the same reply: nothing new recorded or sent.
    await deliver(FIXTURE, campaign.replyAddress);
    await waitForValue(
      async () => (await handle.pool.query("SELECT count(*)::int AS n FROM inbound_messages WHERE status = 'received'")).rows[0].n,
      (n) => n === 0,
      'the duplicate to be processed',
    );
    expect(await repliesOf(campaign.id)).toHaveLength(1);
    expect(stack.sink.received.filter((m) => m.header('message-id')?.startsWith(broadcastMessageIdPrefix(reply.broadcastId, stack.config.SECRET_KEY)))).toHaveLength(19);

    // The campaign page shows it, and someone who confirms now gets it with their welcome mail.
    const page = await stack.app.inject({ method: 'GET', url: `/c/${campaign.slug}` });
    expect(page.body).toContain('The official reply');
    expect(page.body).toContain('emailed to your members');
    const late = `late-${tag}@example.org`;
    await signAndConfirm(stack, campaign.slug, { name: 'Late Comer', email: late });
    const welcome = await stack.sink.waitFor((m) => m.envelopeTo.includes(late) && !m.parsed.subject!.startsWith('Please confirm'));
    expect(welcome.parsed.text).toContain('The letter has already been answered: Conflict Department replied on 17 June 2014');
    expect(welcome.parsed.text).toContain('emailed to your members');
    expect(welcome.parsed.attachments.map((a) => a.filename)).toEqual(['MIN-66425-2014.pdf']);
  });

  it('holds, with their reason, a spoofed sender, an automatic reply and a malformed message', async () => {
    const campaign = await campaignWith({ mode: 'auto', allowedSenders: ['fco.example.gov.uk'] });
    await deliver(FIXTURE.replace(/^From: .*$/m, 'From: Minister <minister@fco-example.evil>').replace(/^Message-ID: .*$/m, 'Message-ID: <spoof@x>'), campaign.replyAddress);
    await deliver(FIXTURE.replace(/^Message-ID: .*$/m, 'Message-ID: <ooo@x>\r\nAuto-Submitted: auto-replied').replace(/^Subject: .*$/m, 'Subject: Out of office'), campaign.replyAddress);
    await deliver('this is not\r\nan email message at all\r\n', campaign.replyAddress);

    const items = await waitForValue(() => repliesOf(campaign.id), (list) => list.length === 3, 'three held replies');
    const reasons = items.map((r: { status: string; reason: string }) => `${r.status}: ${r.reason}`).sort();
    expect(reasons).toEqual([
      expect.stringMatching(/^held: automatic reply \(Auto-Submitted: auto-replied\), never forwarded/),
      expect.stringMatching(/^held: malformed: no readable From address/),
      expect.stringMatching(/^held: sender minister@fco-example\.evil is not an allowed official sender/),
    ]);
    expect(items.every((r: { broadcastId: string | null }) => r.broadcastId === null)).toBe(true);
  });

  it('waits for the organiser’s approval when the policy says so, and can be rejected', async () => {
    const campaign = await campaignWith({ mode: 'approve', allowedSenders: [OFFICIAL] });
    await seedSupporters(handle, campaign.id, 3, uniqueSuffix());
    await deliver(FIXTURE, campaign.replyAddress);
    const [reply] = await waitForValue(() => repliesOf(campaign.id), (items) => items.length === 1, 'the reply');
    expect(reply).toMatchObject({ status: 'awaiting_approval', trusted: true, broadcastId: null });

    const stranger = await newOrganiser(handle, 'Stranger');
    expect((await stack.app.inject({ method: 'POST', url: `/api/v1/replies/${reply.id}/approve`, headers: stranger.auth })).statusCode).toBe(404);
    expect((await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/replies`, headers: stranger.auth })).statusCode).toBe(404);

    const approved = await stack.app.inject({ method: 'POST', url: `/api/v1/replies/${reply.id}/approve`, headers: organiser.auth });
    expect(approved.statusCode).toBe(200);
    expect(approved.json().status).toBe('forwarded');
    const done = await waitForValue(() => broadcastOf(approved.json().broadcastId), (b) => b.status === 'completed', 'the forward');
    expect(done.counts.sent).toBe(3);
    const again = await stack.app.inject({ method: 'POST', url: `/api/v1/replies/${reply.id}/reject`, headers: organiser.auth });
    expect(again.statusCode).toBe(422);

    await deliver(FIXTURE.replace(/^Message-ID: .*$/m, 'Message-ID: <second@fco.example.gov.uk>'), campaign.replyAddress);
    const second = (await waitForValue(() => repliesOf(campaign.id), (items) => items.length === 2, 'the second reply')).find(
      (r: { id: string }) => r.id !== reply.id,
    );
    const rejected = await stack.app.inject({ method: 'POST', url: `/api/v1/replies/${second.id}/reject`, headers: organiser.auth });
    expect(rejected.json()).toMatchObject({ status: 'rejected', broadcastId: null });
  });
});

describe('the inbound listener', () => {
  it('refuses unknown recipients with 550 and oversize messages with 552, storing nothing', async () => {
    const before = (await handle.pool.query('SELECT count(*)::int AS n FROM inbound_messages')).rows[0].n;
    await expect(deliver(FIXTURE, 'reply+0000000000@replies.example.org')).rejects.toMatchObject({ responseCode: 550 });
    await expect(deliver(FIXTURE, 'postmaster@replies.example.org')).rejects.toMatchObject({ responseCode: 550 });
    await expect(deliver(FIXTURE, 'reply+abc@elsewhere.example')).rejects.toMatchObject({ responseCode: 550 });

    const campaign = await campaignWith({ mode: 'auto', allowedSenders: ['fco.example.gov.uk'] });
    const huge = FIXTURE.replace('\r\n\r\n', `\r\nX-Padding: ${'x'.repeat(250_000)}\r\n\r\n`);
    await expect(deliver(huge, campaign.replyAddress)).rejects.toMatchObject({ responseCode: 552 });
    expect((await handle.pool.query('SELECT count(*)::int AS n FROM inbound_messages')).rows[0].n).toBe(before);
  });
});

describe('receiving by HTTP and by hand', () => {
  const secret = 'an-inbound-hmac-secret-of-32-characters-or-more';
  let app: Stack['app'];
  beforeAll(async () => {
    const { startApp } = await import('../support/harness.js');
    app = await startApp({ INBOUND_HMAC_SECRET: secret, REDIS_PREFIX: stack.config.REDIS_PREFIX, SMTP_URL: stack.config.SMTP_URL });
  });
  afterAll(() => app.close());

  async function intake(body: string, headers: Record<string, string>) {
    return app.inject({ method: 'POST', url: '/api/v1/inbound', headers: { 'content-type': 'message/rfc822', ...headers }, payload: body });
  }

  it('takes a signed raw message, refuses a bad or stale signature storing nothing, and stores a repeated hand-over once', async () => {
    const { signInboundRequest } = await import('../../src/inbound/http-intake.js');
    const campaign = await campaignWith({ mode: 'approve', allowedSenders: ['fco.example.gov.uk'] });
    const raw = FIXTURE.replace(/^Message-ID: .*$/m, 'Message-ID: <via-http@fco.example.gov.uk>');
    const count = async () => (await handle.pool.query("SELECT count(*)::int AS n FROM inbound_messages WHERE via = 'http'")).rows[0].n;
    const before = await count();
    const now = String(Math.floor(Date.now() / 1000));
    const stated = { to: campaign.replyAddress, from: OFFICIAL };
    const signature = signInboundRequest(secret, now, stated, Buffer.from(raw));
    const envelope = { 'x-envelope-to': campaign.replyAddress, 'x-envelope-from': OFFICIAL };

    const bad = await intake(raw, { ...envelope, 'x-inbound-timestamp': now, 'x-inbound-signature': signature.replace(/.$/, (c) => (c === '0' ? '1' : '0')) });
    expect(bad.statusCode).toBe(401);
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    const old = await intake(raw, { ...envelope, 'x-inbound-timestamp': stale, 'x-inbound-signature': signInboundRequest(secret, stale, stated, Buffer.from(raw)) });
    expect(old.statusCode).toBe(401);
    const unsigned = await intake(raw, envelope);
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().error.code).toBe('unauthorized');
    expect(await count()).toBe(before);

    const accepted = await intake(raw, { ...envelope, 'x-inbound-timestamp': now, 'x-inbound-signature': signature });
    expect(accepted.statusCode).toBe(202);
    const repeated = await intake(raw, { ...envelope, 'x-inbound-timestamp': now, 'x-inbound-signature': signature });
    expect(repeated.statusCode).toBe(202);
    expect(repeated.json().id).toBe(accepted.json().id);
    expect(await count()).toBe(before + 1);

    const [reply] = await waitForValue(() => repliesOf(campaign.id), (items) => items.length === 1, 'the reply from HTTP intake');
    expect(reply).toMatchObject({ status: 'awaiting_approval', trusted: true, from: { address: OFFICIAL } });
  });

  it('records a reply that came by post, with its scanned letter, and forwards it under an auto policy', async () => {
    const campaign = await campaignWith({ mode: 'auto', allowedSenders: ['fco.example.gov.uk'] });
    await seedSupporters(handle, campaign.id, 4, uniqueSuffix());
    const boundary = '----letters' + uniqueSuffix();
    const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const body = Buffer.concat([
      Buffer.from(
        part('fromAddress', OFFICIAL) +
          part('fromName', 'Foreign & Commonwealth Office') +
          part('subject', 'Reply to your campaign letter (by post)') +
          part('body', 'Dear Sir Jeremy,\n\nThank you for your letter.\n\n*Mark Simmonds MP*') +
          part('receivedAt', '2014-06-17') +
          `--${boundary}\r\nContent-Disposition: form-data; name="letter"; filename="reply.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      Buffer.from('%PDF-1.4 scanned letter'),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/replies`,
      headers: { ...organiser.auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(response.statusCode, response.body).toBe(201);
    const reply = response.json();
    expect(reply).toMatchObject({ status: 'forwarded', trusted: true, attachments: [{ filename: 'reply.pdf', contentType: 'application/pdf' }] });
    expect(reply.html).toContain('<em>Mark Simmonds MP</em>');
    const done = await waitForValue(() => broadcastOf(reply.broadcastId), (b) => b.status === 'completed', 'the forward');
    expect(done.counts.sent).toBe(4);

    const invalid = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/replies`,
      headers: organiser.auth,
      payload: { fromAddress: 'not-an-address', subject: 's', body: 'b' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.field).toBe('fromAddress');
  });
});

describe('checks that need DNS', () => {
  it('holds a reply whose DMARC check fails', async () => {
    const { makeProcessInbound } = await import('../../src/inbound/process-inbound.js');
    const { inboundMessages } = await import('../../src/db/schema.js');
    const campaign = await campaignWith({ mode: 'auto', allowedSenders: ['fco.example.gov.uk'] });
    // The official domain publishes p=reject; the message carries no DKIM and comes from an unlisted IP.
    const resolver = async (name: string, rrtype: string) => {
      if (rrtype === 'TXT' && /^_dmarc\.(fco\.)?example\.gov\.uk$/.test(name)) return [['v=DMARC1; p=reject']];
      throw Object.assign(new Error(`no ${rrtype} for ${name}`), { code: 'ENOTFOUND' });
    };
    const process = makeProcessInbound({
      db: handle.db,
      jobs: { plan: async () => undefined },
      config: { ...stack.config, INBOUND_REQUIRE_DMARC: true },
      resolver,
    });
    const [row] = await handle.db
      .insert(inboundMessages)
      .values({ via: 'smtp', envelopeFrom: OFFICIAL, envelopeTo: [campaign.replyAddress], remoteAddress: '192.0.2.10', helo: 'mail.example', raw: Buffer.from(FIXTURE.replace(/^Message-ID: .*$/m, 'Message-ID: <dmarc@x>')) })
      .returning();
    await process({ inboundId: row!.id });
    const [held] = await repliesOf(campaign.id);
    expect(held).toMatchObject({ status: 'held', trusted: false });
    expect(held.reason).toContain('DMARC did not pass (fail)');
    expect(held.authentication.dmarc).toBe('fail');
  });
});
