/**
 * What every fault test starts and what it proves afterwards, in one place so the promise is checked
 * the same way after every fault (PRODUCT.md, "Nothing lost, nothing sent twice"):
 * - at the sink, counted by Message-ID, each audience member has exactly one message; a repeat is
 *   allowed only with the same Message-ID (a delivery whose acceptance was never recorded), and the
 *   repeats are counted, for the test to report or bound;
 * - the ledger's counts equal the sink's, Message-ID for Message-ID;
 * - nothing of the broadcast is left waiting, running or delayed in Redis.
 */
import { Queue, type JobType } from 'bullmq';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { broadcastMessageId, broadcastMessageIdPrefix } from '../../src/mail/message-id.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { queueNames } from '../../src/queue/queues.js';
import { createPublishedCampaign, uniqueSuffix, waitForValue, type Stack, type TestOrganiser } from '../support/harness.js';
import type { ReceivedMail } from '../support/smtp-sink.js';
import { seedSupporters } from '../support/seed.js';

/** Sweeps, retries and stale claims in seconds rather than minutes, and a rate that keeps a send going for a few seconds. */
export const FAST = {
  SWEEP_INTERVAL_SECONDS: '1',
  DELIVERY_RETRY_BASE_SECONDS: '1',
  DELIVERY_STALE_SECONDS: '3',
  BROADCAST_PARALLELISM: '4',
  MAIL_RATE_PER_SECOND: '300',
};

export interface FaultContext {
  handle: DatabaseHandle;
  organiser: TestOrganiser;
}

/** A published campaign with `size` confirmed supporters, created directly in Postgres. */
export async function seededCampaign(ctx: FaultContext, stack: Pick<Stack, 'app'>, size: number, overrides: Record<string, unknown> = {}) {
  const campaign = await createPublishedCampaign(stack.app, ctx.organiser, overrides);
  await seedSupporters(ctx.handle, campaign.id, size, uniqueSuffix());
  return campaign;
}

/** Starts an update to `size` seeded supporters through the API; returns the broadcast's id. */
export async function startBroadcast(ctx: FaultContext, stack: Pick<Stack, 'app'>, size: number): Promise<string> {
  const campaign = await seededCampaign(ctx, stack, size);
  return startUpdate(ctx, stack, campaign.id);
}

/** Starts an update to a campaign's audience through the API; returns the broadcast's id. */
export async function startUpdate(ctx: FaultContext, stack: Pick<Stack, 'app'>, campaignId: string): Promise<string> {
  const created = await stack.app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${campaignId}/broadcasts`,
    headers: ctx.organiser.auth,
    payload: { kind: 'update', subject: 'News for {{ supporter.first_name }}', body: 'Dear {{ supporter.name }}' },
  });
  if (created.statusCode !== 201) throw new Error(`broadcast not created: ${created.body}`);
  const broadcastId = created.json<{ id: string }>().id;
  const started = await stack.app.inject({ method: 'POST', url: `/api/v1/broadcasts/${broadcastId}/start`, headers: ctx.organiser.auth });
  if (started.statusCode >= 300) throw new Error(`broadcast not started: ${started.body}`);
  return broadcastId;
}

/** The broadcast's messages received at the sink, repeats included. */
export const mine = (stack: Pick<Stack, 'sink' | 'config'>, broadcastId: string): ReceivedMail[] => {
  const prefix = broadcastMessageIdPrefix(broadcastId, stack.config.SECRET_KEY);
  return stack.sink.received.filter((m) => m.header('message-id')?.startsWith(prefix));
};

interface Progress {
  status: string;
  counts: { total: number; pending: number; sent: number; failed: number; bounced: number; bouncedAfterAcceptance: number; complaints: number; skipped: number };
}

/** What the sink got beyond one message per person: repeats, each with the Message-ID of the first. */
export interface SinkTally {
  repeats: number;
}

export async function expectExactlyOnePerPerson(
  ctx: FaultContext,
  stack: Pick<Stack, 'app' | 'sink' | 'config'>,
  broadcastId: string,
  size: number,
): Promise<SinkTally> {
  const progress = await waitForValue(
    async () => (await stack.app.inject({ method: 'GET', url: `/api/v1/broadcasts/${broadcastId}`, headers: ctx.organiser.auth })).json<Progress>(),
    (p) => p.status === 'completed',
    'the broadcast to complete',
    45_000,
  );
  expect(progress.counts).toEqual({ total: size, pending: 0, sent: size, failed: 0, bounced: 0, bouncedAfterAcceptance: 0, complaints: 0, skipped: 0 });

  const byPerson = new Map<string, Set<string>>();
  let received = 0;
  for (const mail of mine(stack, broadcastId)) {
    for (const to of mail.envelopeTo) {
      byPerson.set(to, (byPerson.get(to) ?? new Set()).add(mail.header('message-id')!));
      received += 1;
    }
  }
  expect(byPerson.size).toBe(size);
  const repeatedIds = [...byPerson.entries()].filter(([, ids]) => ids.size !== 1);
  expect(repeatedIds, 'people who got messages with different Message-IDs').toEqual([]);

  // The ledger, row by row: each 'sent' row is the one Message-ID its person got at the sink.
  const { rows } = await ctx.handle.pool.query<{ supporter_id: string; email: string; status: string }>(
    `SELECT d.supporter_id, lower(ct.email) AS email, d.status FROM deliveries d
     JOIN supporters s ON s.id = d.supporter_id JOIN contacts ct ON ct.id = s.contact_id
     WHERE d.broadcast_id = $1`,
    [broadcastId],
  );
  expect(rows.filter((row) => row.status === 'sent')).toHaveLength(size);
  const mismatched = rows.filter((row) => {
    const ids = byPerson.get(row.email);
    return !ids || !ids.has(broadcastMessageId(broadcastId, row.supporter_id, stack.config.MAIL_FROM, stack.config.SECRET_KEY));
  });
  expect(mismatched, 'ledger rows whose Message-ID the sink did not get').toEqual([]);

  await expectNothingQueued(stack, (data) => data.broadcastId === broadcastId, `jobs of broadcast ${broadcastId}`);
  const repeats = received - size;
  console.info(`[fault checks] ${size} people, one Message-ID each; ${repeats} repeated (same Message-ID)`);
  return { repeats };
}

const UNFINISHED: JobType[] = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];

/**
 * Waits until no job matching `belongs` is waiting, active or delayed in any queue of the stack's
 * prefix. A send token may still be sleeping until a retry it planned for falls due, and then ends
 * at its status check: that is finishing, not stuck, so this polls rather than looking once.
 */
export async function expectNothingQueued(stack: Pick<Stack, 'config'>, belongs: (data: Record<string, unknown>) => boolean, what: string): Promise<void> {
  const redis = new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: 3 });
  const queues = queueNames.map((name) => new Queue(name, { connection: redis, prefix: stack.config.REDIS_PREFIX }));
  try {
    await waitForValue(
      async () => {
        const left: string[] = [];
        for (const queue of queues) {
          for (const job of await queue.getJobs(UNFINISHED)) {
            if (job && belongs(job.data as Record<string, unknown>)) left.push(`${queue.name}/${job.id} (${await job.getState()})`);
          }
        }
        return left;
      },
      (left) => left.length === 0,
      `no ${what} left in Redis`,
      30_000,
    );
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
    redis.disconnect();
  }
}

/** The sum over the broadcast's ledger rows of attempts beyond the first: each one a retry. */
export async function retriesRecorded(ctx: FaultContext, broadcastId: string): Promise<number> {
  const { rows } = await ctx.handle.pool.query<{ n: number }>(
    'SELECT coalesce(sum(attempts - 1), 0)::int AS n FROM deliveries WHERE broadcast_id = $1',
    [broadcastId],
  );
  return rows[0]!.n;
}
