import { TemplateError } from '../errors.js';
import { describeProblem, validateTemplate } from './render-template.js';

/**
 * Refuses a subject/body pair with an unknown merge field, filter or a syntax error (422, naming
 * the field, line and column): never rendered as a blank in a sent mail. `fieldPrefix` places the
 * fields in the request, e.g. "letter." for a campaign's letter.
 */
export function assertValidTemplates(templates: { subject?: string | undefined; body?: string | undefined }, fieldPrefix = ''): void {
  for (const part of ['subject', 'body'] as const) {
    const source = templates[part];
    if (source === undefined) continue;
    const problem = validateTemplate(source);
    if (problem) throw new TemplateError(`${fieldPrefix}${part}: ${describeProblem(problem)}`, `${fieldPrefix}${part}`);
  }
}
