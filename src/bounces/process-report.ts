/**
 * An inbound message sent to one of our return paths: the token names the ledger row (its MAC was
 * checked at RCPT and is checked again here, as the HTTP intake stores what it was handed), the
 * message is read (read-report.ts), and a failure, delay or complaint is acted on for that row only.
 */
import type { Email } from 'postal-mime';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { verifyReturnPathToken, type ReturnPathRow } from '../mail/return-path.js';
import { parseInboundAddress } from '../inbound/inbound-address.js';
import type { InboundVerdict } from '../metrics/process-metrics.js';
import type { QueueMail } from '../notifications/queue-notifications.js';
import { actOnReport } from './act-on-report.js';
import { readReport } from './read-report.js';
import { findReportedRow } from './reported-row.js';
import type { DeliveryReportKind } from './report-ledger.js';

export interface ProcessReportDeps {
  db: Database;
  config: Pick<Config, 'INBOUND_DOMAIN' | 'SECRET_KEY' | 'SOFT_BOUNCE_LIMIT' | 'SOFT_BOUNCE_WINDOW_DAYS' | 'ERROR_BUDGET' | 'ERROR_BUDGET_MIN_ATTEMPTS'>;
  queueMail?: QueueMail | undefined;
}

export interface ReportResult {
  outcome: string;
  verdict: InboundVerdict;
  report?: DeliveryReportKind | undefined;
}

/** The row the first of the message's recipients that is a valid return path names, if any. */
export function returnPathRowOf(envelopeTo: string[], config: Pick<Config, 'INBOUND_DOMAIN' | 'SECRET_KEY'>): ReturnPathRow | undefined {
  for (const to of envelopeTo) {
    const address = parseInboundAddress(to, config.INBOUND_DOMAIN);
    const row = address?.kind === 'bounce' ? verifyReturnPathToken(config.SECRET_KEY, address.token) : undefined;
    if (row) return row;
  }
  return undefined;
}

export async function processReport(deps: ProcessReportDeps, inboundId: string, row: ReturnPathRow, email: Email): Promise<ReportResult> {
  const reading = readReport(email);
  if (reading.kind === 'no action') return { outcome: `report: nothing to act on (${reading.why})`, verdict: 'ignored' };
  const target = await findReportedRow(deps.db, row);
  if (!target) return { outcome: `report: the ${row.ledger} it names no longer exists`, verdict: 'ignored' };
  const acted = await actOnReport({ db: deps.db, config: deps.config, queueMail: deps.queueMail ?? (async () => undefined) }, inboundId, target, reading);
  return {
    outcome: `${reading.shape} report about ${row.ledger} ${row.id}: ${acted.outcome}`,
    verdict: acted.kind === 'complaint' ? 'complaint' : 'bounce',
    report: acted.outcome === 'already recorded' ? undefined : acted.kind,
  };
}
