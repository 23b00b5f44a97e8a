/**
 * `npm run -s cli -- watch-broadcast <id>`: a live progress bar for an operator, read straight from
 * the ledger once a second until the broadcast completes or is cancelled. On a terminal the bar is
 * redrawn in place; piped, it prints one line per second. Prints the final progress as JSON.
 */
import { z } from 'zod';
import { findBroadcastWithCampaign } from '../broadcasts/broadcast-queries.js';
import { broadcastProgress, type BroadcastProgress } from '../broadcasts/broadcast-service.js';
import type { Database } from '../db/client.js';
import { NotFoundError } from '../errors.js';

const WIDTH = 30;

export function progressLine(progress: BroadcastProgress): string {
  const { total, sent, failed, bounced, skipped, pending } = progress.counts;
  const done = sent + failed + bounced + skipped;
  const share = total === 0 ? (progress.status === 'completed' ? 1 : 0) : done / total;
  const filled = Math.round(share * WIDTH);
  const eta = progress.eta === null ? '' : `  eta ${progress.eta}s`;
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(share * 100).toFixed(1).padStart(5)}%  ` +
    `${progress.status}  sent ${sent}/${total}  pending ${pending}  failed ${failed}  bounced ${bounced}  skipped ${skipped}  ` +
    `${progress.ratePerSecond}/s${eta}`
  );
}

export async function watchBroadcast(db: Database, id: string, out: NodeJS.WriteStream = process.stderr): Promise<BroadcastProgress> {
  const broadcastId = z.uuid({ message: 'must be a broadcast id (UUID)' }).parse(id);
  for (;;) {
    const found = await findBroadcastWithCampaign(db, broadcastId);
    if (!found) throw new NotFoundError('No broadcast with this id', 'id');
    const progress = await broadcastProgress(db, found.broadcast);
    const line = progressLine(progress);
    if (out.isTTY) out.write(`\r${line}\u001b[K`);
    else out.write(`${line}\n`);
    if (progress.status === 'completed' || progress.status === 'cancelled') {
      if (out.isTTY) out.write('\n');
      return progress;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
