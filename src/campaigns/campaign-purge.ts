/**
 * Removes a deleted campaign's supporters in batches, then the campaign itself. Idempotent: a purge
 * interrupted at any point (crash, shutdown) is simply run again by the retry or the sweep.
 */
import {
  deletePurgedCampaign,
  listCampaignsAwaitingPurge,
  purgeSupporterBatch,
} from './campaign-queries.js';
import type { Database } from '../db/client.js';
import type { JobData, Queues } from '../queue/queues.js';
import { purgeJobId } from '../queue/queues.js';

const BATCH_SIZE = 2_000;
const SWEEP_LIMIT = 500;

export function makePurgeCampaign(deps: { db: Database }) {
  return async ({ campaignId }: JobData<'campaign-purge'>) => {
    let supporters = 0;
    for (;;) {
      const removed = await purgeSupporterBatch(deps.db, campaignId, BATCH_SIZE);
      if (removed === 0) break;
      supporters += removed;
    }
    const campaignRemoved = await deletePurgedCampaign(deps.db, campaignId);
    return { supporters, campaignRemoved };
  };
}

/**
 * Postgres, not Redis, says which campaigns still need purging: this re-enqueues every one of them,
 * so a job lost with Redis (or never enqueued because Redis was down at DELETE time) still runs.
 */
export async function requeueDeletedCampaigns(db: Database, queues: Queues): Promise<number> {
  const ids = await listCampaignsAwaitingPurge(db, SWEEP_LIMIT);
  for (const campaignId of ids) {
    await queues.requeue('campaign-purge', 'purge', { campaignId }, purgeJobId(campaignId));
  }
  return ids.length;
}
