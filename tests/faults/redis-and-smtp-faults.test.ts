/**
 * More faults during a live broadcast, and during inbound intake:
 * - Redis killed mid-send and restarted, once with its data (append-only file) and once coming back
 *   empty after a FLUSHALL. Each such stack gets a Redis of its own (private-redis.ts): the machine's
 *   Redis is shared with the test files running alongside;
 * - the SMTP server answering bursts of 421 ("service closing", and it closes) and 451 for hundreds
 *   of messages, whoever they are for; and answering slower than the transport waits
 *   (SMTP_TIMEOUT_SECONDS);
 * - an official reply stored by the inbound listener while the workers are stopped, its job then
 *   lost with Redis (FLUSHALL): processed and forwarded exactly once when they are back, from what
 *   Postgres holds (the sweep, workers/sweep.ts).
 * Each ends with expectExactlyOnePerPerson (broadcast-checks.ts).
 */
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startInboundListener } from '../../src/inbound/smtp-listener.js';
import { inboundJobId, Queues } from '../../src/queue/queues.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import { startWorkers } from '../../workers/start-workers.js';
import { startStack, waitForValue, waitUntil } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { expectExactlyOnePerPerson, expectNothingQueued, FAST, mine, retriesRecorded, seededCampaign, startBroadcast } from './broadcast-checks.js';
import { destroyPrivateRedises, startPrivateRedis } from './private-redis.js';

const ctx = useTestStack({ runs: 'database', organiser: 'Redis and SMTP faults' });
afterAll(() => destroyPrivateRedises());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a broadcast survives Redis', () => {
  const size = 800;
  const outageMs = 1_000;

  it('being killed mid-send and restarted with its data', async () => {
    const redis = await startPrivateRedis();
    const stack = await startStack({ ...FAST, REDIS_URL: redis.url });
    try {
      const broadcastId = await startBroadcast(ctx, stack, size);
      await waitUntil(() => mine(stack, broadcastId).length >= 250, '250 messages');
      await redis.command('SET', 'fault-test-sentinel', 'kept');
      await redis.kill();
      await sleep(outageMs);
      // The send rate is gated in Redis, so with Redis away nothing goes: the fault really was mid-send.
      expect(mine(stack, broadcastId).length).toBeLessThan(size);
      await redis.restart();
      expect(await redis.command('EXISTS', 'fault-test-sentinel'), 'Redis came back with its data').toBe(':1');
      await expectExactlyOnePerPerson(ctx, stack, broadcastId, size);
    } finally {
      await stack.close().finally(() => redis.destroy());
    }
  }, 90_000);

  it('being flushed (FLUSHALL), killed mid-send and coming back empty', async () => {
    const redis = await startPrivateRedis();
    const stack = await startStack({ ...FAST, REDIS_URL: redis.url });
    try {
      const broadcastId = await startBroadcast(ctx, stack, size);
      await waitUntil(() => mine(stack, broadcastId).length >= 250, '250 messages');
      await redis.command('SET', 'fault-test-sentinel', 'lost');
      expect(await redis.command('FLUSHALL')).toBe('+OK');
      await redis.kill();
      await sleep(outageMs);
      expect(mine(stack, broadcastId).length).toBeLessThan(size);
      await redis.restart();
      expect(await redis.command('EXISTS', 'fault-test-sentinel'), 'Redis came back empty').toBe(':0');
      await expectExactlyOnePerPerson(ctx, stack, broadcastId, size);
    } finally {
      await stack.close().finally(() => redis.destroy());
    }
  }, 90_000);
});

describe('a broadcast survives the SMTP server', () => {
  it('answering bursts of 421 and 451 for hundreds of messages: retried until accepted', async () => {
    const size = 800;
    const stack = await startStack(FAST);
    try {
      const broadcastId = await startBroadcast(ctx, stack, size);
      await waitUntil(() => mine(stack, broadcastId).length >= 100, '100 messages');
      // Each burst goes to whichever messages come next, retries of earlier refusals included.
      const bursts = [
        { count: 80, code: 421, message: '4.3.2 Service closing transmission channel', stage: 'rcpt' as const },
        { count: 80, code: 421, message: '4.3.2 Service closing transmission channel', stage: 'data' as const },
        { count: 120, code: 451, message: '4.7.1 Greylisted, try again later', stage: 'data' as const },
      ];
      let refused = 0;
      for (const burst of bursts) {
        stack.sink.refuseNext(burst.count, burst.code, burst.message, burst.stage);
        refused += burst.count;
        await waitUntil(() => stack.sink.burstRefusals === refused, `${burst.count} refusals with ${burst.code} at ${burst.stage}`);
      }
      expect(mine(stack, broadcastId).length).toBeLessThan(size);
      await expectExactlyOnePerPerson(ctx, stack, broadcastId, size);
      // A refusal after the whole message was sent always comes back to the worker, which records a
      // retry. A 421 at RCPT on a reused connection, before any byte of the message went, may instead
      // be sent again at once over another connection by the SMTP pool: one ledger attempt then.
      const afterData = bursts.filter((b) => b.stage === 'data').reduce((n, b) => n + b.count, 0);
      const retries = await retriesRecorded(ctx, broadcastId);
      expect(retries).toBeGreaterThanOrEqual(afterData);
      expect(retries).toBeLessThanOrEqual(stack.sink.burstRefusals);
    } finally {
      await stack.close();
    }
  }, 90_000);

  it('answering some messages only after the transport gave up: retried, a repeat only with the same Message-ID', async () => {
    const size = 800;
    const delayed = 15;
    const stack = await startStack({ ...FAST, SMTP_TIMEOUT_SECONDS: '1', SMTP_POOL_SIZE: '8' });
    try {
      const broadcastId = await startBroadcast(ctx, stack, size);
      await waitUntil(() => mine(stack, broadcastId).length >= 100, '100 messages');
      // Received and kept, but the 250 comes after the client's timeout: the outcome is unknown to it.
      stack.sink.delayNext(delayed, 2_500);
      await waitUntil(() => stack.sink.delayedReplies === delayed, `${delayed} slow replies`);
      await expectExactlyOnePerPerson(ctx, stack, broadcastId, size);
      // Each slow answer was a timed-out attempt, retried; the copy the server kept anyway is a repeat
      // with the same Message-ID, which is all expectExactlyOnePerPerson allows.
      expect(await retriesRecorded(ctx, broadcastId)).toBeGreaterThanOrEqual(delayed);
      expect(mine(stack, broadcastId).length).toBeGreaterThanOrEqual(size + delayed);
    } finally {
      await stack.close();
    }
  }, 90_000);
});

describe('inbound intake survives', () => {
  const FIXTURE = readFileSync(new URL('../fixtures/government-reply-2014.eml', import.meta.url), 'utf8');
  const OFFICIAL = 'conflict.department@fco.example.gov.uk';
  const size = 800;

  /** Hands raw RFC 822 bytes to the listener as an MTA would; resolves once it answered 250. */
  async function deliver(port: number, raw: string, to: string) {
    const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      return await client.sendMail({ envelope: { from: OFFICIAL, to: [to] }, raw });
    } finally {
      client.close();
    }
  }

  it('a reply approved several times at once (a double click) is forwarded once', async () => {
    const stack = await startStack(FAST);
    try {
      const campaign = await seededCampaign(ctx, stack, 200, { replyPolicy: { mode: 'approve', allowedSenders: ['fco.example.gov.uk'] } });
      const created = await stack.app.inject({
        method: 'POST',
        url: `/api/v1/campaigns/${campaign.id}/replies`,
        headers: ctx.organiser.auth,
        payload: { fromAddress: OFFICIAL, subject: 'Syria: the Responsibility to Protect', body: 'Thank you for your letter of 4 October.' },
      });
      expect(created.json()).toMatchObject({ status: 'awaiting_approval' });
      const approvals = await Promise.all(
        [1, 2, 3].map(() => stack.app.inject({ method: 'POST', url: `/api/v1/replies/${created.json<{ id: string }>().id}/approve`, headers: ctx.organiser.auth })),
      );
      // Each answer is the forward's (200) or "already forwarded" (422); every 200 names the one broadcast.
      expect(approvals.map((a) => a.statusCode).filter((code) => code !== 200 && code !== 422)).toEqual([]);
      const named = new Set(approvals.filter((a) => a.statusCode === 200).map((a) => a.json<{ broadcastId: string }>().broadcastId));
      expect(named.size).toBe(1);
      const broadcasts = await ctx.handle.pool.query<{ id: string }>('SELECT id FROM broadcasts WHERE campaign_id = $1', [campaign.id]);
      expect(broadcasts.rows).toEqual([{ id: [...named][0] }]);
      await expectExactlyOnePerPerson(ctx, stack, [...named][0]!, 200);
    } finally {
      await stack.close();
    }
  });

  it('the workers stopped and Redis emptied after a reply was stored: processed and forwarded exactly once', async () => {
    const redis = await startPrivateRedis();
    const stack = await startStack({ ...FAST, REDIS_URL: redis.url, INBOUND_SMTP_PORT: '0', INBOUND_REQUIRE_DMARC: 'false' });
    const producer = createRedis(stack.config.REDIS_URL, 'producer');
    const queues = new Queues(producer, stack.config.REDIS_PREFIX);
    const listener = await startInboundListener(stack.config, { db: ctx.handle.db, queues, redis: producer, log: pino({ level: 'silent' }) });
    const inbound = new Queue('inbound', { connection: producer, prefix: stack.config.REDIS_PREFIX });
    try {
      const campaign = await seededCampaign(ctx, stack, size, { replyPolicy: { mode: 'auto', allowedSenders: ['fco.example.gov.uk'] } });
      const { replyAddress } = (await stack.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}`, headers: ctx.organiser.auth })).json<{ replyAddress: string }>();

      const stopped = stack.workers;
      stack.workers = { sweep: async () => undefined, close: async () => undefined };
      await stopped.close();
      const accepted = await deliver(listener.port, FIXTURE, replyAddress);
      const inboundId = /Queued as ([0-9a-f-]{36})/.exec(accepted.response)![1]!;
      const stored = await ctx.handle.pool.query<{ status: string }>('SELECT status FROM inbound_messages WHERE id = $1', [inboundId]);
      expect(stored.rows).toEqual([{ status: 'received' }]);
      // The listener did queue it: what follows is Redis losing a job, not a job never queued.
      expect(await (await inbound.getJob(inboundJobId(inboundId)))?.getState()).toBe('waiting');

      expect(await redis.command('FLUSHALL')).toBe('+OK');
      expect(await inbound.getJob(inboundJobId(inboundId))).toBeUndefined();
      stack.workers = await startWorkers(stack.config, pino({ level: 'silent' }));

      const replies = await waitForValue(
        async () =>
          (await ctx.handle.pool.query<{ status: string; broadcast_id: string | null }>('SELECT status, broadcast_id FROM replies WHERE campaign_id = $1', [campaign.id])).rows,
        (rows) => rows.some((row) => row.broadcast_id !== null),
        'the reply to be forwarded',
      );
      expect(replies).toEqual([{ status: 'forwarded', broadcast_id: expect.any(String) }]);
      await expectExactlyOnePerPerson(ctx, stack, replies[0]!.broadcast_id!, size);
      const broadcasts = await ctx.handle.pool.query<{ kind: string }>('SELECT kind::text FROM broadcasts WHERE campaign_id = $1', [campaign.id]);
      expect(broadcasts.rows).toEqual([{ kind: 'reply' }]);
      const processed = await ctx.handle.pool.query<{ status: string }>('SELECT status FROM inbound_messages WHERE id = $1', [inboundId]);
      expect(processed.rows).toEqual([{ status: 'processed' }]);
      await expectNothingQueued(stack, (data) => data.inboundId === inboundId, `job of inbound message ${inboundId}`);
    } finally {
      try {
        await listener.close();
        await inbound.close();
        await queues.close();
        producer.disconnect();
        await stack.close();
      } finally {
        await redis.destroy();
      }
    }
  }, 90_000);
});
