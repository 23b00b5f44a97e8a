/**
 * The one check a template passes before it is saved or previewed, for what it says and for what it
 * does. What it says: syntax, known merge fields and filters (422 naming the field, line and column),
 * so a field is never rendered as a blank in a sent mail. What it does: it is rendered once for the
 * longest supporter the sign form accepts, with a tighter time budget than sending has, so a template
 * that loops for ever or renders megabytes is refused at once with the field it is in, rather than
 * stored and then failing (or blocking the process for a second) on every page view and every mail.
 * `fieldPrefix` places the fields in the request, e.g. "letter." for a campaign's letter.
 */
import { TemplateError } from '../errors.js';
import { LETTER_RENDER_MS, MAX_RENDERED, newRenderBudget, OutputLimitError, renderBounded, textEngine } from './liquid-engine.js';
import { PLACEHOLDER_DATA, type MergeData } from './merge-fields.js';
import { describeProblem, validateTemplate } from './render-template.js';

/** Far above what a letter needs (a few milliseconds); half of the run-time budget, for headroom. */
const TRIAL_RENDER_MS = LETTER_RENDER_MS / 2;

/** Every merge field at the longest the API lets it be (names and titles: 200 characters). */
const LONGEST: MergeData = {
  supporter: { name: 'W'.repeat(200), first_name: 'W'.repeat(200), postcode: 'W'.repeat(16) },
  campaign: { title: 'W'.repeat(200), target: { name: 'W'.repeat(200) } },
  signed_at: '30 September 2026',
  unsubscribe_url: `https://letters.example.org/u/${'W'.repeat(64)}`,
};

export function assertValidTemplates(templates: { subject?: string | undefined; body?: string | undefined }, fieldPrefix = ''): void {
  for (const part of ['subject', 'body'] as const) {
    const source = templates[part];
    if (source === undefined) continue;
    const field = `${fieldPrefix}${part}`;
    const problem = validateTemplate(source);
    if (problem) throw new TemplateError(`${field}: ${describeProblem(problem)}`, field);

    // The longest supporter, and the public page's placeholders: the page renders what every visitor sees.
    const parsed = textEngine.parse(source);
    for (const data of [LONGEST, PLACEHOLDER_DATA]) {
      try {
        renderBounded(textEngine, parsed, data, newRenderBudget(TRIAL_RENDER_MS), MAX_RENDERED[part]);
      } catch (error) {
        const tooLong = error instanceof Error && (error as { originalError?: unknown }).originalError instanceof OutputLimitError;
        if (tooLong) {
          throw new TemplateError(`${field}: it renders to more than ${MAX_RENDERED[part].toLocaleString('en-GB')} characters for a supporter with a long name`, field);
        }
        const reason = error instanceof Error && /limit exceeded/.test(error.message) ? 'it takes too long or too much memory to render (a loop?)' : 'it cannot be rendered';
        throw new TemplateError(`${field}: ${reason}`, field);
      }
    }
  }
}
