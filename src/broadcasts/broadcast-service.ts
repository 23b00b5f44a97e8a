/**
 * A broadcast's life: draft → (scheduled →) sending ⇄ paused → completed, or cancelled. Starting
 * fixes the audience (who is confirmed, subscribed and unsuppressed at that moment); the ledger
 * in Postgres then drives everything, and Redis only carries tokens that point at it.
 */
import type { CampaignServiceDeps } from '../campaigns/campaign-service.js';
import { countBroadcastReports } from '../bounces/report-ledger.js';
import { getCampaign } from '../campaigns/campaign-service.js';
import type { Database, Executor } from '../db/client.js';
import { NotFoundError, StateError } from '../errors.js';
import { assertValidTemplates } from '../templates/assert-valid-templates.js';
import type { BroadcastJobs } from './broadcast-jobs.js';
import {
  countRecentlySent,
  findOwnedBroadcast,
  insertBroadcast,
  transitionBroadcast,
  type BroadcastRow,
  type BroadcastStatus,
} from './broadcast-queries.js';
import { recordBroadcastAction, type BroadcastActor } from './broadcast-actions.js';
import { countDeliveries, requeueFailedDeliveries, skipUnfinishedDeliveries } from './delivery-ledger.js';

export interface BroadcastServiceDeps {
  db: Database;
  jobs: BroadcastJobs;
}

export interface NewBroadcast {
  kind: BroadcastRow['kind'];
  subject: string;
  body: string;
  scheduledAt?: Date | undefined;
}

export async function createBroadcast(
  campaigns: CampaignServiceDeps,
  organiserId: string,
  campaignId: string,
  input: NewBroadcast,
): Promise<BroadcastRow> {
  const campaign = await getCampaign(campaigns, organiserId, campaignId);
  if (campaign.status === 'draft') {
    throw new StateError('campaign_not_published', 'Publish the campaign before broadcasting to its supporters', 'status');
  }
  assertValidTemplates(input);
  return insertBroadcast(campaigns.db, {
    campaignId: campaign.id,
    kind: input.kind,
    subject: input.subject,
    body: input.body,
    scheduledAt: input.scheduledAt ?? null,
  });
}

export async function getOwnedBroadcast(db: Database, organiserId: string, broadcastId: string) {
  const found = await findOwnedBroadcast(db, organiserId, broadcastId);
  if (!found) throw new NotFoundError('Broadcast not found');
  return found;
}

const RATE_WINDOW_SECONDS = 10;

export interface BroadcastProgress {
  id: string;
  campaignId: string;
  kind: BroadcastRow['kind'];
  audience: BroadcastRow['audience'];
  subject: string;
  status: BroadcastStatus;
  pausedReason: string | null;
  scheduledAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  counts: { total: number; pending: number; sent: number; failed: number; bounced: number; bouncedAfterAcceptance: number; complaints: number; skipped: number };
  ratePerSecond: number;
  /** Seconds until the last pending delivery is expected to be sent, at the current rate. */
  eta: number | null;
}

export async function broadcastProgress(db: Database, broadcast: BroadcastRow): Promise<BroadcastProgress> {
  const counts = await countDeliveries(db, broadcast.id);
  const reported = await countBroadcastReports(db, broadcast.id);
  const sentRecently = broadcast.status === 'sending' ? await countRecentlySent(db, broadcast.id, RATE_WINDOW_SECONDS) : 0;
  const ratePerSecond = Math.round((sentRecently / RATE_WINDOW_SECONDS) * 10) / 10;
  const pending = counts.pending + counts.retry + counts.sending;
  const total = pending + counts.sent + counts.failed + counts.bounced + counts.skipped;
  return {
    id: broadcast.id,
    campaignId: broadcast.campaignId,
    kind: broadcast.kind,
    audience: broadcast.audience,
    subject: broadcast.subject,
    status: broadcast.status,
    pausedReason: broadcast.pausedReason,
    scheduledAt: broadcast.scheduledAt?.toISOString() ?? null,
    startedAt: broadcast.startedAt?.toISOString() ?? null,
    completedAt: broadcast.completedAt?.toISOString() ?? null,
    counts: {
      total,
      pending,
      sent: counts.sent,
      failed: counts.failed,
      bounced: counts.bounced,
      bouncedAfterAcceptance: reported.bouncedLate,
      complaints: reported.complaints,
      skipped: counts.skipped,
    },
    ratePerSecond,
    eta: ratePerSecond > 0 ? Math.ceil(pending / ratePerSecond) : null,
  };
}

export type BroadcastAction = 'start' | 'pause' | 'resume' | 'cancel' | 'retry-failed';

function refuse(action: BroadcastAction, status: BroadcastStatus): StateError {
  return new StateError('invalid_transition', `Cannot ${action} a broadcast that is ${status}`, 'status');
}

/**
 * Applies an organiser's action; each is one conditional UPDATE, so racing requests cannot both win.
 * The move and the record of who made it (`actor`, for the campaign's timeline) are one transaction.
 */
export async function applyBroadcastAction(
  deps: BroadcastServiceDeps,
  organiserId: string,
  broadcastId: string,
  action: BroadcastAction,
  actor: BroadcastActor,
): Promise<BroadcastRow> {
  const { broadcast } = await getOwnedBroadcast(deps.db, organiserId, broadcastId);
  const now = new Date();
  /** The move, recorded with its actor if it happened; `alsoInTransaction` runs before the commit. */
  const move = (from: BroadcastStatus[], changes: Parameters<typeof transitionBroadcast>[3], alsoInTransaction?: (tx: Executor, row: BroadcastRow) => Promise<unknown>) =>
    deps.db.transaction(async (tx) => {
      const row = await transitionBroadcast(tx, broadcast.id, from, changes);
      if (!row) return undefined;
      await alsoInTransaction?.(tx, row);
      await recordBroadcastAction(tx, { broadcastId: row.id, action, status: row.status, actor });
      return row;
    });
  let moved: BroadcastRow | undefined;
  switch (action) {
    case 'start': {
      const later = broadcast.scheduledAt && broadcast.scheduledAt.getTime() > now.getTime();
      moved = await move(['draft'], later ? { status: 'scheduled' } : { status: 'sending', startedAt: now });
      if (moved?.status === 'sending') await deps.jobs.plan(moved.id);
      // A scheduled broadcast is started by the workers' sweep once its time has come.
      break;
    }
    case 'pause':
      moved = await move(['sending', 'scheduled'], { status: 'paused', pausedReason: 'paused by the organiser' });
      break;
    case 'resume': {
      // Paused before its scheduled time came: back to waiting for it.
      const stillScheduled = !broadcast.startedAt && broadcast.scheduledAt && broadcast.scheduledAt.getTime() > now.getTime();
      moved = await move(
        ['paused'],
        stillScheduled ? { status: 'scheduled', pausedReason: null } : { status: 'sending', pausedReason: null, startedAt: broadcast.startedAt ?? now },
      );
      if (moved?.status === 'sending') {
        if (!moved.planningDone) await deps.jobs.plan(moved.id);
        await deps.jobs.startSending(moved.id);
      }
      break;
    }
    case 'cancel':
      moved = await move(['draft', 'scheduled', 'sending', 'paused'], { status: 'cancelled', completedAt: now });
      if (moved) {
        await skipUnfinishedDeliveries(deps.db, moved.id, 'not sent: the broadcast was cancelled');
        await deps.jobs.removeAll(moved.id);
      }
      break;
    case 'retry-failed':
      // One transaction, so no send token can see the broadcast 'sending' with nothing due and
      // complete it between the two statements. It also resumes a broadcast its error budget paused:
      // retrying after the fix is the point.
      moved = await move(
        ['sending', 'paused', 'completed'],
        { status: 'sending', pausedReason: null, completedAt: null, startedAt: broadcast.startedAt ?? now },
        (tx, row) => requeueFailedDeliveries(tx, row.id),
      );
      if (moved) {
        if (!moved.planningDone) await deps.jobs.plan(moved.id);
        await deps.jobs.startSending(moved.id);
      }
      break;
  }
  if (!moved) throw refuse(action, broadcast.status);
  return moved;
}
