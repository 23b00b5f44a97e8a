/**
 * The letter editor's preview: the letter as it is in the form (saved or not) merged for the sample
 * supporter or for a real supporter of the campaign picked by name, checked by the same rules that
 * saving applies (validateTemplate, then assertValidTemplates), rendered by the same code as sending
 * (renderPreview). A template that does not pass comes back as a problem naming its line and column.
 */
import { SAMPLE_SUPPORTER, renderPreview, type PreviewPerson } from '../templates/preview.js';
import type { Executor } from '../db/client.js';
import { TemplateError } from '../errors.js';
import { listSupporterPage } from '../supporters/supporter-queries.js';
import { assertValidTemplates } from '../templates/assert-valid-templates.js';
import type { RenderedLetter } from '../templates/render-template.js';
import { validateTemplate } from '../templates/render-template.js';
import type { CampaignFormValues } from './campaign-form.js';

/** Which of a template's two parts a problem is in. */
export type TemplatePart = 'subject' | 'body';

export interface PreviewProblem {
  part: TemplatePart;
  message: string;
  line?: number | undefined;
  column?: number | undefined;
  /** The template's line the problem is on, to show it with a marker under the column. */
  source?: string | undefined;
}

export interface LetterPreview {
  /** Who it is merged for, and whether that is a real supporter. */
  person: { name: string; sample: boolean };
  /** Set when a name was asked for and no supporter of the campaign matches it. */
  notFound?: string | undefined;
  sender: { name: string; email: string };
  result: { ok: true; letter: RenderedLetter } | { ok: false; problem: PreviewProblem };
}

/** A name or address typed to pick a supporter: at most one line of a sensible length. */
export function cleanPreviewName(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  // eslint-disable-next-line no-control-regex -- a search term is one line of text
  return trimmed && trimmed.length <= 254 && !/[\u0000-\u001f\u007f]/.test(trimmed) ? trimmed : undefined;
}

/** The newest supporter of the campaign whose name or address starts with `name`. */
async function findSupporterByName(db: Executor, campaignId: string, name: string): Promise<PreviewPerson | undefined> {
  const [row] = await listSupporterPage(db, campaignId, { limit: 1, filter: { search: name } });
  if (!row) return undefined;
  return { name: row.supporter.name, postcode: row.supporter.postcode ?? '', signedAt: row.supporter.createdAt };
}

function problemOf(part: TemplatePart, source: string): PreviewProblem | undefined {
  const problem = validateTemplate(source);
  if (!problem) return undefined;
  return { part, ...problem, source: problem.line ? source.split('\n')[problem.line - 1] : undefined };
}

export function previewLetterForm(
  db: Executor,
  values: CampaignFormValues,
  options: { campaignId?: string | undefined; supporterName?: string | undefined },
): Promise<LetterPreview> {
  return previewTemplate(
    db,
    { subject: values['letter.subject'], body: values['letter.body'] },
    { title: values.title, targetName: values['target.name'], senderName: values['sender.name'], senderEmail: values['sender.email'] },
    options,
  );
}

/**
 * Any template of a campaign (its letter, a broadcast's subject and body) as the person picked, or
 * the sample supporter, would receive it; `campaign` is as the form says, saved or not.
 */
export async function previewTemplate(
  db: Executor,
  template: { subject: string; body: string },
  campaign: { title: string; targetName: string; senderName: string; senderEmail: string },
  options: { campaignId?: string | undefined; supporterName?: string | undefined },
): Promise<LetterPreview> {
  let person: PreviewPerson = SAMPLE_SUPPORTER;
  let notFound: string | undefined;
  if (options.campaignId && options.supporterName) {
    const found = await findSupporterByName(db, options.campaignId, options.supporterName);
    if (found) person = found;
    else notFound = options.supporterName;
  }
  const preview = {
    person: { name: person.name, sample: person === SAMPLE_SUPPORTER },
    notFound,
    sender: { name: campaign.senderName, email: campaign.senderEmail },
  };
  const problem = problemOf('subject', template.subject) ?? problemOf('body', template.body);
  if (problem) return { ...preview, result: { ok: false, problem } };
  try {
    assertValidTemplates(template);
    const letter = renderPreview(template, campaign, person);
    return { ...preview, result: { ok: true, letter } };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    const part: TemplatePart = error.field === 'subject' ? 'subject' : 'body';
    return { ...preview, result: { ok: false, problem: { part, message: error.message.replace(/^(subject|body): /, '') } } };
  }
}
