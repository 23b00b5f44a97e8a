/**
 * Bounces that come back the way production's do: the service hands its mail to a real Postfix (the
 * relay), which answers 250 and delivers later to a "remote" SMTP server of the test. The remote
 * refuses one supporter for good (550 5.1.1) and another once (451); Postfix retries the second
 * and, for the first, writes its own delivery status notification to the message's envelope sender,
 * which its transport map routes to our inbound listener. Nothing is hand-delivered.
 *
 * Skipped, saying why, only when Postfix is not installed or cannot be started as root here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSuppression } from '../../src/suppressions/suppressions.js';
import { findFreePort } from '../support/free-port.js';
import { createPublishedCampaign, uniqueSuffix, waitForValue } from '../support/harness.js';
import { postfixUnavailable, startPostfixRelay, type PostfixRelay } from '../support/postfix-relay.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { useTestStack } from '../support/test-stack.js';

const unavailable = postfixUnavailable();
const ports = unavailable ? { relay: 0, inbound: 0 } : { relay: await findFreePort(), inbound: await findFreePort() };

describe.skipIf(unavailable !== undefined)(`through a real Postfix relay${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  const { stack, handle, organiser } = useTestStack({
    organiser: 'Postfix relay',
    env: { SMTP_URL: `smtp://127.0.0.1:${ports.relay}`, INBOUND_SMTP_PORT: String(ports.inbound) },
    inboundListener: true,
  });
  let remote: SmtpSink;
  let relay: PostfixRelay;

  beforeAll(async () => {
    remote = await startSmtpSink();
    relay = await startPostfixRelay({
      port: ports.relay,
      transport: { 'remote.example': `[127.0.0.1]:${new URL(remote.url).port}`, 'replies.example.org': `[127.0.0.1]:${ports.inbound}` },
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await remote?.close();
  });

  async function confirmedSupporter(campaignId: string, email: string): Promise<string> {
    const { rows } = await handle.pool.query<{ id: string }>(
      `WITH c AS (INSERT INTO contacts (email, name) VALUES ($2, 'Supporter') RETURNING id)
       INSERT INTO supporters (campaign_id, contact_id, name, status, consent_statement, consent_at, confirmed_at)
       SELECT $1::uuid, id, 'Supporter', 'confirmed', 'I agree', now(), now() FROM c RETURNING id`,
      [campaignId, email],
    );
    return rows[0]!.id;
  }

  async function sendBroadcast(campaignId: string, subject: string): Promise<string> {
    const created = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaignId}/broadcasts`,
      headers: organiser.auth,
      payload: { kind: 'update', subject, body: 'News of the campaign.' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    expect((await stack.app.inject({ method: 'POST', url: `/api/v1/broadcasts/${id}/start`, headers: organiser.auth })).statusCode).toBe(200);
    return id;
  }

  const broadcastView = async (id: string) =>
    (await stack.app.inject({ method: 'GET', url: `/api/v1/broadcasts/${id}`, headers: organiser.auth })).json<{
      status: string;
      counts: Record<string, number>;
    }>();

  const deliveryOf = async (broadcastId: string, supporterId: string) =>
    (await handle.pool.query<{ status: string; last_response: string }>('SELECT status, last_response FROM deliveries WHERE broadcast_id = $1 AND supporter_id = $2', [broadcastId, supporterId])).rows[0];

  it('a 5.1.1 the relay reports after its 250 bounces the delivery and suppresses the address before the next broadcast; a 4xx is retried by the relay and delivered', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    const [ok, gone, slow] = ['ok', 'gone', 'slow'].map((name) => `${name}-${tag}@remote.example`) as [string, string, string];
    const okId = await confirmedSupporter(campaign.id, ok);
    const goneId = await confirmedSupporter(campaign.id, gone);
    const slowId = await confirmedSupporter(campaign.id, slow);
    remote.refuse(gone, 550, '5.1.1 <gone>: Recipient address rejected: User unknown', Infinity);
    remote.refuse(slow, 451, '4.7.1 Greylisted, try again later', 1);

    const first = await sendBroadcast(campaign.id, 'First news');
    // The relay said 250 to all three: the broadcast completes with every delivery sent.
    const completed = await waitForValue(() => broadcastView(first), (view) => view.status === 'completed', 'the first broadcast to complete');
    expect(completed.counts).toMatchObject({ sent: 3, bounced: 0, failed: 0 });

    // Then Postfix's own DSN comes back to the return path of gone's delivery.
    const bounced = await waitForValue(() => deliveryOf(first, goneId), (row) => row?.status === 'bounced', "gone's delivery to be bounced by Postfix's DSN");
    expect(bounced!.last_response).toMatch(/^bounced after acceptance: 5\.1\.1 .*550 5\.1\.1/);
    expect(await findSuppression(handle.db, gone, null)).toEqual({ reason: 'hard_bounce' });
    expect((await broadcastView(first)).counts).toMatchObject({ sent: 2, bounced: 1, bouncedAfterAcceptance: 1, complaints: 0 });

    // The deferred one was retried by Postfix and delivered; the relay's log shows the deferral.
    const slowMail = await remote.waitFor((mail) => mail.envelopeTo.includes(slow));
    await remote.waitFor((mail) => mail.envelopeTo.includes(ok));
    expect(await relay.log()).toMatch(new RegExp(`to=<${slow}>.*status=deferred`));
    expect((await deliveryOf(first, slowId))!.status).toBe('sent');
    expect((await deliveryOf(first, okId))!.status).toBe('sent');
    // What the remote saw: our From, and as envelope sender the delivery's own return path.
    expect(slowMail.parsed.from?.address).toBe('campaigns@example.org');
    expect(slowMail.envelopeFrom).toMatch(/^bounce\+d\d+-[0-9a-f]{16}@replies\.example\.org$/);
    expect(slowMail.header('message-id')).toMatch(/^<broadcast\.[0-9a-f]{16}\.[0-9a-f]{24}@example\.org>$/);

    // The next broadcast skips the suppressed address: no row for gone, nothing sent to them.
    const second = await sendBroadcast(campaign.id, 'Second news');
    await waitForValue(() => broadcastView(second), (view) => view.status === 'completed', 'the second broadcast to complete');
    expect(await deliveryOf(second, goneId)).toBeUndefined();
    await remote.waitFor((mail) => mail.envelopeTo.includes(ok) && mail.parsed.subject === 'Second news');
    await remote.waitFor((mail) => mail.envelopeTo.includes(slow) && mail.parsed.subject === 'Second news');
    expect((await broadcastView(second)).counts).toMatchObject({ total: 2, sent: 2 });
  });

  it("a confirmation request refused after the relay's 250 records its bounce and suppresses the address", async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const address = `nobody-${uniqueSuffix()}@remote.example`;
    remote.refuse(address, 550, '5.1.1 <nobody>: Recipient address rejected: User unknown', Infinity);
    const signed = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.slug}/signatures`,
      payload: { name: 'No Body', email: address, consent: true },
    });
    expect(signed.statusCode).toBeLessThan(300);
    const message = await waitForValue(
      async () =>
        (
          await handle.pool.query<{ status: string; last_response: string }>(
            `SELECT m.status, m.last_response FROM transactional_messages m JOIN supporters s ON s.id = m.supporter_id
             JOIN contacts c ON c.id = s.contact_id WHERE c.email = $1 AND m.kind = 'confirmation'`,
            [address],
          )
        ).rows[0],
      (row) => row?.status === 'failed',
      "the confirmation's bounce to be recorded",
    );
    expect(message!.last_response).toMatch(/^bounced after acceptance: 5\.1\.1/);
    expect(await findSuppression(handle.db, address, null)).toEqual({ reason: 'hard_bounce' });
  });
});
