/**
 * Acting on a report that came back to a valid return path, for the row and address its token names
 * and nothing else:
 * - a permanent failure (5.x.x): the row is refused after acceptance (`bounced` for a delivery) and
 *   the address suppressed everywhere, as a 5xx at RCPT is; a broadcast whose late bounces exceed
 *   the error budget pauses itself;
 * - a transient failure (4.x.x, given up by the remote system): a soft bounce, recorded; soft
 *   bounces of SOFT_BOUNCE_LIMIT messages within SOFT_BOUNCE_WINDOW_DAYS suppress the address;
 * - a delay (still being retried): recorded, nothing else;
 * - a complaint (ARF, abuse): the supporter unsubscribed from every campaign of the organiser whose
 *   mail it was, and the address suppressed for that organiser.
 * A report about a letter to the target never suppresses or unsubscribes anyone. Everything a report
 * writes is one transaction, recorded once per inbound message.
 */
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { countDeliveries } from '../broadcasts/delivery-ledger.js';
import { findBroadcastStatus } from '../broadcasts/broadcast-queries.js';
import { lateBounceBudgetExceeded } from '../broadcasts/send-decision.js';
import { pauseAndTell } from '../notifications/broadcast-endings.js';
import type { QueueMail } from '../notifications/queue-notifications.js';
import { addSuppression } from '../suppressions/suppressions.js';
import { unsubscribeContactFromOrganiser } from '../supporters/supporter-queries.js';
import type { ReportReading } from './read-report.js';
import type { ReportedRow } from './reported-row.js';
import { countBroadcastReports, countSoftBounces, insertDeliveryReport, markRefusedAfterAcceptance, type DeliveryReportKind } from './report-ledger.js';

export interface ActOnReportDeps {
  db: Database;
  config: Pick<Config, 'SOFT_BOUNCE_LIMIT' | 'SOFT_BOUNCE_WINDOW_DAYS' | 'ERROR_BUDGET' | 'ERROR_BUDGET_MIN_ATTEMPTS'>;
  /** Queues the owners' "broadcast paused" mail when late bounces pause a broadcast. */
  queueMail: QueueMail;
}

type ActedOn = Exclude<ReportReading, { kind: 'no action' }>;

function kindOf(reading: ActedOn): DeliveryReportKind {
  if (reading.kind === 'failed') return reading.permanent ? 'hard_bounce' : 'soft_bounce';
  return reading.kind === 'delayed' ? 'delayed' : 'complaint';
}

function statusAndDiagnostic(reading: ActedOn): { status: string | undefined; diagnostic: string | undefined } {
  if (reading.kind === 'complaint') return { status: `feedback-type ${reading.feedbackType}`, diagnostic: undefined };
  return { status: reading.status, diagnostic: reading.diagnostic };
}

export async function actOnReport(deps: ActOnReportDeps, inboundId: string, target: ReportedRow, reading: ActedOn): Promise<{ kind: DeliveryReportKind; outcome: string }> {
  const kind = kindOf(reading);
  const { status, diagnostic } = statusAndDiagnostic(reading);
  const described = [status, diagnostic].filter(Boolean).join(' ');
  const email = target.suppressible;
  const outcome = await deps.db.transaction(async (tx) => {
    const recorded = await insertDeliveryReport(tx, { inboundId, kind, row: target.row, broadcastId: target.broadcastId, email, status, diagnostic });
    if (!recorded) return 'already recorded';
    if (kind === 'hard_bounce') {
      await markRefusedAfterAcceptance(tx, target.row, `bounced after acceptance: ${described}`);
      if (!email) return `hard bounce ${status} recorded; the target's address is not suppressed`;
      await addSuppression(tx, { email, organiserId: null, reason: 'hard_bounce', source: 'dsn', detail: `delivery report: ${described}`.slice(0, 500) });
      return `hard bounce ${status}: address suppressed`;
    }
    if (kind === 'soft_bounce') {
      if (!email) return `soft bounce ${status} recorded`;
      const { SOFT_BOUNCE_LIMIT: limit, SOFT_BOUNCE_WINDOW_DAYS: days } = deps.config;
      const softBounces = await countSoftBounces(tx, email, days);
      if (softBounces < limit) return `soft bounce ${status} recorded (${softBounces} of ${limit} within ${days} days)`;
      await addSuppression(tx, { email, organiserId: null, reason: 'hard_bounce', source: 'dsn', detail: `${softBounces} soft bounces within ${days} days (last: ${described})`.slice(0, 500) });
      return `soft bounce ${status}: ${softBounces} within ${days} days, address suppressed`;
    }
    if (kind === 'delayed') return `delay ${status ?? ''} recorded`.replace('  ', ' ');
    if (!target.supporter || !target.organiserId) return 'complaint recorded (not about mail to a supporter)';
    await unsubscribeContactFromOrganiser(tx, target.supporter.contactId, target.organiserId);
    await addSuppression(tx, { email: target.supporter.email, organiserId: target.organiserId, reason: 'complaint', source: 'complaint', detail: `feedback report (${status})` });
    return "complaint: unsubscribed from the organiser's campaigns and suppressed for them";
  });
  if (kind === 'hard_bounce' && outcome !== 'already recorded' && target.broadcastId && target.organiserId) {
    await pauseIfLateBouncesExceedBudget(deps, { id: target.broadcastId, organiserId: target.organiserId }, described);
  }
  return { kind, outcome };
}

async function pauseIfLateBouncesExceedBudget(deps: ActOnReportDeps, broadcast: { id: string; organiserId: string }, lastStatus: string): Promise<void> {
  if ((await findBroadcastStatus(deps.db, broadcast.id)) !== 'sending') return;
  const counts = await countDeliveries(deps.db, broadcast.id);
  const { bouncedLate } = await countBroadcastReports(deps.db, broadcast.id);
  // Accepted so far: what is sent now, plus what was sent and has bounced since (no longer counted as sent).
  const reason = lateBounceBudgetExceeded(
    { accepted: counts.sent + Math.min(bouncedLate, counts.bounced), bouncedLate, lastStatus },
    { share: deps.config.ERROR_BUDGET, minAttempts: deps.config.ERROR_BUDGET_MIN_ATTEMPTS },
  );
  if (reason) await pauseAndTell(deps.db, deps.queueMail, broadcast, reason);
}
