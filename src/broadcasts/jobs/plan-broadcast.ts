/**
 * The planner: pages the broadcast's audience into the delivery ledger (a page per transaction,
 * checkpointed), starting the send tokens as soon as the first rows exist so the first message goes
 * out while the rest is still being planned. Re-running it after a crash continues from the checkpoint.
 */
import { planAudiencePage, refreshLedgerStatistics } from '../audience-plan.js';
import type { Database } from '../../db/client.js';
import type { JobData } from '../../queue/queues.js';

/** After this many rows, and again at the end, the ledger's statistics are refreshed (see refreshLedgerStatistics). */
const ANALYZE_AFTER_ROWS = 20_000;

export function makePlanBroadcast(deps: { db: Database; startSending(broadcastId: string): Promise<void> }) {
  return async ({ broadcastId }: JobData<'broadcast-plan'>) => {
    let planned = 0;
    let started = false;
    for (;;) {
      const page = await planAudiencePage(deps.db, broadcastId);
      const before = planned;
      planned += page.inserted;
      if (before < ANALYZE_AFTER_ROWS && planned >= ANALYZE_AFTER_ROWS) await refreshLedgerStatistics(deps.db);
      if (!started && (page.inserted > 0 || page.scanned === 0)) {
        await deps.startSending(broadcastId);
        started = true;
      }
      if (page.scanned === 0) {
        if (planned >= ANALYZE_AFTER_ROWS) await refreshLedgerStatistics(deps.db);
        return { planned };
      }
    }
  };
}
