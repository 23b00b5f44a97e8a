/**
 * What a send token decides about a claimed delivery, and about a batch once sent: pure functions
 * of what it read, so each rule is tested alone.
 */
import type { BroadcastRow } from './broadcast-queries.js';
import type { DeliveryOutcome } from './delivery-ledger.js';
import type { Recipient } from './recipients.js';
import { reasonNotToMail } from '../suppressions/may-we-mail.js';

type NotSent = Pick<DeliveryOutcome, 'status' | 'response'>;

/** A delivery that must never go (the person may no longer be mailed): skipped, with why; undefined if it may. */
export function exclusionOf(recipient: Recipient | undefined, audience: BroadcastRow['audience']): NotSent | undefined {
  if (!recipient) return { status: 'skipped', response: 'not sent: the supporter no longer exists' };
  const reason = reasonNotToMail(
    { confirmed: recipient.confirmed, unsubscribed: recipient.unsubscribed, suppressedBecause: recipient.suppressedBecause },
    audience === 'target' ? 'letter-to-target' : 'campaign',
  );
  return reason ? { status: 'skipped', response: `not sent: ${reason}` } : undefined;
}

/**
 * A delivery that must not go yet: the process is shutting down, or the organiser paused the
 * broadcast (released: back to 'pending', sent later), or cancelled it (skipped); undefined if it may go.
 */
export function holdBack(stopping: boolean, broadcastStatus: string): NotSent | undefined {
  if (stopping) return { status: 'released', response: 'not sent yet: the worker was shutting down' };
  if (broadcastStatus === 'cancelled') return { status: 'skipped', response: 'not sent: the broadcast was cancelled' };
  if (broadcastStatus !== 'sending') return { status: 'released', response: `not sent yet: the broadcast is ${broadcastStatus}` };
  return undefined;
}

export interface ErrorBudget {
  /** ERROR_BUDGET: the largest share of a batch's attempts that may be refused permanently. */
  share: number;
  /** ERROR_BUDGET_MIN_ATTEMPTS: a batch with fewer attempts says too little to judge. */
  minAttempts: number;
}

/**
 * Why the broadcast pauses itself after this batch, or undefined. Only permanent refusals of the
 * message itself count: a server briefly unreachable or greylisting (4xx, connection errors) delays
 * mail, and retries handle that; a suspended account or a blocklisted IP would refuse the whole list.
 */
export function errorBudgetExceeded(outcomes: Array<Pick<DeliveryOutcome, 'status' | 'response'>>, budget: ErrorBudget): string | undefined {
  const attempted = outcomes.filter((o) => o.status !== 'skipped' && o.status !== 'released');
  const failing = attempted.filter((o) => o.status === 'failed');
  if (!overBudget(failing.length, attempted.length, budget)) return undefined;
  return `paused itself: ${failing.length} of the last ${attempted.length} attempts failed (last: ${failing.at(-1)!.response})`;
}

/**
 * The same budget for hard bounces reported after the relay accepted the message (delivery reports,
 * hours later): a relay that says 250 to everything hides a bad list from the batch's outcomes, so
 * the broadcast's messages accepted so far are judged by how many of them have bounced since.
 */
export function lateBounceBudgetExceeded(counts: { accepted: number; bouncedLate: number; lastStatus: string }, budget: ErrorBudget): string | undefined {
  if (!overBudget(counts.bouncedLate, counts.accepted, budget)) return undefined;
  return `paused itself: ${counts.bouncedLate} of the ${counts.accepted} messages accepted so far bounced afterwards (last: ${counts.lastStatus})`;
}

function overBudget(failing: number, attempted: number, budget: ErrorBudget): boolean {
  return attempted >= budget.minAttempts && failing / attempted > budget.share;
}
