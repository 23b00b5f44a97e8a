/**
 * Crash recovery in seconds: how the mail a dead worker process held is found and sent again.
 *
 * Every ledger row being sent (a delivery, a transactional message, a target letter) names its
 * claimant, the worker process, in claimed_by. Each process registers in worker_processes and
 * renews its heartbeat every DELIVERY_STALE_SECONDS / 5 (2 s by default); every process, at each
 * of its own beats, deletes the others that have been silent for DELIVERY_STALE_SECONDS (10 s) and
 * gives back every claim whose claimant is no longer registered (due again, queued again). So a
 * SIGKILLed worker's mail is free again about 10 s after it died, whoever is left, and a restarted
 * worker finds it within its own first seconds. BullMQ's stalled-job check puts the dead process's
 * jobs back on the same scale (start-workers.ts: 10 s locks, checked every 2 s), and its send
 * tokens then find the given-back rows.
 *
 * Why a heartbeat row and not Postgres session state (an advisory lock held by the claimant's
 * connection): a lock dies with its connection, so a connection reset or pg_terminate_backend
 * would hand a live worker's mail to others, and poolers in transaction mode do not keep sessions.
 * Why not a heartbeat on each claimed row: one row per process costs one small write
 * every 2 s, however much it is sending.
 *
 * A process is only taken for dead on Postgres's clock, never in the first silent period after
 * Postgres started, and not by a process whose own beats failed or stalled until a silent period
 * after they resumed: after Postgres was away, or this process was frozen, every heartbeat looks
 * old, and nobody is judged until the others have had time to beat. A process just started judges
 * at once, so a worker restarted after a crash takes over its predecessor's mail as soon as that
 * one's heartbeat is DELIVERY_STALE_SECONDS old.
 * A process taken for dead that was alive after all re-registers at its next beat; what it then
 * records is guarded by claimed_by: a 250 is always recorded (a fact), anything else only on rows
 * still its own.
 *
 * Giving a claim back never changes the Message-ID (it is derived from the row), so a message that
 * did go out before the crash arrives a second time recognisable as the same message. What a crash
 * repeats is only what was accepted but not yet recorded: broadcasts record acceptances as they come
 * (a group commit every 20 ms, src/broadcasts/jobs/send-broadcast.ts), one-to-one mail and target letters right
 * after each 250.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BroadcastJobs } from '../src/broadcasts/broadcast-jobs.js';
import { releaseAbandonedDeliveries } from '../src/broadcasts/delivery-ledger.js';
import type { Database } from '../src/db/client.js';
import { beatWorkerProcess, forgetSilentWorkerProcesses, forgetWorkerProcess } from '../src/infra/worker-registry.js';
import { releaseAbandonedTargetLetters } from '../src/letters/target-letter-queries.js';
import { releaseAbandonedMessages } from '../src/transactional/transactional-ledger.js';
import { mailJobId, targetLetterJobId, type Queues } from '../src/queue/queues.js';

export interface ClaimRecoveryDeps {
  db: Database;
  queues: Queues;
  broadcastJobs: BroadcastJobs;
  /** DELIVERY_STALE_SECONDS: a worker process silent this long is dead. */
  silentSeconds: number;
  log: Pick<Logger, 'warn'>;
}

/** Gives back every claim whose claimant is no longer registered, and queues that work again. */
export async function releaseAbandonedClaims(deps: Pick<ClaimRecoveryDeps, 'db' | 'queues' | 'broadcastJobs'>) {
  const broadcasts = await releaseAbandonedDeliveries(deps.db);
  for (const broadcastId of broadcasts) await deps.broadcastJobs.startSending(broadcastId);
  const messages = await releaseAbandonedMessages(deps.db);
  for (const id of messages) await deps.queues.requeue('transactional', 'send', { messageIds: [id] }, mailJobId(id));
  const letters = await releaseAbandonedTargetLetters(deps.db);
  for (const letterId of letters) await deps.queues.requeue('target-letter', 'send', { letterId }, targetLetterJobId(letterId));
  return { broadcasts: broadcasts.length, messages: messages.length, letters: letters.length };
}

export interface WorkerLiveness {
  /** This process's id, which its claims carry. */
  readonly claimant: string;
  /** Stops beating, deregisters, and gives back whatever this process still holds. */
  stop(): Promise<void>;
}

/** Registers this process (failing start-up if Postgres cannot be reached) and starts its heartbeat. */
export async function startWorkerLiveness(deps: ClaimRecoveryDeps): Promise<WorkerLiveness> {
  const claimant = randomUUID();
  const silentMs = deps.silentSeconds * 1000;
  const beatMs = silentMs / 5;
  let lastBeat = await beatWorkerProcess(deps.db, claimant);
  /**
   * From when (Postgres's clock) this process may judge others: at once when it starts, but only a
   * whole silent period after its own beats failed or stalled, for the others to have beaten again.
   */
  let judgingFrom: number | undefined = lastBeat.getTime();

  async function beat() {
    let at: Date;
    try {
      at = await beatWorkerProcess(deps.db, claimant);
    } catch (error) {
      judgingFrom = undefined;
      deps.log.warn({ err: error }, 'heartbeat failed; retrying at the next beat');
      return;
    }
    if (judgingFrom === undefined || at.getTime() - lastBeat.getTime() > 2 * beatMs) judgingFrom = at.getTime() + silentMs;
    lastBeat = at;
    if (at.getTime() < judgingFrom) return;

    const dead = await forgetSilentWorkerProcesses(deps.db, claimant, deps.silentSeconds);
    if (dead.length === 0) return;
    const released = await releaseAbandonedClaims(deps);
    deps.log.warn({ workers: dead, released }, `worker processes silent for ${deps.silentSeconds} s taken for dead; their mail goes again`);
  }

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = (delay = beatMs) => {
    if (stopping) return;
    timer = setTimeout(() => {
      running = beat()
        .catch((error: unknown) => deps.log.warn({ err: error }, 'giving back the claims of dead workers failed; retrying at the next beat'))
        .finally(() => schedule());
    }, delay);
    timer.unref();
  };
  // A restarted worker looks for the dead at once: often it is replacing one.
  schedule(0);

  return {
    claimant,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await running;
      await forgetWorkerProcess(deps.db, claimant);
      await releaseAbandonedClaims(deps);
    },
  };
}
