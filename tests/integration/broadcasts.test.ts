import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { emailHash } from '../../src/supporters/email-address.js';
import {
  createPublishedCampaign,
  newOrganiser,
  startApp,
  startStack,
  testEnv,
  uniqueSuffix,
  waitForValue,
  waitUntil,
  type Stack,
} from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { startSmtpSink, type ReceivedMail } from '../support/smtp-sink.js';
import { seedSupporters } from '../support/seed.js';
import { broadcastMessageIdPrefix } from '../../src/mail/message-id.js';

const FAST = {
  SWEEP_INTERVAL_SECONDS: '1',
  DELIVERY_RETRY_BASE_SECONDS: '1',
  DELIVERY_STALE_SECONDS: '3',
  BROADCAST_PARALLELISM: '4',
  WORKER_CONCURRENCY: '4',
};

const { handle, organiser } = useTestStack({ runs: 'database', organiser: 'UNA-UK' });

type App = Stack['app'];

async function createBroadcast(app: App, campaignId: string, overrides: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${campaignId}/broadcasts`,
    headers: organiser.auth,
    payload: {
      kind: 'reply',
      subject: 'The Foreign Office has replied, {{ supporter.first_name }}',
      body: 'Dear {{ supporter.name }},\n\nThe reply to the letter you signed on {{ signed_at }} is below.\n\n[Unsubscribe]({{ unsubscribe_url }})',
      ...overrides,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; status: string }>();
}

async function act(app: App, broadcastId: string, action: string) {
  return app.inject({ method: 'POST', url: `/api/v1/broadcasts/${broadcastId}/${action}`, headers: organiser.auth });
}

async function progress(app: App, broadcastId: string) {
  return (await app.inject({ method: 'GET', url: `/api/v1/broadcasts/${broadcastId}`, headers: organiser.auth })).json();
}

/** The progress counts the API reports (kept by the ledger's trigger) are the ledger's rows, counted now. */
async function expectCountsOfLedger(app: App, broadcastId: string) {
  const { rows } = await handle.pool.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM deliveries WHERE broadcast_id = $1 GROUP BY status',
    [broadcastId],
  );
  const n = (...statuses: string[]) => rows.filter((row) => statuses.includes(row.status)).reduce((sum, row) => sum + row.n, 0);
  expect((await progress(app, broadcastId)).counts).toEqual({
    total: n('pending', 'retry', 'sending', 'sent', 'failed', 'bounced', 'skipped'),
    pending: n('pending', 'retry', 'sending'),
    sent: n('sent'),
    failed: n('failed'),
    bounced: n('bounced'),
    // Reports after acceptance: none come back in these tests (delivery-reports.test.ts has them).
    bouncedAfterAcceptance: 0,
    complaints: 0,
    skipped: n('skipped'),
  });
}

async function waitForStatus(app: App, broadcastId: string, status: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await progress(app, broadcastId);
    if (current.status === status) return current;
    if (Date.now() > deadline) throw new Error(`broadcast still ${current.status}: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function forBroadcast(received: ReceivedMail[], broadcastId: string): ReceivedMail[] {
  const prefix = broadcastMessageIdPrefix(broadcastId, testEnv().SECRET_KEY!);
  return received.filter((mail) => mail.header('message-id')?.startsWith(prefix));
}

/** Message-IDs received per recipient address. */
function messageIdsByRecipient(mails: ReceivedMail[]): Map<string, string[]> {
  const byRecipient = new Map<string, string[]>();
  for (const mail of mails) {
    for (const to of mail.envelopeTo) byRecipient.set(to, [...(byRecipient.get(to) ?? []), mail.header('message-id')!]);
  }
  return byRecipient;
}

describe('a broadcast to a few thousand supporters', () => {
  const { stack } = useTestStack({ env: FAST });

  it('reaches exactly the audience, once each, with personalised mail, and counts match the sink', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 2_000, tag);
    // Not in the audience: unsubscribed, suppressed everywhere, unconfirmed.
    await handle.pool.query(
      `UPDATE supporters SET unsubscribed_at = now() WHERE id = (
         SELECT s.id FROM supporters s JOIN contacts c ON c.id = s.contact_id WHERE c.email = $1)`,
      [`supporter-${tag}-1@example.org`],
    );
    await handle.pool.query("INSERT INTO suppressions (email_hash, reason, source) VALUES ($1, 'complaint', 'complaint')", [emailHash(`supporter-${tag}-2@example.org`)]);
    await handle.pool.query(
      `UPDATE supporters SET status = 'unconfirmed', confirmed_at = NULL WHERE id = (
         SELECT s.id FROM supporters s JOIN contacts c ON c.id = s.contact_id WHERE c.email = $1)`,
      [`supporter-${tag}-3@example.org`],
    );

    const broadcast = await createBroadcast(stack.app, campaign.id);
    expect(broadcast.status).toBe('draft');
    const started = await act(stack.app, broadcast.id, 'start');
    expect(started.json().status).toBe('sending');
    const done = await waitForStatus(stack.app, broadcast.id, 'completed');
    expect(done.counts).toEqual({ total: 1_997, pending: 0, sent: 1_997, failed: 0, bounced: 0, bouncedAfterAcceptance: 0, complaints: 0, skipped: 0 });
    // Planner, claims and outcomes never wait on each other in a cycle (Postgres would break it by
    // aborting one of them after a second, a stall the organiser would see).
    const { rows: stats } = await handle.pool.query<{ deadlocks: string }>('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()');
    expect(Number(stats[0]!.deadlocks)).toBe(0);

    const mails = forBroadcast(stack.sink.received, broadcast.id);
    expect(mails).toHaveLength(1_997);
    const byRecipient = messageIdsByRecipient(mails);
    expect(byRecipient.size).toBe(1_997);
    for (const n of [1, 2, 3]) expect(byRecipient.has(`supporter-${tag}-${n}@example.org`)).toBe(false);
    const one = mails.find((mail) => mail.envelopeTo[0] === `supporter-${tag}-42@example.org`)!;
    expect(one.parsed.subject).toBe('The Foreign Office has replied, Supporter');
    expect(one.parsed.text).toContain('Dear Supporter 42,');
    expect(one.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    // Opaque: neither the broadcast's id nor the supporter's can be read from it.
    expect(one.header('message-id')).toMatch(/^<broadcast\.[0-9a-f]{16}\.[0-9a-f]{24}@example\.org>$/);
    expect(one.header('message-id')).not.toContain(broadcast.id);

    // A finished broadcast cannot be started again.
    expect((await act(stack.app, broadcast.id, 'start')).statusCode).toBe(422);

    const events = await stack.app.inject({ method: 'GET', url: `/api/v1/broadcasts/${broadcast.id}/events`, headers: organiser.auth });
    expect(events.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const [event] = events.body.split('\n\n');
    expect(event!.split('\n')[0]).toBe('event: progress');
    expect(JSON.parse(event!.split('\n')[1]!.slice('data: '.length))).toMatchObject({ status: 'completed', counts: done.counts });

    // The operator's live view ends at once for a finished broadcast, with the same counts.
    const watch = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'watch-broadcast', broadcast.id], {
      env: { ...process.env, ...testEnv() },
      encoding: 'utf8',
    });
    expect(watch.status, watch.stderr).toBe(0);
    expect(watch.stderr).toContain('100.0%  completed  sent 1997/1997');
    expect(JSON.parse(watch.stdout).counts).toEqual(done.counts);
    const unknown = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'watch-broadcast', 'nope'], {
      env: { ...process.env, ...testEnv() },
      encoding: 'utf8',
    });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('must be a broadcast id');
  });

  it('retries 451 refusals until accepted, and records 550s as bounces that suppress the address', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 200, tag);
    for (let n = 1; n <= 5; n++) stack.sink.refuse(`supporter-${tag}-${n}@example.org`, 550, '5.1.1 No such user');
    for (let n = 6; n <= 10; n++) stack.sink.refuse(`supporter-${tag}-${n}@example.org`, 451, '4.7.1 Greylisted, try again', 1);

    const broadcast = await createBroadcast(stack.app, campaign.id);
    await act(stack.app, broadcast.id, 'start');
    const done = await waitForStatus(stack.app, broadcast.id, 'completed');
    expect(done.counts).toMatchObject({ total: 200, sent: 195, bounced: 5, failed: 0, pending: 0 });
    await expectCountsOfLedger(stack.app, broadcast.id);

    const { rows } = await handle.pool.query(
      `SELECT c.email, d.status, d.attempts, d.last_response FROM deliveries d
       JOIN supporters s ON s.id = d.supporter_id JOIN contacts c ON c.id = s.contact_id
       WHERE d.broadcast_id = $1 AND c.email = ANY($2)`,
      [broadcast.id, [1, 6].map((n) => `supporter-${tag}-${n}@example.org`)],
    );
    const byEmail = Object.fromEntries(rows.map((row) => [row.email, row]));
    expect(byEmail[`supporter-${tag}-1@example.org`]).toMatchObject({ status: 'bounced', attempts: 1 });
    expect(byEmail[`supporter-${tag}-1@example.org`].last_response).toContain('550');
    expect(byEmail[`supporter-${tag}-6@example.org`]).toMatchObject({ status: 'sent', attempts: 2 });
    const suppressed = await handle.pool.query("SELECT count(*)::int AS n FROM suppressions WHERE reason = 'hard_bounce' AND email_hash = ANY($1)", [
      [1, 2, 3, 4, 5].map((n) => emailHash(`supporter-${tag}-${n}@example.org`)),
    ]);
    expect(suppressed.rows[0].n).toBe(5);
    expect(messageIdsByRecipient(forBroadcast(stack.sink.received, broadcast.id)).size).toBe(195);
  });


  it('waits for scheduledAt, then starts by itself', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    await seedSupporters(handle, campaign.id, 5, uniqueSuffix());
    const scheduledAt = new Date(Date.now() + 2_000).toISOString();
    const broadcast = await createBroadcast(stack.app, campaign.id, { scheduledAt });
    const started = await act(stack.app, broadcast.id, 'start');
    expect(started.json()).toMatchObject({ status: 'scheduled', scheduledAt: new Date(scheduledAt).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(forBroadcast(stack.sink.received, broadcast.id)).toHaveLength(0);
    const done = await waitForStatus(stack.app, broadcast.id, 'completed');
    expect(done.counts.sent).toBe(5);
    expect(Date.parse(done.startedAt)).toBeGreaterThanOrEqual(Date.parse(scheduledAt));

    const late = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/broadcasts`,
      headers: organiser.auth,
      payload: { kind: 'update', subject: 's', body: 'b', scheduledAt: 'next tuesday' },
    });
    expect(late.statusCode).toBe(400);
    expect(late.json().error.field).toBe('scheduledAt');
  });

  it('delivers each supporter’s letter to the target once, replying to the campaign', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser, { target: { name: 'Rt Hon William Hague MP', email: `fs-${uniqueSuffix()}@fco.gov.example` } });
    const tag = uniqueSuffix();
    await seedSupporters(handle, campaign.id, 50, tag);
    // Unsubscribing from mail does not withdraw a signature: their letter still goes.
    await handle.pool.query(
      `UPDATE supporters SET unsubscribed_at = now() WHERE id = (
         SELECT s.id FROM supporters s JOIN contacts c ON c.id = s.contact_id WHERE c.email = $1)`,
      [`supporter-${tag}-7@example.org`],
    );
    const details = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json();

    const response = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'individual' } });
    expect(response.statusCode, response.body).toBe(202);
    const { broadcastId } = response.json();
    const done = await waitForStatus(stack.app, broadcastId, 'completed');
    expect(done).toMatchObject({ audience: 'target', counts: { total: 50, sent: 50 } });

    const letters = forBroadcast(stack.sink.received, broadcastId);
    expect(letters).toHaveLength(50);
    expect(new Set(letters.flatMap((m) => m.envelopeTo))).toEqual(new Set([details.target.email]));
    const seventh = letters.find((m) => m.parsed.from?.name === 'Supporter 7 via United Nations Association – UK')!;
    expect(seventh.parsed.replyTo?.[0]?.address).toBe(details.replyAddress);
    expect(seventh.parsed.text).toContain('Yours sincerely,\nSupporter 7');
    expect(seventh.header('list-unsubscribe')).toBeUndefined();

    const again = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'bundle' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('letter_already_delivered');
  });

  it('delivers one bundle with the signatories attached as CSV and PDF', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser, { target: { name: 'Rt Hon William Hague MP', email: `bundle-${uniqueSuffix()}@fco.gov.example` } });
    await seedSupporters(handle, campaign.id, 3, uniqueSuffix());
    await handle.pool.query("UPDATE supporters SET name = 'Zoë Łukasiewicz', postcode = 'SW1A 2AH' WHERE campaign_id = $1 AND name = 'Supporter 2'", [campaign.id]);
    const details = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: organiser.auth })).json();

    const bad = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'carrier-pigeon' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('mode');

    const response = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/deliver-letter`, headers: organiser.auth, payload: { mode: 'bundle' } });
    expect(response.statusCode, response.body).toBe(202);
    const bundle = await stack.sink.waitFor((m) => m.envelopeTo.includes(details.target.email));
    expect(bundle.parsed.replyTo?.[0]?.address).toBe(details.replyAddress);
    expect(bundle.parsed.text).toContain('signed by 3 supporters of United Nations Association – UK');
    const attachments = Object.fromEntries(bundle.parsed.attachments.map((a) => [a.filename, a]));
    const csv = Buffer.from(attachments['signatories.csv']!.content as ArrayBuffer).toString('utf8');
    expect(csv.split('\r\n')[0]).toBe('"name","postcode","signed_at"');
    expect(csv).toContain('"Zoë Łukasiewicz","SW1A 2AH",');
    const pdf = Buffer.from(attachments['letter-and-signatories.pdf']!.content as ArrayBuffer);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // The sink holds the message before the worker hears the 250 and records it: wait for the record.
    const letter = await waitForValue(
      async () => (await handle.pool.query('SELECT status, signatories FROM target_letters WHERE id = $1', [response.json().targetLetterId])).rows[0],
      (row) => row.status !== 'sending',
      'the bundle to be recorded as sent',
    );
    expect(letter).toMatchObject({ status: 'sent', signatories: 3 });
  });
});

describe('when the mail path breaks', () => {
  it('pauses itself when failures exceed the error budget, and retry-failed finishes after the fix', async () => {
    const broken = await startStack({ ...FAST, ERROR_BUDGET: '0.5', ERROR_BUDGET_MIN_ATTEMPTS: '20', BROADCAST_PARALLELISM: '1' });
    try {
      const campaign = await createPublishedCampaign(broken.app, organiser);
      await seedSupporters(handle, campaign.id, 600, uniqueSuffix());
      // A broken account: every message refused, permanently but not because of its recipient.
      broken.sink.refuseAllData(554, '5.7.1 Sending account suspended');
      const broadcast = await createBroadcast(broken.app, campaign.id);
      await act(broken.app, broadcast.id, 'start');
      const paused = await waitForStatus(broken.app, broadcast.id, 'paused');
      expect(paused.pausedReason).toContain('failed');
      expect(paused.pausedReason).toContain('5.7.1 Sending account suspended');
      // One batch burned, not the list; nobody was marked as a bounce.
      expect(paused.counts.failed).toBeLessThanOrEqual(200);
      expect(paused.counts.bounced).toBe(0);
      expect(paused.counts.pending).toBeGreaterThanOrEqual(400);
      await expectCountsOfLedger(broken.app, broadcast.id);

      broken.sink.refuseAllData(undefined);
      expect((await act(broken.app, broadcast.id, 'retry-failed')).json().status).toBe('sending');
      const done = await waitForStatus(broken.app, broadcast.id, 'completed');
      expect(done.counts).toMatchObject({ total: 600, sent: 600, failed: 0 });
      await expectCountsOfLedger(broken.app, broadcast.id);
      expect(messageIdsByRecipient(forBroadcast(broken.sink.received, broadcast.id)).size).toBe(600);
    } finally {
      await broken.close();
    }
  });

  it('delivers a message whose connection dropped mid-DATA exactly once', async () => {
    const flaky = await startStack(FAST);
    try {
      const campaign = await createPublishedCampaign(flaky.app, organiser);
      const tag = uniqueSuffix();
      await seedSupporters(handle, campaign.id, 30, tag);
      flaky.sink.dropDuring(`supporter-${tag}-5@example.org`, 1);
      const broadcast = await createBroadcast(flaky.app, campaign.id);
      await act(flaky.app, broadcast.id, 'start');
      const done = await waitForStatus(flaky.app, broadcast.id, 'completed');
      expect(done.counts).toMatchObject({ total: 30, sent: 30 });
      // The pooled transport re-sends on a fresh connection (or the ledger retries it): either way once.
      expect(flaky.sink.droppedConnections).toBe(1);
      expect(flaky.sink.to(`supporter-${tag}-5@example.org`)).toHaveLength(1);
      expect(messageIdsByRecipient(forBroadcast(flaky.sink.received, broadcast.id)).size).toBe(30);
    } finally {
      await flaky.close();
    }
  });

  it('signs with DKIM when configured, covering both list headers', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signed = await startStack({
      ...FAST,
      DKIM_DOMAIN: 'example.org',
      DKIM_SELECTOR: 'mail2026',
      DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n'),
    });
    try {
      const campaign = await createPublishedCampaign(signed.app, organiser);
      await seedSupporters(handle, campaign.id, 2, uniqueSuffix());
      const broadcast = await createBroadcast(signed.app, campaign.id);
      await act(signed.app, broadcast.id, 'start');
      await waitForStatus(signed.app, broadcast.id, 'completed');
      const [mail] = forBroadcast(signed.sink.received, broadcast.id);
      const signature = mail!.header('dkim-signature')!;
      expect(signature).toContain('d=example.org');
      expect(signature).toContain('s=mail2026');
      const signedHeaders = /(?:^|;)h=([^;]+)/.exec(signature.replace(/\s+/g, ''))![1]!.toLowerCase().split(':');
      expect(signedHeaders).toEqual(expect.arrayContaining(['from', 'subject', 'list-unsubscribe', 'list-unsubscribe-post']));
    } finally {
      await signed.close();
    }
  });
});

// Each describe below runs its own stack after the one above has closed: a stack's workers sweep
// every broadcast in the database, and these tests count what one stack's sink received.
describe('controlling a broadcast', () => {
  it('pauses within a second, resumes where it stopped, and cancels leaving nothing queued', async () => {
    const paced = await startStack({ ...FAST, MAIL_RATE_PER_SECOND: '100' });
    try {
      const campaign = await createPublishedCampaign(paced.app, organiser);
      await seedSupporters(handle, campaign.id, 600, uniqueSuffix());
      const broadcast = await createBroadcast(paced.app, campaign.id);
      await act(paced.app, broadcast.id, 'start');
      await waitUntil(() => forBroadcast(paced.sink.received, broadcast.id).length >= 100, '100 messages');

      const paused = await act(paced.app, broadcast.id, 'pause');
      expect(paused.statusCode, paused.body).toBe(200);
      expect(paused.json().status).toBe('paused');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const atPause = forBroadcast(paced.sink.received, broadcast.id).length;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(forBroadcast(paced.sink.received, broadcast.id).length).toBe(atPause);
      expect(atPause).toBeLessThan(600);

      expect((await act(paced.app, broadcast.id, 'resume')).json().status).toBe('sending');
      await waitUntil(() => forBroadcast(paced.sink.received, broadcast.id).length >= atPause + 50, 'sending to resume');
      // The batches cut short by the pause were recorded then: the rate is that of the last 10 seconds.
      await waitUntil(async () => (await progress(paced.app, broadcast.id)).counts.sent > 0, 'sent messages to be recorded');
      const live = await progress(paced.app, broadcast.id);
      expect(live.ratePerSecond).toBeGreaterThan(0);
      expect(live.ratePerSecond).toBeLessThanOrEqual(100);
      expect(live.eta).toBeGreaterThan(0);

      const cancelled = await act(paced.app, broadcast.id, 'cancel');
      expect(cancelled.json().status).toBe('cancelled');
      // Batches in flight finish their current message and record the rest as skipped.
      await waitUntil(async () => (await progress(paced.app, broadcast.id)).counts.pending === 0, 'in-flight batches to settle', 5_000);
      const final = await progress(paced.app, broadcast.id);
      const received = forBroadcast(paced.sink.received, broadcast.id).length;
      expect(final.counts.pending).toBe(0);
      expect(final.counts.sent).toBe(received);
      expect(final.counts.skipped).toBe(600 - received);
      await expectCountsOfLedger(paced.app, broadcast.id);
      expect(messageIdsByRecipient(forBroadcast(paced.sink.received, broadcast.id)).size).toBe(received);

      const redis = new Redis(paced.config.REDIS_URL);
      try {
        const keys = await redis.keys(`${paced.config.REDIS_PREFIX}:broadcast-*:b*-${broadcast.id}*`);
        expect(keys).toEqual([]);
      } finally {
        redis.disconnect();
      }
      expect((await act(paced.app, broadcast.id, 'resume')).statusCode).toBe(422);
    } finally {
      await paced.close();
    }
  });

  it('finishes from the ledger after Redis lost every job mid-broadcast', async () => {
    const paced = await startStack({ ...FAST, MAIL_RATE_PER_SECOND: '200' });
    try {
      const campaign = await createPublishedCampaign(paced.app, organiser);
      await seedSupporters(handle, campaign.id, 800, uniqueSuffix());
      const broadcast = await createBroadcast(paced.app, campaign.id);
      await act(paced.app, broadcast.id, 'start');
      await waitUntil(() => forBroadcast(paced.sink.received, broadcast.id).length >= 150, '150 messages');

      // Empty this installation's part of Redis, as a FLUSHALL would (other test files share the server).
      const redis = new Redis(paced.config.REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${paced.config.REDIS_PREFIX}:*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }

      const done = await waitForStatus(paced.app, broadcast.id, 'completed');
      expect(done.counts).toMatchObject({ total: 800, sent: 800, pending: 0 });
      const byRecipient = messageIdsByRecipient(forBroadcast(paced.sink.received, broadcast.id));
      expect(byRecipient.size, JSON.stringify(done)).toBe(800);
      for (const ids of byRecipient.values()) expect(new Set(ids).size).toBe(1);
    } finally {
      await paced.close();
    }
  });

});

describe('broadcast input and access', () => {
  const { stack } = useTestStack({ env: FAST });

  it('refuses bad broadcasts and other organisers', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    const bad = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/broadcasts`,
      headers: organiser.auth,
      payload: { kind: 'reply', subject: 'Hi {{ supporter.emial }}', body: 'Body' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'invalid_template', field: 'subject' });
    const wrongKind = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/broadcasts`,
      headers: organiser.auth,
      payload: { kind: 'spam', subject: 'Hi', body: 'Body' },
    });
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.json().error.field).toBe('kind');

    const broadcast = await createBroadcast(stack.app, campaign.id);
    const stranger = await newOrganiser(handle, 'Stranger');
    for (const [method, url] of [
      ['GET', `/api/v1/broadcasts/${broadcast.id}`],
      ['POST', `/api/v1/broadcasts/${broadcast.id}/start`],
      ['POST', `/api/v1/broadcasts/${broadcast.id}/cancel`],
      ['POST', `/api/v1/campaigns/${campaign.id}/broadcasts`],
    ] as const) {
      const response = await stack.app.inject({ method, url, headers: stranger.auth, payload: { kind: 'reply', subject: 's', body: 'b' } });
      expect(response.statusCode, url).toBe(404);
    }
    expect((await progress(stack.app, broadcast.id)).status).toBe('draft');
  });

  it('previews a template for a named supporter or for sample data', async () => {
    const campaign = await createPublishedCampaign(stack.app, organiser);
    await seedSupporters(handle, campaign.id, 1, uniqueSuffix());
    const { rows } = await handle.pool.query('SELECT id FROM supporters WHERE campaign_id = $1', [campaign.id]);
    const named = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaign.id}/preview`,
      headers: organiser.auth,
      payload: { supporterId: rows[0].id },
    });
    expect(named.statusCode).toBe(200);
    expect(named.json().text).toContain('Yours sincerely,\nSupporter 1');
    const sample = await stack.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/preview`, headers: organiser.auth, payload: {} });
    expect(sample.json().subject).toContain('Jane Ó Briain');
    const other = await createPublishedCampaign(stack.app, organiser);
    const notHers = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${other.id}/preview`,
      headers: organiser.auth,
      payload: { supporterId: rows[0].id },
    });
    expect(notHers.statusCode).toBe(404);
  });
});

describe('a worker killed mid-broadcast', () => {
  it('is restarted and the broadcast completes with one message per person, duplicates only with the same Message-ID', async () => {
    const sink = await startSmtpSink();
    const env = { ...FAST, SMTP_URL: sink.url, REDIS_PREFIX: `${testEnv().REDIS_PREFIX}-kill-${uniqueSuffix()}`, MAIL_RATE_PER_SECOND: '300' };
    const app = await startApp(env);
    const startWorker = (): ChildProcess =>
      spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], {
        env: { ...process.env, ...testEnv({ ...env, LOG_LEVEL: 'warn' }) },
        stdio: 'ignore',
      });
    let worker = startWorker();
    try {
      const campaign = await createPublishedCampaign(app, organiser);
      await seedSupporters(handle, campaign.id, 1_500, uniqueSuffix());
      const broadcast = await createBroadcast(app, campaign.id);
      await act(app, broadcast.id, 'start');

      for (const threshold of [200, 600]) {
        await waitUntil(() => forBroadcast(sink.received, broadcast.id).length >= threshold, `${threshold} messages`);
        worker.kill('SIGKILL');
        await new Promise((resolve) => worker.once('exit', resolve));
        worker = startWorker();
      }

      const done = await waitForStatus(app, broadcast.id, 'completed', 90_000);
      expect(done.counts).toMatchObject({ total: 1_500, sent: 1_500, pending: 0, failed: 0 });
      const byRecipient = messageIdsByRecipient(forBroadcast(sink.received, broadcast.id));
      expect(byRecipient.size).toBe(1_500);
      for (const ids of byRecipient.values()) expect(new Set(ids).size).toBe(1);
    } finally {
      worker.kill('SIGKILL');
      await app.close();
      await sink.close();
    }
  }, 120_000);
});
