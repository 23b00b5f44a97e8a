/**
 * What a failed send means, for every kind of mail (broadcast deliveries, one-to-one mail, letters
 * to the target): given up (the server refused the message, or it was tried DELIVERY_MAX_ATTEMPTS
 * times), bounced (the server refused the recipient: a hard bounce, which suppresses a supporter's
 * address everywhere), or tried again later on one schedule: a 4xx or a connection error is
 * retried with exponential backoff and jitter for about an hour, whatever the kind of mail.
 */
import { classifySendError } from './smtp-outcome.js';

export interface RetrySchedule {
  /** DELIVERY_MAX_ATTEMPTS: attempts, the first included, before a transient failure is given up. */
  maxAttempts: number;
  /** DELIVERY_RETRY_BASE_SECONDS: the first retry's delay (at most; jitter halves it at worst). */
  retryBaseSeconds: number;
}

export function retrySchedule(config: { DELIVERY_MAX_ATTEMPTS: number; DELIVERY_RETRY_BASE_SECONDS: number }): RetrySchedule {
  return { maxAttempts: config.DELIVERY_MAX_ATTEMPTS, retryBaseSeconds: config.DELIVERY_RETRY_BASE_SECONDS };
}

/**
 * The delay before attempt `attempts + 1`: base, 2×base, 4×base … (default 30 s, 1 min, 2 min),
 * capped at an hour, each between half and all of that so retries after an outage spread out.
 * `random` is in [0, 1).
 */
export function retryDelayMs(attempts: number, baseSeconds: number, random: number = Math.random()): number {
  const ceiling = Math.min(3_600_000, baseSeconds * 1000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + random * (ceiling / 2));
}

export type FailedSend =
  | { status: 'bounced'; response: string }
  | { status: 'failed'; response: string }
  /** `serverUnreachable`: no answer at all; the next message would only wait for the same server. */
  | { status: 'retry'; response: string; retryAt: Date; serverUnreachable: boolean };

/** What a send's error means for a row that has now had `attempts` attempts. */
export function outcomeOfFailedSend(error: unknown, attempts: number, schedule: RetrySchedule, now: number = Date.now(), random: number = Math.random()): FailedSend {
  const failure = classifySendError(error);
  if (failure.recipientRefused) return { status: 'bounced', response: failure.response };
  if (failure.class === 'permanent' || attempts >= schedule.maxAttempts) return { status: 'failed', response: failure.response };
  return {
    status: 'retry',
    response: failure.response,
    retryAt: new Date(now + retryDelayMs(attempts, schedule.retryBaseSeconds, random)),
    serverUnreachable: failure.class === 'connection',
  };
}
