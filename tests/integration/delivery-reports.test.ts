/**
 * Reports that come back to a return path (hand-delivered to the inbound listener, as a relay would
 * send them; tests/integration/bounces-through-postfix.test.ts has a real relay write them): they act
 * only on the row their token names; forged or altered tokens are refused at RCPT; complaints
 * unsubscribe and suppress for the organiser; delays are recorded; soft bounces add up; a bounce of
 * the letter to the target suppresses nobody.
 */
import { describe, expect, it } from 'vitest';
import { findSuppression } from '../../src/suppressions/suppressions.js';
import { createPublishedCampaign, uniqueSuffix, waitForValue } from '../support/harness.js';
import { deliverRaw } from '../support/inbound-listener.js';
import { seedSupporters } from '../support/seed.js';
import type { ReceivedMail } from '../support/smtp-sink.js';
import { useTestStack } from '../support/test-stack.js';

const { stack, handle, organiser, listener } = useTestStack({
  env: { INBOUND_SMTP_PORT: '0', SOFT_BOUNCE_LIMIT: '2', INBOUND_HMAC_SECRET: 'an-inbound-hmac-secret-of-32-characters!' },
  organiser: 'Reports',
  inboundListener: true,
});

function dsn(to: string, report: { action: string; status: string; recipient: string; messageId?: string }): string {
  return [
    'From: Mail Delivery System <mailer-daemon@mx.example.net>',
    `To: ${to}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <dsn-${uniqueSuffix()}@mx.example.net>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    `Final-Recipient: rfc822; ${report.recipient}`,
    `Action: ${report.action}`,
    `Status: ${report.status}`,
    `Diagnostic-Code: smtp; ${report.status.startsWith('5') ? 550 : 452} ${report.status} refused`,
    '--b1',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${report.messageId ?? '<unknown@example.org>'}`,
    '--b1--',
    '',
  ].join('\r\n');
}

function arf(to: string, recipient: string): string {
  return [
    'From: <fbl@mailbox.example>',
    `To: <${to}>`,
    'Subject: Feedback report',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="fbl"',
    '',
    '--fbl',
    'Content-Type: text/plain',
    '',
    'This is an email abuse report.',
    '--fbl',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: SomeGenerator/1.0',
    'Version: 1',
    `Original-Rcpt-To: <${recipient}>`,
    '--fbl',
    'Content-Type: text/rfc822-headers',
    '',
    'Subject: News',
    '--fbl--',
    '',
  ].join('\r\n');
}

const deliver = (raw: string, to: string) => deliverRaw(listener.port, raw, to, '');

async function broadcastTo(campaignId: string, subject: string) {
  const created = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/broadcasts`, headers: organiser.auth, payload: { kind: 'update', subject, body: 'News.' } });
  const { id } = created.json<{ id: string }>();
  await stack.app.inject({ method: 'POST', url: `/api/v1/broadcasts/${id}/start`, headers: organiser.auth });
  await waitForValue(() => view(id), (b) => b.status === 'completed', `broadcast "${subject}" to complete`);
  return id;
}

const view = async (id: string) =>
  (await stack.app.inject({ method: 'GET', url: `/api/v1/broadcasts/${id}`, headers: organiser.auth })).json<{ status: string; counts: Record<string, number> }>();

const mailTo = (address: string, subject: string): Promise<ReceivedMail> => stack.sink.waitFor((m) => m.envelopeTo.includes(address) && m.parsed.subject === subject);

async function deliveryStatus(broadcastId: string, email: string): Promise<string | undefined> {
  const { rows } = await handle.pool.query<{ status: string }>(
    'SELECT d.status FROM deliveries d JOIN supporters s ON s.id = d.supporter_id JOIN contacts c ON c.id = s.contact_id WHERE d.broadcast_id = $1 AND c.email = $2',
    [broadcastId, email],
  );
  return rows[0]?.status;
}

const countInbound = async () => (await handle.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_messages')).rows[0]!.n;
const processed = (returnPath: string) =>
  waitForValue(
    async () => (await handle.pool.query<{ status: string; outcome: string }>('SELECT status, outcome FROM inbound_messages WHERE $1 = ANY(envelope_to)', [returnPath])).rows[0],
    (row) => row?.status === 'processed',
    `the report to ${returnPath} to be processed`,
  );

describe('a delivery status notification', () => {
  it('bounces the delivery its return path names, and only that one, whatever address or Message-ID it claims', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 2, tag);
    const [first, second] = [1, 2].map((n) => `supporter-${tag}-${n}@example.org`) as [string, string];
    const broadcastId = await broadcastTo(campaign.id, `News ${tag}`);
    const [toFirst, toSecond] = [await mailTo(first, `News ${tag}`), await mailTo(second, `News ${tag}`)];

    // The report names the second supporter's address and Message-ID, but came to the first's return path.
    await deliver(dsn(toFirst.envelopeFrom, { action: 'failed', status: '5.1.1', recipient: second, messageId: toSecond.header('message-id')! }), toFirst.envelopeFrom);
    await waitForValue(() => deliveryStatus(broadcastId, first), (status) => status === 'bounced', 'the first delivery to be bounced');
    expect(await deliveryStatus(broadcastId, second)).toBe('sent');
    expect(await findSuppression(handle.db, first, null)).toEqual({ reason: 'hard_bounce' });
    expect(await findSuppression(handle.db, second, null)).toBeUndefined();
    expect((await view(broadcastId)).counts).toMatchObject({ sent: 1, bounced: 1, bouncedAfterAcceptance: 1, complaints: 0 });
  });

  it('is refused at RCPT with 550 when its return path is forged or altered, and nothing is stored or changed', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 1, tag);
    const address = `supporter-${tag}-1@example.org`;
    const broadcastId = await broadcastTo(campaign.id, `Forged ${tag}`);
    const real = (await mailTo(address, `Forged ${tag}`)).envelopeFrom;
    const [, id, mac] = /^bounce\+d(\d+)-([0-9a-f]{16})@/.exec(real)!;
    const flipped = `${mac!.slice(0, -1)}${mac!.endsWith('0') ? '1' : '0'}`;
    const before = await countInbound();
    for (const forged of [
      `bounce+${broadcastId}@replies.example.org`, // the old shape: any id at all
      `bounce+d${id}-${flipped}@replies.example.org`, // the MAC altered
      `bounce+d${Number(id) + 1}-${mac}@replies.example.org`, // another row with this row's MAC
      `bounce+d${id}@replies.example.org`, // no MAC
    ]) {
      await expect(deliver(dsn(forged, { action: 'failed', status: '5.1.1', recipient: address }), forged)).rejects.toMatchObject({ responseCode: 550 });
    }
    // The signed HTTP intake refuses it too: 404, nothing stored.
    const body = Buffer.from(dsn(`bounce+d${id}-${flipped}@replies.example.org`, { action: 'failed', status: '5.1.1', recipient: address }));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const envelope = { to: `bounce+d${id}-${flipped}@replies.example.org`, from: '', clientIp: '192.0.2.1' };
    const { signInboundRequest } = await import('../../src/inbound/http-intake.js');
    const signature = signInboundRequest(stack.config.INBOUND_HMAC_SECRET!, timestamp, envelope, body);
    const http = await stack.app.inject({
      method: 'POST',
      url: '/api/v1/inbound',
      headers: { 'content-type': 'message/rfc822', 'x-inbound-timestamp': timestamp, 'x-inbound-signature': signature, 'x-envelope-to': envelope.to, 'x-envelope-from': '', 'x-envelope-client-ip': envelope.clientIp },
      payload: body,
    });
    expect(http.statusCode, http.body).toBe(404);
    expect(http.json().error.field).toBe('x-envelope-to');
    expect(await countInbound()).toBe(before);
    expect(await deliveryStatus(broadcastId, address)).toBe('sent');
    expect(await findSuppression(handle.db, address, null)).toBeUndefined();
  });

  it('records a delay and changes nothing; soft bounces of SOFT_BOUNCE_LIMIT messages suppress the address', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 1, tag);
    const address = `supporter-${tag}-1@example.org`;
    const first = await broadcastTo(campaign.id, `One ${tag}`);
    const returnPath = (await mailTo(address, `One ${tag}`)).envelopeFrom;
    await deliver(dsn(returnPath, { action: 'delayed', status: '4.4.1', recipient: address }), returnPath);
    expect((await processed(returnPath))!.outcome).toMatch(/delay 4\.4\.1 recorded$/);
    expect(await deliveryStatus(first, address)).toBe('sent');

    const full = dsn(returnPath, { action: 'failed', status: '4.2.2', recipient: address }).replace('Message-ID: <dsn-', 'Message-ID: <dsn-full-');
    await deliver(full, returnPath);
    await waitForValue(async () => (await handle.pool.query("SELECT count(*)::int AS n FROM delivery_reports WHERE kind = 'soft_bounce' AND delivery_id = (SELECT id FROM deliveries WHERE broadcast_id = $1)", [first])).rows[0].n, (n) => n === 1, 'the soft bounce');
    expect(await findSuppression(handle.db, address, null)).toBeUndefined();

    // A soft bounce of a second message to the same address: the limit (2 here) is reached.
    const second = await broadcastTo(campaign.id, `Two ${tag}`);
    const secondPath = (await mailTo(address, `Two ${tag}`)).envelopeFrom;
    await deliver(dsn(secondPath, { action: 'failed', status: '4.2.2', recipient: address }), secondPath);
    expect((await processed(secondPath))!.outcome).toMatch(/soft bounce 4\.2\.2: 2 within 30 days, address suppressed$/);
    expect(await findSuppression(handle.db, address, null)).toEqual({ reason: 'hard_bounce' });
    expect(await deliveryStatus(second, address)).toBe('sent');
  });
});

describe('a complaint (ARF feedback report)', () => {
  it("unsubscribes the supporter from the organiser's campaigns, suppresses them for the organiser, and stops their mail", async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const other = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 2, tag);
    const [complainer, reader] = [1, 2].map((n) => `supporter-${tag}-${n}@example.org`) as [string, string];
    await handle.pool.query(
      `INSERT INTO supporters (campaign_id, contact_id, name, status, consent_statement, consent_at, confirmed_at)
       SELECT $1, id, 'Supporter 1', 'confirmed', 'I agree', now(), now() FROM contacts WHERE email = $2`,
      [other.id, complainer],
    );
    const first = await broadcastTo(campaign.id, `Spam? ${tag}`);
    const returnPath = (await mailTo(complainer, `Spam? ${tag}`)).envelopeFrom;
    await deliver(arf(returnPath, complainer), returnPath);
    expect((await processed(returnPath))!.outcome).toMatch(/complaint: unsubscribed/);

    const subscribed = await handle.pool.query<{ campaign_id: string; unsubscribed: boolean }>(
      'SELECT s.campaign_id, s.unsubscribed_at IS NOT NULL AS unsubscribed FROM supporters s JOIN contacts c ON c.id = s.contact_id WHERE c.email = $1',
      [complainer],
    );
    expect(subscribed.rows.map((r) => r.unsubscribed)).toEqual([true, true]);
    expect(await findSuppression(handle.db, complainer, organiser.id)).toEqual({ reason: 'complaint' });
    expect(await findSuppression(handle.db, complainer, null)).toBeUndefined();
    expect((await view(first)).counts).toMatchObject({ complaints: 1, sent: 2 });

    const next = await broadcastTo(campaign.id, `After ${tag}`);
    await mailTo(reader, `After ${tag}`);
    expect(await deliveryStatus(next, complainer)).toBeUndefined();
    expect(stack.sink.to(complainer).filter((m) => m.parsed.subject === `After ${tag}`)).toEqual([]);
  });
});

describe('a bounce of the letter to the target', () => {
  it('bounces that delivery and suppresses neither the supporter nor the target', async () => {
    const target = `minister-${uniqueSuffix()}@fco.gov.example`;
    const campaign = await createPublishedCampaign(stack.app, organiser, { target: { name: 'The Minister', email: target } });
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 1, tag);
    const supporter = `supporter-${tag}-1@example.org`;
    const response = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'individual' } });
    const { broadcastId } = response.json<{ broadcastId: string }>();
    const letter = await stack.sink.waitFor((m) => m.envelopeTo.includes(target));
    await deliver(dsn(letter.envelopeFrom, { action: 'failed', status: '5.1.1', recipient: target }), letter.envelopeFrom);
    expect((await processed(letter.envelopeFrom))!.outcome).toMatch(/the target's address is not suppressed/);
    expect(await deliveryStatus(broadcastId, supporter)).toBe('bounced');
    expect(await findSuppression(handle.db, supporter, null)).toBeUndefined();
    expect(await findSuppression(handle.db, target, null)).toBeUndefined();
  });
});
