/**
 * The sweep, run by every worker at start-up and then every SWEEP_INTERVAL_SECONDS: Postgres, not
 * Redis, says what work is outstanding, so whatever Redis lost (a flush, a failed enqueue while it
 * was down, a worker killed mid-batch) is queued again. Job ids make it idempotent, so any number of
 * workers may sweep at once.
 */
import type { BroadcastJobs } from '../src/broadcasts/broadcast-jobs.js';
import { listActiveBroadcasts, transitionBroadcast } from '../src/broadcasts/broadcast-queries.js';
import type { Database } from '../src/db/client.js';
import type { StalePeriods } from '../src/infra/stale-periods.js';
import type { Queues } from '../src/queue/queues.js';
import { inboundJobId } from '../src/queue/queues.js';
import { deleteExpiredInboundRaw, listUnprocessedInbound } from '../src/replies/reply-queries.js';
import { requeueDeletedCampaigns } from '../src/campaigns/campaign-purge.js';
import { releaseAbandonedClaims } from './claim-recovery.js';
import { requeueUnsentTargetLetters } from '../src/letters/send-target-letter.js';
import { requeueUnsentMail } from '../src/transactional/send-transactional.js';

export interface SweepDeps {
  db: Database;
  queues: Queues;
  broadcastJobs: BroadcastJobs;
  periods: StalePeriods;
  /** Raw inbound mail is kept this long after it arrived, then its bytes are deleted. */
  inboundRetentionDays: number;
}

export function makeSweep(deps: SweepDeps) {
  return async () => {
    // Claims of a process that died between deleting a dead one's row and giving back its claims,
    // or of a worker from before claims named their claimant (see claim-recovery.ts).
    const releasedClaims = await releaseAbandonedClaims(deps);
    let broadcasts = 0;
    for (const active of await listActiveBroadcasts(deps.db)) {
      if (active.status === 'scheduled') {
        const started = await transitionBroadcast(deps.db, active.id, ['scheduled'], { status: 'sending', startedAt: new Date() });
        if (!started) continue;
      }
      if (!active.planningDone) await deps.broadcastJobs.plan(active.id);
      await deps.broadcastJobs.startSending(active.id);
      broadcasts += 1;
    }
    return {
      campaignsToPurge: await requeueDeletedCampaigns(deps.db, deps.queues),
      mailToSend: await requeueUnsentMail(deps.db, deps.queues, deps.periods.unsentMailSeconds),
      lettersToTarget: await requeueUnsentTargetLetters(deps.db, deps.queues, deps.periods.unsentMailSeconds),
      inboundToProcess: await requeueUnprocessedInbound(deps.db, deps.queues, deps.periods.unprocessedInboundSeconds),
      inboundRawDeleted: await deleteExpiredInboundRaw(deps.db, deps.inboundRetentionDays),
      releasedClaims,
      broadcasts,
    };
  };
}

async function requeueUnprocessedInbound(db: Database, queues: Queues, graceSeconds: number): Promise<number> {
  const ids = await listUnprocessedInbound(db, graceSeconds);
  for (const inboundId of ids) await queues.requeue('inbound', 'process', { inboundId }, inboundJobId(inboundId));
  return ids.length;
}
