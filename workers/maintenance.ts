/**
 * The periodic sweep: Postgres, not Redis, says what work is outstanding, so whatever Redis lost
 * (a flush, a failed enqueue while it was down) is queued again. Job ids make this idempotent.
 */
import type { Database } from '../src/db/client.js';
import type { JobData, Queues } from '../src/queue/queues.js';
import { requeueDeletedCampaigns } from './campaign-purge.js';
import { requeueUnsentMail } from './send-transactional.js';

export function makeSweep(deps: { db: Database; queues: Queues }) {
  return async (_data: JobData<'maintenance'>) => ({
    campaignsToPurge: await requeueDeletedCampaigns(deps.db, deps.queues),
    mailToSend: await requeueUnsentMail(deps.db, deps.queues),
  });
}
