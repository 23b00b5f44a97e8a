/**
 * Delivering the campaign letter to the target, once: either each confirmed supporter's merged letter
 * (a broadcast whose audience is the target), or one covering letter with the signatory list attached.
 * Either way the Reply-To is the campaign's reply address, so the official answer comes back here.
 */
import type { BroadcastJobs } from '../broadcasts/broadcast-jobs.js';
import { insertBroadcast } from '../broadcasts/broadcast-queries.js';
import { getCampaign, type CampaignServiceDeps } from '../campaigns/campaign-service.js';
import { eq } from 'drizzle-orm';
import { campaigns } from '../db/schema.js';
import { ConflictError, StateError } from '../errors.js';
import { findLetterDelivery, insertTargetLetter } from './target-letter-queries.js';

export interface DeliverLetterDeps extends CampaignServiceDeps {
  broadcastJobs: BroadcastJobs;
  /** Queues the bundle for sending; must not throw (the worker's sweep catches up). */
  queueTargetLetter(letterId: string): Promise<void>;
}

export async function deliverLetter(
  deps: DeliverLetterDeps,
  organiserId: string,
  campaignId: string,
  mode: 'individual' | 'bundle',
  /** The web app user asking, recorded with the letter; absent: an API key. */
  actor?: { userId: string },
): Promise<{ mode: 'individual' | 'bundle'; broadcastId: string | null; targetLetterId: string | null }> {
  const campaign = await getCampaign(deps, organiserId, campaignId);
  if (campaign.status === 'draft') {
    throw new StateError('campaign_not_published', 'Publish the campaign and gather signatures before delivering the letter', 'status');
  }
  // A decision-maker should get the letter once; a second request is almost always a mistake. The
  // campaign row lock makes "check, then record" atomic against a simultaneous request.
  const created = await deps.db.transaction(async (tx) => {
    await tx.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, campaign.id)).for('update');
    const existing = await findLetterDelivery(tx, campaign.id);
    if (existing) throw new ConflictError('letter_already_delivered', `The letter is already being or has been delivered (${existing})`);
    if (mode === 'bundle') return { targetLetterId: (await insertTargetLetter(tx, campaign.id, actor?.userId)).id, broadcastId: null };
    const broadcast = await insertBroadcast(tx, {
      campaignId: campaign.id,
      kind: 'letter',
      audience: 'target',
      subject: campaign.letterSubject,
      body: campaign.letterBody,
      status: 'sending',
      startedAt: new Date(),
      startedByUserId: actor?.userId ?? null,
    });
    return { targetLetterId: null, broadcastId: broadcast.id };
  });
  if (created.targetLetterId) await deps.queueTargetLetter(created.targetLetterId);
  if (created.broadcastId) await deps.broadcastJobs.plan(created.broadcastId);
  return { mode, ...created };
}
