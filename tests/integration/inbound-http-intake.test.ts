/**
 * POST /api/v1/inbound as an operator's MTA uses it: the signature covers the envelope, a retry of
 * the same hand-over after our 5xx is stored once, and SPF is decided only from the client address
 * the signed request states — never from the message's own Received headers. DNS is a zone inside
 * this process (fake-dns.ts); DKIM keys are generated here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { signInboundRequest, type InboundEnvelope } from '../../src/inbound/http-intake.js';
import { generateDkimKey, installFakeDns, txt } from '../support/fake-dns.js';
import { createPublishedCampaign, uniqueSuffix, waitForValue } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';

const SECRET = 'an-inbound-hmac-secret-of-32-characters-or-more';
const OFFICIAL_DOMAIN = 'fco.example.gov.uk';
const OFFICIAL = `minister@${OFFICIAL_DOMAIN}`;
const OFFICIAL_IP = '192.0.2.10';
const EVIL = 'evil.example';

const attacker = generateDkimKey(EVIL);
const restoreDns = installFakeDns({
  ...attacker.zone,
  [`_dmarc.${OFFICIAL_DOMAIN}`]: { TXT: [txt('v=DMARC1; p=reject')] },
  [OFFICIAL_DOMAIN]: { TXT: [txt(`v=spf1 ip4:${OFFICIAL_IP} -all`)] },
  [`_dmarc.${EVIL}`]: { TXT: [txt('v=DMARC1; p=none')] },
});

// Registered before the stack's hooks, so it runs after the stack (whose workers look up DNS) has closed.
afterAll(() => restoreDns());
const { stack, handle, organiser } = useTestStack({
  env: { INBOUND_HMAC_SECRET: SECRET, INBOUND_REQUIRE_DMARC: 'true', SWEEP_INTERVAL_SECONDS: '1' },
  organiser: 'UNA-UK',
});

async function newCampaign() {
  const campaign = await createPublishedCampaign(stack.app, organiser, { replyPolicy: { mode: 'approve', allowedSenders: [OFFICIAL_DOMAIN] } });
  const details = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json();
  return { ...campaign, replyAddress: details.replyAddress as string };
}

function message(from: string, to: string, extraHeaders: string[] = []): string {
  return [
    ...extraHeaders,
    `From: ${from}`,
    `To: ${to}`,
    'Subject: Re: your campaign letter',
    `Message-ID: <http-${uniqueSuffix()}@${OFFICIAL_DOMAIN}>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Thank you for your letter.',
    '',
  ].join('\r\n');
}

/** The headers an operator's MTA sends: the envelope it states, signed with the timestamp and body. */
function signedHeaders(envelope: InboundEnvelope, body: string, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
  return {
    'x-envelope-to': envelope.to,
    ...(envelope.from !== undefined ? { 'x-envelope-from': envelope.from } : {}),
    ...(envelope.clientIp !== undefined ? { 'x-envelope-client-ip': envelope.clientIp } : {}),
    'x-inbound-timestamp': timestamp,
    'x-inbound-signature': signInboundRequest(SECRET, timestamp, envelope, Buffer.from(body)),
  };
}

async function handOver(body: string, headers: Record<string, string>) {
  return stack.app.inject({ method: 'POST', url: '/api/v1/inbound', headers: { 'content-type': 'message/rfc822', ...headers }, payload: body });
}

async function storedCount(): Promise<number> {
  return (await handle.pool.query("SELECT count(*)::int AS n FROM inbound_messages WHERE via = 'http'")).rows[0].n;
}

async function replyOf(campaignId: string, inboundId: string) {
  await waitForValue(
    async () => (await handle.pool.query('SELECT status FROM inbound_messages WHERE id = $1', [inboundId])).rows[0]?.status,
    (status) => status === 'processed',
    'the handed-over message to be processed',
  );
  const items = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/replies`, headers: organiser.auth })).json().items;
  const [row] = (await handle.pool.query('SELECT id FROM replies WHERE inbound_message_id = $1', [inboundId])).rows;
  return items.find((item: { id: string }) => item.id === row.id);
}

describe('a retried hand-over', () => {
  it('is accepted after our 5xx, as the same signed request or signed afresh, and stored once', async () => {
    const campaign = await newCampaign();
    const body = message(OFFICIAL, campaign.replyAddress);
    const headers = signedHeaders({ to: campaign.replyAddress, from: OFFICIAL, clientIp: OFFICIAL_IP }, body);
    const before = await storedCount();

    // Postgres refuses the first attempt (a real failure of our own database, not a stub).
    await handle.pool.query(`
      CREATE FUNCTION refuse_http_intake() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'simulated outage'; END $$;
      CREATE TRIGGER refuse_http_intake BEFORE INSERT ON inbound_messages FOR EACH ROW WHEN (NEW.via = 'http') EXECUTE FUNCTION refuse_http_intake();`);
    try {
      const failed = await handOver(body, headers);
      expect(failed.statusCode).toBe(500);
      expect(await storedCount()).toBe(before);
    } finally {
      await handle.pool.query('DROP TRIGGER refuse_http_intake ON inbound_messages; DROP FUNCTION refuse_http_intake();');
    }

    const retried = await handOver(body, headers);
    expect(retried.statusCode).toBe(202);
    const again = await handOver(body, headers);
    expect(again.statusCode).toBe(202);
    expect(again.json().id).toBe(retried.json().id);
    const resigned = await handOver(body, signedHeaders({ to: campaign.replyAddress, from: OFFICIAL, clientIp: OFFICIAL_IP }, body, String(Math.floor(Date.now() / 1000) - 60)));
    expect(resigned.statusCode).toBe(202);
    expect(resigned.json().id).toBe(retried.json().id);
    expect(await storedCount()).toBe(before + 1);

    const reply = await replyOf(campaign.id, retried.json().id);
    expect(reply).toMatchObject({ status: 'awaiting_approval', trusted: true, authentication: { spf: 'pass', dmarc: 'pass' } });
  });
});

describe('the signed envelope', () => {
  it('is refused, storing nothing, when a recipient, sender or client address was altered or added after signing', async () => {
    const campaign = await newCampaign();
    const other = await newCampaign();
    const body = message(OFFICIAL, campaign.replyAddress);
    const signed = signedHeaders({ to: campaign.replyAddress, from: OFFICIAL }, body);
    const before = await storedCount();

    const altered = [
      { ...signed, 'x-envelope-to': other.replyAddress },
      { ...signed, 'x-envelope-from': `attacker@${EVIL}` },
      { ...signed, 'x-envelope-client-ip': OFFICIAL_IP },
      Object.fromEntries(Object.entries(signed).filter(([name]) => name !== 'x-envelope-from')),
    ];
    for (const headers of altered) {
      const response = await handOver(body, headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
    }
    expect(await storedCount()).toBe(before);
  });

  it('is refused, storing nothing, when a signed field is not an address', async () => {
    const campaign = await newCampaign();
    const body = message(OFFICIAL, campaign.replyAddress);
    const before = await storedCount();
    const cases: [InboundEnvelope, string][] = [
      [{ to: campaign.replyAddress, clientIp: 'mail.fco.example.gov.uk' }, 'x-envelope-client-ip'],
      [{ to: campaign.replyAddress, from: 'Minister <minister@fco.example.gov.uk>' }, 'x-envelope-from'],
    ];
    for (const [envelope, field] of cases) {
      const response = await handOver(body, signedHeaders(envelope, body));
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'validation_failed', field });
    }
    const unknown = await handOver(body, signedHeaders({ to: `reply+nosuchcampaign@${stack.config.INBOUND_DOMAIN}` }, body));
    expect(unknown.statusCode).toBe(404);
    expect(await storedCount()).toBe(before);
  });
});

describe('SPF for a hand-over', () => {
  // What the attacker writes into the message: a Received header naming the official's own server.
  const forgedReceived = `Received: from mail.${OFFICIAL_DOMAIN} (mail.${OFFICIAL_DOMAIN} [${OFFICIAL_IP}]) by mx.example.org with ESMTP id x1; Tue, 17 Jun 2014 10:00:00 +0100`;

  it('is never read from Received headers inside the message, only from the client address the request states', async () => {
    const campaign = await newCampaign();
    const unstated = message(OFFICIAL, campaign.replyAddress, [forgedReceived]);
    const noIp = await handOver(unstated, signedHeaders({ to: campaign.replyAddress, from: OFFICIAL }, unstated));
    expect(noIp.statusCode).toBe(202);
    expect(await replyOf(campaign.id, noIp.json().id)).toMatchObject({
      status: 'held',
      trusted: false,
      reason: expect.stringContaining('DMARC did not pass (fail)'),
      authentication: { spf: 'not checked', dmarc: 'fail' },
    });

    const elsewhere = message(OFFICIAL, campaign.replyAddress, [forgedReceived]);
    const attackerIp = await handOver(elsewhere, signedHeaders({ to: campaign.replyAddress, from: OFFICIAL, clientIp: '198.51.100.7' }, elsewhere));
    expect(await replyOf(campaign.id, attackerIp.json().id)).toMatchObject({ status: 'held', authentication: { spf: 'fail', dmarc: 'fail' } });

    const genuine = message(OFFICIAL, campaign.replyAddress);
    const officialIp = await handOver(genuine, signedHeaders({ to: campaign.replyAddress, from: OFFICIAL, clientIp: OFFICIAL_IP }, genuine));
    expect(await replyOf(campaign.id, officialIp.json().id)).toMatchObject({ status: 'awaiting_approval', trusted: true, authentication: { spf: 'pass', dmarc: 'pass' } });
  });

  it('cannot make a forged From trusted: the attack from reply-trust.test.ts, handed over by HTTP, is held', async () => {
    const campaign = await newCampaign();
    const forged = await attacker.sign(message(`=?utf-8?B?${Buffer.from(`<${OFFICIAL}>`).toString('base64')}?=, attacker@${EVIL}`, campaign.replyAddress));
    const response = await handOver(forged, signedHeaders({ to: campaign.replyAddress, from: `attacker@${EVIL}`, clientIp: '198.51.100.7' }, forged));
    expect(response.statusCode).toBe(202);
    expect(await replyOf(campaign.id, response.json().id)).toMatchObject({
      status: 'held',
      trusted: false,
      from: { address: `attacker@${EVIL}` },
      reason: expect.stringContaining('encoded word'),
      authentication: { dmarc: 'pass' },
    });
  });
});
