/**
 * Worker processes killed and stopped mid-broadcast, with the timings .env.example ships
 * (DELIVERY_STALE_SECONDS, SWEEP_INTERVAL_SECONDS, …), not the shortened ones of the other fault
 * tests: recovery must be quick with what an operator actually runs. Only the send rate is set, so
 * the kill lands mid-send. Each test prints what it measured (seconds from restart to completion,
 * repeats): RELIABILITY.md reports them. Speed is not asserted beyond completing at all within the
 * minute after the restart; the one-Message-ID-per-person promise is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startApp, startStack, testConfig, testEnv, uniqueSuffix, waitForValue, waitUntil } from '../support/harness.js';
import { useTestStack } from '../support/test-stack.js';
import { startSmtpSink } from '../support/smtp-sink.js';
import { expectExactlyOnePerPerson, mine, seededCampaign, startBroadcast } from './broadcast-checks.js';

/** Every setting that decides how soon lost work is found again, as .env.example ships it. */
const SHIPPED_TIMINGS = (() => {
  const shipped = parseEnv(readFileSync(new URL('../../.env.example', import.meta.url), 'utf8'));
  const names = [
    'DELIVERY_STALE_SECONDS',
    'SWEEP_INTERVAL_SECONDS',
    'DELIVERY_RETRY_BASE_SECONDS',
    'DELIVERY_MAX_ATTEMPTS',
    'BROADCAST_PARALLELISM',
    'WORKER_CONCURRENCY',
    'SMTP_POOL_SIZE',
    'SMTP_TIMEOUT_SECONDS',
    'SHUTDOWN_TIMEOUT_MS',
  ];
  return Object.fromEntries(
    names.map((name) => {
      const value = shipped[name];
      if (!value) throw new Error(`.env.example does not set ${name}`);
      return [name, value];
    }),
  );
})();

const ctx = useTestStack({ runs: 'database', organiser: 'Restarts' });

/** The API in this process, worker processes of our own (as `npm run worker` starts them), a sink. */
async function startShippedStack(ratePerSecond: number) {
  const sink = await startSmtpSink();
  const env = { ...SHIPPED_TIMINGS, SMTP_URL: sink.url, REDIS_PREFIX: `${testEnv().REDIS_PREFIX}-restart-${uniqueSuffix()}`, MAIL_RATE_PER_SECOND: String(ratePerSecond) };
  const app = await startApp(env);
  const config = testConfig(env);
  const children = new Set<ChildProcess>();
  let output = '';
  const startWorker = (): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], {
      env: { ...process.env, ...testEnv({ ...env, LOG_LEVEL: 'info' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };
  return {
    app,
    sink,
    config,
    startWorker,
    output: () => output,
    /** How many times a worker process said it was ready. */
    readyCount: () => output.split('"msg":"workers ready"').length - 1,
    async close() {
      for (const child of children) child.kill('SIGKILL');
      await app.close();
      await sink.close();
    },
  };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

type ShippedStack = Awaited<ReturnType<typeof startShippedStack>>;

/** Waits (up to a minute) for the broadcast to complete; returns the seconds since `since`. */
async function secondsToCompletion(stack: ShippedStack, broadcastId: string, since: number): Promise<number> {
  await waitForValue(
    async () => (await stack.app.inject({ method: 'GET', url: `/api/v1/broadcasts/${broadcastId}`, headers: ctx.organiser.auth })).json<{ status: string }>(),
    (progress) => progress.status === 'completed',
    'the broadcast to complete within a minute of the restart',
    60_000,
  );
  return (Date.now() - since) / 1000;
}

describe('with the shipped defaults, a broadcast', () => {
  it('completes after its only worker is SIGKILLed mid-send and restarted, one Message-ID per person, repeating only what was in flight', async () => {
    const stack = await startShippedStack(80);
    try {
      let worker = stack.startWorker();
      const broadcastId = await startBroadcast(ctx, stack, 400);
      await waitUntil(() => mine(stack, broadcastId).length >= 120, '120 messages', 60_000);
      await kill(worker);
      const atKill = mine(stack, broadcastId).length;
      const restartedAt = Date.now();
      const readyBefore = stack.readyCount();
      worker = stack.startWorker();
      await waitUntil(() => stack.readyCount() > readyBefore, 'the restarted worker to be ready', 60_000);
      const readySeconds = (Date.now() - restartedAt) / 1000;

      const seconds = await secondsToCompletion(stack, broadcastId, restartedAt);
      const { repeats } = await expectExactlyOnePerPerson(ctx, stack, broadcastId, 400);
      console.info(
        `[worker-restart] killed after ${atKill} of 400 messages; the new process ready in ${readySeconds.toFixed(1)} s; ` +
          `completed ${seconds.toFixed(1)} s after the restart; ${repeats} repeated (same Message-ID), SMTP_POOL_SIZE ${SHIPPED_TIMINGS.SMTP_POOL_SIZE}`,
      );
      expect(repeats).toBeLessThanOrEqual(Number(SHIPPED_TIMINGS.SMTP_POOL_SIZE) * 2);
    } finally {
      await stack.close();
    }
  }, 150_000);

  it('completes with two workers, each SIGKILLed once and restarted (400 supporters)', async () => {
    const stack = await startShippedStack(80);
    try {
      const workers = [stack.startWorker(), stack.startWorker()];
      const broadcastId = await startBroadcast(ctx, stack, 400);
      let restartedAt = 0;
      for (const [index, threshold] of [100, 220].entries()) {
        await waitUntil(() => mine(stack, broadcastId).length >= threshold, `${threshold} messages`, 60_000);
        await kill(workers[index]!);
        restartedAt = Date.now();
        workers[index] = stack.startWorker();
      }

      const seconds = await secondsToCompletion(stack, broadcastId, restartedAt);
      const { repeats } = await expectExactlyOnePerPerson(ctx, stack, broadcastId, 400);
      console.info(`[worker-restart] two workers, two kills: completed ${seconds.toFixed(1)} s after the last restart; ${repeats} repeated (same Message-ID)`);
      expect(repeats).toBeLessThanOrEqual(Number(SHIPPED_TIMINGS.SMTP_POOL_SIZE) * 4);
    } finally {
      await stack.close();
    }
  }, 150_000);

  it('is handed over by a worker stopped with SIGTERM mid-send, which exits 0 leaving nothing claimed; nothing is repeated', async () => {
    // 40 a second: a batch of 200 would take five seconds, so the stop lands in the middle of one.
    const stack = await startShippedStack(40);
    try {
      const worker = stack.startWorker();
      const broadcastId = await startBroadcast(ctx, stack, 300);
      await waitUntil(() => mine(stack, broadcastId).length >= 60, '60 messages', 60_000);
      const exited = once(worker, 'exit');
      worker.kill('SIGTERM');
      const [code] = await exited;
      expect(code, stack.output()).toBe(0);

      const { rows } = await ctx.handle.pool.query<{ sending: number; sent: number; registered: number }>(
        `SELECT count(*) FILTER (WHERE status = 'sending')::int AS sending, count(*) FILTER (WHERE status = 'sent')::int AS sent,
           (SELECT count(*)::int FROM worker_processes WHERE pid = $2) AS registered
         FROM deliveries WHERE broadcast_id = $1`,
        [broadcastId, worker.pid],
      );
      // Everything the sink accepted is recorded, nothing is left claimed, the process deregistered.
      expect(rows[0]).toEqual({ sending: 0, sent: mine(stack, broadcastId).length, registered: 0 });

      stack.startWorker();
      const { repeats } = await expectExactlyOnePerPerson(ctx, stack, broadcastId, 300);
      expect(repeats).toBe(0);
    } finally {
      await stack.close();
    }
  }, 150_000);
});

describe('with the shipped defaults, one-to-one mail and a target letter', () => {
  it('claimed by a worker process that then died are sent by another within seconds, once each, with their own Message-ID', async () => {
    const stack = await startStack(SHIPPED_TIMINGS);
    try {
      const campaign = await seededCampaign(ctx, stack, 1);
      const { rows: [supporter] } = await ctx.handle.pool.query<{ id: string; email: string }>(
        'SELECT s.id, c.email FROM supporters s JOIN contacts c ON c.id = s.contact_id WHERE s.campaign_id = $1',
        [campaign.id],
      );
      // A worker process that registered, claimed both, and was killed before it could record them:
      // its heartbeat stops now.
      const dead = randomUUID();
      await ctx.handle.pool.query("INSERT INTO worker_processes (id, host, pid) VALUES ($1, 'a-dead-host', 1)", [dead]);
      const diedAt = Date.now();
      const { rows: [message] } = await ctx.handle.pool.query<{ id: string }>(
        "INSERT INTO transactional_messages (supporter_id, kind, status, attempts, claimed_by) VALUES ($1, 'letter_copy', 'sending', 1, $2) RETURNING id",
        [supporter!.id, dead],
      );
      const { rows: [letter] } = await ctx.handle.pool.query<{ id: string }>(
        "INSERT INTO target_letters (campaign_id, status, attempts, claimed_by) VALUES ($1, 'sending', 1, $2) RETURNING id",
        [campaign.id, dead],
      );

      await waitForValue(
        async () =>
          (
            await ctx.handle.pool.query<{ status: string }>(
              'SELECT status FROM transactional_messages WHERE id = $1 UNION ALL SELECT status FROM target_letters WHERE id = $2',
              [message!.id, letter!.id],
            )
          ).rows,
        (rows) => rows.every((row) => row.status === 'sent'),
        'both to be sent',
        60_000,
      );
      const seconds = (Date.now() - diedAt) / 1000;
      console.info(`[worker-restart] a letter copy and a target letter held by a dead worker: sent ${seconds.toFixed(1)} s after it died`);

      const messageIds = (to: string) => stack.sink.to(to).map((mail) => mail.header('message-id'));
      expect(messageIds(supporter!.email)).toEqual([`<letter-copy.${message!.id}@example.org>`]);
      expect(messageIds('foreign.secretary@fco.gov.example')).toEqual([`<target-letter.${letter!.id}@example.org>`]);
    } finally {
      await stack.close();
    }
  }, 120_000);
});
