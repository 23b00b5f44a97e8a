/**
 * Builds one BullMQ Worker per queue, each with its processor, and the sweep timer. Only this file
 * constructs Workers; processors are plain functions made from their dependencies.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { makeBroadcastJobs } from '../src/broadcasts/broadcast-jobs.js';
import { countDeliveries } from '../src/broadcasts/delivery-ledger.js';
import type { Config } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { withoutQueryParams } from '../src/infra/safe-errors.js';
import { stalePeriods } from '../src/infra/stale-periods.js';
import { makeSendRateGate } from '../src/infra/send-rate.js';
import { warnOfMissingLetterFonts } from '../src/letters/letter-font-files.js';
import { makeLinkUrls } from '../src/links/link-urls.js';
import { retrySchedule } from '../src/mail/delivery-outcome.js';
import { createSmtpTransport } from '../src/mail/mail-transport.js';
import { makeReturnPaths } from '../src/mail/return-path.js';
import { measureTransport } from '../src/metrics/measured-transport.js';
import { startConfiguredMetricsServer } from '../src/metrics/metrics-server.js';
import { createMetricsRegistry, registerDeliveryReports, registerInboundVerdicts, registerMailMetrics, type InboundVerdict } from '../src/metrics/process-metrics.js';
import { createRedis } from '../src/queue/redis-connection.js';
import { queueDefinitions, queueNames, Queues, type JobData, type QueueName } from '../src/queue/queues.js';
import { makePlanBroadcast } from '../src/broadcasts/jobs/plan-broadcast.js';
import { makeOutcomeRecorder, makeSendBroadcastBatch } from '../src/broadcasts/jobs/send-broadcast.js';
import { makePurgeCampaign } from '../src/campaigns/campaign-purge.js';
import { startWorkerLiveness } from './claim-recovery.js';
import { makeSweep } from './sweep.js';
import { makeProcessInbound } from '../src/inbound/process-inbound.js';
import { makeSendTargetLetter } from '../src/letters/send-target-letter.js';
import { makeSendTransactional } from '../src/transactional/send-transactional.js';
import { makeQueueMail } from '../src/notifications/queue-notifications.js';

/** Queues whose jobs each send mail: a job given up there means mail not sent. */
const MAIL_QUEUES = new Set<QueueName>(['transactional', 'target-letter']);

type Processors = { [Q in QueueName]: (data: JobData<Q>, job: Job) => Promise<unknown> };

export interface RunningWorkers {
  /** Where this process serves /metrics, when METRICS_PORT is set. */
  metricsPort?: number | undefined;
  /** Runs the sweep now (it also runs at start-up and on a timer). */
  sweep(): Promise<unknown>;
  /**
   * Stops taking jobs; send tokens give back what they have not sent, other jobs finish; then the
   * process deregisters and closes every connection.
   */
  close(): Promise<void>;
}

export function assertEveryQueueHasAProcessor(processors: Partial<Record<string, unknown>>): void {
  const missing = queueNames.filter((name) => typeof processors[name] !== 'function');
  if (missing.length > 0) throw new Error(`No processor for queue(s): ${missing.join(', ')}`);
}

export async function startWorkers(config: Config, log: Logger): Promise<RunningWorkers> {
  const metrics = createMetricsRegistry();
  // First, so a port already in use stops start-up before any connection or job is taken.
  const metricsServer = await startConfiguredMetricsServer(metrics, config, log);
  const warn = (details: { err: unknown }, message: string) => log.warn(details, message);
  const database = openDatabase(config.DATABASE_URL, {
    poolSize: Math.max(4, config.WORKER_CONCURRENCY * 2),
    applicationName: 'campaign-letters-worker',
    log: warn,
  });
  const producerRedis = createRedis(config.REDIS_URL, 'producer', 'campaign-letters-worker-producer', warn);
  const workerRedis = createRedis(config.REDIS_URL, 'worker', 'campaign-letters-worker', warn);
  const queues = new Queues(producerRedis, config.REDIS_PREFIX);
  const broadcastJobs = makeBroadcastJobs(queues, config.BROADCAST_PARALLELISM);
  const links = makeLinkUrls(config);
  const returnPaths = makeReturnPaths(config);
  const inboundVerdicts = registerInboundVerdicts(metrics);
  const deliveryReports = registerDeliveryReports(metrics);
  const smtpTransport = createSmtpTransport({
    url: config.SMTP_URL,
    poolSize: config.SMTP_POOL_SIZE,
    timeoutSeconds: config.SMTP_TIMEOUT_SECONDS,
    dkim:
      config.DKIM_DOMAIN && config.DKIM_SELECTOR && config.DKIM_PRIVATE_KEY
        ? { domainName: config.DKIM_DOMAIN, keySelector: config.DKIM_SELECTOR, privateKey: config.DKIM_PRIVATE_KEY }
        : undefined,
  });
  const transport = measureTransport(smtpTransport, registerMailMetrics(metrics));

  const periods = stalePeriods(config);
  const schedule = retrySchedule(config);
  // Registered before the first claim, so every claim names a process others can see die.
  const liveness = await startWorkerLiveness({
    db: database.db,
    queues,
    broadcastJobs,
    silentSeconds: periods.silentWorkerSeconds,
    log,
  });
  const { claimant } = liveness;
  warnOfMissingLetterFonts(config.LETTER_FONT_DIR, log);
  const deliveryOutcomes = makeOutcomeRecorder(database.db, claimant, log);
  let stopping = false;

  const processors: Processors = {
    'campaign-purge': makePurgeCampaign({ db: database.db }),
    transactional: makeSendTransactional({ db: database.db, transport, links, returnPaths, mailFrom: config.MAIL_FROM, claimant, schedule, queues }),
    'target-letter': makeSendTargetLetter({
      db: database.db,
      transport,
      returnPaths,
      mailFrom: config.MAIL_FROM,
      inboundDomain: config.INBOUND_DOMAIN,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      fontDir: config.LETTER_FONT_DIR,
      claimant,
      schedule,
      queues,
    }),
    inbound: makeProcessInbound({ db: database.db, jobs: broadcastJobs, config, queueMail: makeQueueMail(queues) }),
    'broadcast-plan': makePlanBroadcast({ db: database.db, startSending: broadcastJobs.startSending }),
    'broadcast-send': makeSendBroadcastBatch({
      db: database.db,
      transport,
      links,
      queues,
      waitForSendSlot: makeSendRateGate(producerRedis, config.REDIS_PREFIX, config.MAIL_RATE_PER_SECOND),
      outcomes: deliveryOutcomes,
      claimant,
      isStopping: () => stopping,
      config,
      log,
    }),
  };
  assertEveryQueueHasAProcessor(processors);

  const workers = queueNames.map((name) => {
    const process = processors[name] as (data: unknown, job: Job) => Promise<unknown>;
    const worker = new Worker(
      name,
      async (job: Job) => {
        const parsed = queueDefinitions[name].safeParse(job.data);
        // Malformed data will not become well-formed by retrying.
        if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
        // BullMQ keeps the message of a failure in Redis, and the 'failed' listener logs it.
        return process(parsed.data, job).catch((error: unknown) => {
          throw withoutQueryParams(error);
        });
      },
      {
        connection: workerRedis,
        prefix: config.REDIS_PREFIX,
        concurrency: config.WORKER_CONCURRENCY,
        // Every job is idempotent against the ledger, so a job whose worker died is simply run
        // again, soon: a short lock, frequent stall checks, and no limit on how often. Back within
        // 12 s of the death, like the dead process's claims (claim-recovery.ts).
        lockDuration: 10_000,
        stalledInterval: 2_000,
        maxStalledCount: 1_000,
      },
    );
    worker.on('failed', (job, error) => {
      const givenUp = error instanceof UnrecoverableError || (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1));
      const details = { queue: name, jobId: job?.id, data: job?.data as unknown, attempts: job?.attemptsMade, err: error };
      // The error's message carries the SMTP server's answer for each message given up.
      if (givenUp && MAIL_QUEUES.has(name)) log.warn(details, `mail given up: ${error.message}`);
      else log.warn(details, givenUp ? 'job failed for good' : 'job failed; it will be retried');
    });
    worker.on('completed', (job, result) => {
      log.debug({ queue: name, jobId: job.id, result }, 'job completed');
      void reportJobResult(name, job, result).catch((error: unknown) => log.warn({ err: error }, 'could not report a job result'));
    });
    worker.on('error', (error) => log.error({ queue: name, err: error }, 'worker error'));
    return worker;
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  /** What an operator wants to read at `info`: broadcasts starting and ending, inbound verdicts. */
  async function reportJobResult(queue: QueueName, job: Job, result: unknown) {
    const outcome = (result ?? {}) as { outcome?: string; verdict?: InboundVerdict; report?: string; planned?: number; reason?: string };
    if (queue === 'inbound' && outcome.verdict) {
      inboundVerdicts.inc({ verdict: outcome.verdict });
      if (outcome.report) deliveryReports.inc({ kind: outcome.report });
      log.info({ inboundId: (job.data as JobData<'inbound'>).inboundId, verdict: outcome.verdict, outcome: outcome.outcome }, `inbound message ${outcome.verdict}`);
    } else if (queue === 'broadcast-plan') {
      log.info({ broadcastId: (job.data as JobData<'broadcast-plan'>).broadcastId, planned: outcome.planned }, 'broadcast sending: audience planned');
    } else if (queue === 'broadcast-send' && (outcome.outcome === 'completed' || outcome.outcome === 'paused by error budget')) {
      const { broadcastId } = job.data as JobData<'broadcast-send'>;
      const counts = await countDeliveries(database.db, broadcastId);
      if (outcome.outcome === 'completed') log.info({ broadcastId, counts }, 'broadcast completed');
      else log.warn({ broadcastId, counts, reason: outcome.reason }, 'broadcast paused itself');
    }
  }

  const sweep = makeSweep({
    db: database.db,
    queues,
    broadcastJobs,
    periods,
    inboundRetentionDays: config.INBOUND_RETENTION_DAYS,
  });
  const runSweep = async () => {
    try {
      const result = await sweep();
      log.debug({ result }, 'sweep done');
      return result;
    } catch (error) {
      log.error({ err: error }, 'sweep failed; it runs again at the next interval');
      return undefined;
    }
  };
  // A timer per process rather than a Redis-side scheduler: it survives Redis losing its data.
  await runSweep();
  const timer = setInterval(() => void runSweep(), config.SWEEP_INTERVAL_SECONDS * 1000);
  timer.unref();

  return {
    metricsPort: metricsServer?.port,
    sweep: runSweep,
    async close() {
      clearInterval(timer);
      // Send tokens stop sending, give back the rest of their batch and hand over; other jobs finish.
      stopping = true;
      await metricsServer?.close();
      await Promise.all(workers.map((worker) => worker.close()));
      await deliveryOutcomes.drain();
      await liveness.stop();
      transport.close();
      await queues.close();
      await Promise.all([workerRedis.quit(), producerRedis.quit()].map((p) => p.catch(() => undefined)));
      await database.close();
    },
  };
}
