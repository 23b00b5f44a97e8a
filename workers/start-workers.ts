/**
 * Builds one BullMQ Worker per queue, each with its processor, and the periodic maintenance sweep.
 * Only this file constructs Workers; processors are plain functions made from their dependencies.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { createRedis } from '../src/queue/redis-connection.js';
import { queueDefinitions, queueNames, Queues, type JobData, type QueueName } from '../src/queue/queues.js';
import { makeLinkUrls } from '../src/links/link-urls.js';
import { createSmtpTransport } from '../src/mail/mail-transport.js';
import { makePurgeCampaign } from './campaign-purge.js';
import { makeSweep } from './maintenance.js';
import { makeSendTransactional } from './send-transactional.js';

type Processors = { [Q in QueueName]: (data: JobData<Q>, job: Job) => Promise<unknown> };

const SWEEP_EVERY_MS = 60_000;

export interface RunningWorkers {
  /** Stops taking jobs, waits for the ones in flight, then closes every connection. */
  close(): Promise<void>;
}

export function assertEveryQueueHasAProcessor(processors: Partial<Record<string, unknown>>): void {
  const missing = queueNames.filter((name) => typeof processors[name] !== 'function');
  if (missing.length > 0) throw new Error(`No processor for queue(s): ${missing.join(', ')}`);
}

export async function startWorkers(config: Config, log: Logger): Promise<RunningWorkers> {
  const database = openDatabase(config.DATABASE_URL, {
    poolSize: Math.max(2, config.WORKER_CONCURRENCY),
    applicationName: 'campaign-letters-worker',
  });
  const producerRedis = createRedis(config.REDIS_URL, 'producer', 'campaign-letters-worker-producer');
  const workerRedis = createRedis(config.REDIS_URL, 'worker', 'campaign-letters-worker');
  const queues = new Queues(producerRedis, config.REDIS_PREFIX);

  const transport = createSmtpTransport({
    url: config.SMTP_URL,
    envelopeFrom: config.MAIL_FROM,
    poolSize: config.SMTP_POOL_SIZE,
  });

  const processors: Processors = {
    'campaign-purge': makePurgeCampaign({ db: database.db }),
    transactional: makeSendTransactional({
      db: database.db,
      transport,
      links: makeLinkUrls(config),
      mailFrom: config.MAIL_FROM,
    }),
    maintenance: makeSweep({ db: database.db, queues }),
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
        return process(parsed.data, job);
      },
      { connection: workerRedis, prefix: config.REDIS_PREFIX, concurrency: config.WORKER_CONCURRENCY },
    );
    worker.on('failed', (job, error) =>
      log.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'job failed'),
    );
    worker.on('completed', (job, result) => log.info({ queue: name, jobId: job.id, result }, 'job completed'));
    worker.on('error', (error) => log.error({ queue: name, err: error }, 'worker error'));
    return worker;
  });

  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  // A scheduler, not a timer per process: however many workers run, one sweep job per period.
  // The first runs at once, so a worker started after Redis lost its data finishes the work.
  await queues.get('maintenance').upsertJobScheduler('sweep', { every: SWEEP_EVERY_MS }, { name: 'sweep', data: {} });

  return {
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      transport.close();
      await queues.close();
      await Promise.all([workerRedis.quit(), producerRedis.quit()].map((p) => p.catch(() => undefined)));
      await database.close();
    },
  };
}
