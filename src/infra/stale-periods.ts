/**
 * Every period after which unfinished work is taken for lost and done again, in one place: the
 * workers' claim recovery and the sweep read them from here.
 */
import type { Config } from '../config.js';

/**
 * A claim that names no claimant (made by a worker of a version before claims named one, during an
 * upgrade) was kept fresh by a heartbeat on its row at most every 30 s: after two minutes without
 * one it is abandoned.
 */
export const UNNAMED_CLAIM_STALE_SECONDS = 120;

/** How long a one-to-one mail or a letter to the target may stay due before the sweep queues it again. */
const UNSENT_MAIL_GRACE_SECONDS = 60;

export interface StalePeriods {
  /** DELIVERY_STALE_SECONDS: a worker process whose heartbeat is silent this long is dead; its claims go to others. */
  silentWorkerSeconds: number;
  /** Mail whose turn came this long ago is queued again by the sweep: its job (or delayed retry) had its chance. */
  unsentMailSeconds: number;
  /**
   * A stored inbound message not processed this long after it arrived is queued again: long enough
   * for the listener's own job to have been taken, short enough that a message whose job Redis lost
   * is not left waiting for minutes (one sweep interval, at most 30 s).
   */
  unprocessedInboundSeconds: number;
}

export function stalePeriods(config: Pick<Config, 'DELIVERY_STALE_SECONDS' | 'SWEEP_INTERVAL_SECONDS'>): StalePeriods {
  return {
    silentWorkerSeconds: config.DELIVERY_STALE_SECONDS,
    unsentMailSeconds: UNSENT_MAIL_GRACE_SECONDS,
    unprocessedInboundSeconds: Math.min(30, config.SWEEP_INTERVAL_SECONDS),
  };
}
