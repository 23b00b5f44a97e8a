/**
 * Every queue the service uses, with the shape of its job data. Jobs carry ids only: the handler
 * re-reads Postgres, which stays the source of truth if Redis loses a job.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

/** The most transactional messages one job carries. */
export const MESSAGES_PER_MAIL_JOB = 100;

export const queueDefinitions = {
  'campaign-purge': z.strictObject({ campaignId: z.uuid() }),
  /** Ledger rows of transactional mail queued together (see app.ts). */
  transactional: z.strictObject({ messageIds: z.array(z.uuid()).min(1).max(MESSAGES_PER_MAIL_JOB) }),
  'target-letter': z.strictObject({ letterId: z.uuid() }),
  inbound: z.strictObject({ inboundId: z.uuid() }),
  'broadcast-plan': z.strictObject({ broadcastId: z.uuid() }),
  /** A send token: claims the broadcast's next due batch, then hands over to its successor. */
  'broadcast-send': z.strictObject({
    broadcastId: z.uuid(),
    slot: z.number().int().min(0),
    phase: z.union([z.literal(0), z.literal(1)]),
    /** The last ledger row this token claimed: its next claim starts after it. */
    claimedThrough: z.number().int().min(0).optional(),
  }),
} as const;

export type QueueName = keyof typeof queueDefinitions;
export type JobData<Q extends QueueName> = z.output<(typeof queueDefinitions)[Q]>;
export const queueNames = Object.keys(queueDefinitions) as QueueName[];

/**
 * A job that fails (Postgres or Redis away mid-job) runs again with exponential backoff (about 1 s,
 * 2 s, 4 s … 4 min). Mail is not retried this way: its retries are the ledger's, on one schedule for
 * all mail (src/mail/delivery-outcome.ts). Finished jobs are kept only briefly: Postgres, not Redis,
 * is the history.
 */
export const JOB_OPTIONS = {
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
  attempts: 9,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
} as const;

/**
 * Broadcast jobs are tokens with fixed ids, re-created from the ledger: they are removed as soon as
 * they finish so the same id can be queued again, and Redis holds a bounded number of them per
 * broadcast however large its audience.
 */
const TOKEN_OPTIONS = {
  removeOnComplete: true,
  removeOnFail: true,
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
} as const;

function jobOptionsFor(name: QueueName) {
  return name === 'broadcast-plan' || name === 'broadcast-send' ? TOKEN_OPTIONS : JOB_OPTIONS;
}

export function planJobId(broadcastId: string): string {
  return `bplan-${broadcastId}`;
}

export function sendTokenId(broadcastId: string, slot: number, phase: 0 | 1): string {
  return `bsend-${broadcastId}-${slot}-${phase}`;
}

/** Producers used by the API: one BullMQ Queue per name, over one shared connection. */
export class Queues {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
  ) {}

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    return queue;
  }

  async add<Q extends QueueName>(
    name: Q,
    jobName: string,
    data: JobData<Q>,
    jobId?: string,
    options: { delay?: number } = {},
  ): Promise<void> {
    await this.get(name).add(jobName, queueDefinitions[name].parse(data), {
      ...(jobId ? { jobId } : {}),
      ...jobOptionsFor(name),
      ...options,
    });
  }

  /**
   * Queues a job again for work the ledger says is unfinished. A finished job kept under the same id
   * (completed or failed, retained for inspection) would make BullMQ ignore the add, so it goes first.
   */
  async requeue<Q extends QueueName>(name: Q, jobName: string, data: JobData<Q>, jobId: string): Promise<void> {
    const existing = await this.get(name).getJob(jobId);
    if (existing && ((await existing.isCompleted()) || (await existing.isFailed()))) await existing.remove();
    await this.add(name, jobName, data, jobId);
  }

  /** Removes waiting or delayed jobs by id (an active one finishes by itself). */
  async remove(name: QueueName, jobIds: string[]): Promise<void> {
    const queue = this.get(name);
    await Promise.all(jobIds.map((id) => queue.remove(id)));
  }

  async addBulk<Q extends QueueName>(name: Q, jobs: Array<{ name: string; data: JobData<Q>; jobId: string }>): Promise<void> {
    await this.get(name).addBulk(
      jobs.map((job) => ({ name: job.name, data: queueDefinitions[name].parse(job.data), opts: { jobId: job.jobId, ...jobOptionsFor(name) } })),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}

/** One purge job per campaign at a time: BullMQ ignores an add whose job id already exists. */
export function purgeJobId(campaignId: string): string {
  return `purge-${campaignId}`;
}

/** A job's id is its first message's: each message is queued with others once, and alone by the sweep. */
export function mailJobId(messageId: string): string {
  return `mail-${messageId}`;
}

/** A message's retry after its `attempts`th attempt: one job each time, whoever else shared the first. */
export function mailRetryJobId(messageId: string, attempts: number): string {
  return `mail-${messageId}-retry-${attempts}`;
}

export function targetLetterJobId(letterId: string): string {
  return `target-letter-${letterId}`;
}

export function targetLetterRetryJobId(letterId: string, attempts: number): string {
  return `target-letter-${letterId}-retry-${attempts}`;
}

export function inboundJobId(inboundId: string): string {
  return `inbound-${inboundId}`;
}
