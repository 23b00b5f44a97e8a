/**
 * Delivering the campaign letter to the target, once: either each confirmed supporter's merged letter
 * (a broadcast whose audience is the target), or one covering letter with the signatory list attached.
 * Either way the Reply-To is the campaign's reply address, so the official answer comes back here.
 */
import type { BroadcastJobs } from '../broadcasts/broadcast-jobs.js';
import { insertBroadcast } from '../broadcasts/broadcast-queries.js';
import { getCampaign, type CampaignServiceDeps } from '../campaigns/campaign-service.js';
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
): Promise<{ mode: 'individual' | 'bundle'; broadcastId: string | null; targetLetterId: string | null }> {
  const campaign = await getCampaign(deps, organiserId, campaignId);
  if (campaign.status === 'draft') {
    throw new StateError('campaign_not_published', 'Publish the campaign and gather signatures before delivering the letter', 'status');
  }
  // A decision-maker should get the letter once; a second request is almost always a mistake.
  const existing = await findLetterDelivery(deps.db, campaign.id);
  if (existing) throw new ConflictError('letter_already_delivered', `The letter is already being or has been delivered (${existing})`);

  if (mode === 'bundle') {
    const letter = await insertTargetLetter(deps.db, campaign.id);
    await deps.queueTargetLetter(letter.id);
    return { mode, broadcastId: null, targetLetterId: letter.id };
  }
  const broadcast = await insertBroadcast(deps.db, {
    campaignId: campaign.id,
    kind: 'letter',
    audience: 'target',
    subject: campaign.letterSubject,
    body: campaign.letterBody,
    status: 'sending',
    startedAt: new Date(),
  });
  await deps.broadcastJobs.plan(broadcast.id);
  return { mode, broadcastId: broadcast.id, targetLetterId: null };
}
