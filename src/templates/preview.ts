/** Renders a template exactly as a supporter would receive it, or with sample data. */
import type { CampaignServiceDeps } from '../campaigns/campaign-service.js';
import { getCampaign } from '../campaigns/campaign-service.js';
import { NotFoundError, TemplateError } from '../errors.js';
import { assertValidTemplates } from './assert-valid-templates.js';
import { loadSupporterContext } from '../supporters/supporter-queries.js';
import { mergeDataFor } from './merge-fields.js';
import { LetterRenderError, renderLetter, type RenderedLetter } from './render-template.js';

export interface PreviewPerson {
  name: string;
  postcode: string;
  signedAt: Date;
}

/** Who a preview is merged for when no real supporter is picked. */
export const SAMPLE_SUPPORTER: PreviewPerson = { name: 'Jane Ó Briain', postcode: 'SW1A 2AH', signedAt: new Date('2013-09-04T10:00:00Z') };

export async function previewLetter(
  campaigns: CampaignServiceDeps,
  organiserId: string,
  campaignId: string,
  input: { supporterId?: string | undefined; subject?: string | undefined; body?: string | undefined },
): Promise<RenderedLetter> {
  const campaign = await getCampaign(campaigns, organiserId, campaignId);
  const template = { subject: input.subject ?? campaign.letterSubject, body: input.body ?? campaign.letterBody };
  assertValidTemplates(template);
  let person: PreviewPerson = SAMPLE_SUPPORTER;
  if (input.supporterId) {
    const context = await loadSupporterContext(campaigns.db, input.supporterId);
    // Only a supporter of this campaign (and so of this organiser).
    if (!context || context.campaign.id !== campaign.id) throw new NotFoundError('Supporter not found', 'supporterId');
    const { supporter } = context;
    person = { name: supporter.name, postcode: supporter.postcode ?? '', signedAt: supporter.createdAt };
  }
  return renderPreview(template, { title: campaign.title, targetName: campaign.targetName }, person);
}

/**
 * Merges an already validated template for one person: the campaign's title and target come from
 * the caller, so an editor can preview a letter (or a campaign) that is not saved yet.
 */
export function renderPreview(
  template: { subject: string; body: string },
  campaign: { title: string; targetName: string },
  person: PreviewPerson,
): RenderedLetter {
  const data = mergeDataFor({
    supporterName: person.name,
    postcode: person.postcode,
    campaignTitle: campaign.title,
    targetName: campaign.targetName,
    signedAt: person.signedAt,
    unsubscribeUrl: 'https://example.org/u/preview',
  });
  try {
    return renderLetter(template, data);
  } catch (error) {
    // Passed the trial, fails for this supporter: a branch only their data enters.
    if (error instanceof LetterRenderError) throw new TemplateError(`${error.part}: ${error.reason}, for this supporter`, error.part);
    throw error;
  }
}
