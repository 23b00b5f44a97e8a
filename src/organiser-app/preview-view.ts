/**
 * The letter preview as HTML: the mail a supporter would receive (sender, subject, letter), or what
 * stops it rendering with the line and column. The same fragment is part of the editor page and is
 * what the preview route returns on its own for the editor's script to swap in.
 */
import { html, trustedHtml, type SafeHtml } from '../web/html.js';
import { FIELD_LABELS } from './campaign-form.js';
import type { LetterPreview, PreviewProblem, TemplatePart } from './letter-preview.js';

export const PREVIEW_ID = 'letter-preview';

/** Where the form has each part of the template, to name it and link to it from a problem. */
export type PreviewFields = Record<TemplatePart, { id: string; label: string }>;

const LETTER_FIELDS: PreviewFields = {
  subject: { id: 'letter.subject', label: FIELD_LABELS['letter.subject'] },
  body: { id: 'letter.body', label: FIELD_LABELS['letter.body'] },
};

/** The template's line with a caret under the column, as a programmer's editor would point at it. */
function pointAt(problem: PreviewProblem): SafeHtml | '' {
  if (problem.source === undefined || !problem.column) return '';
  const caret = `${' '.repeat(Math.max(0, problem.column - 1))}^`;
  return html`<pre class="source-line" aria-hidden="true"><code>${problem.source}\n${caret}</code></pre>`;
}

function problemView(problem: PreviewProblem, fields: PreviewFields): SafeHtml {
  const where = problem.line ? html` on line ${problem.line}, column ${problem.column ?? 1}` : '';
  const field = fields[problem.part];
  return html`<div class="preview-problem">
  <p><strong>The ${field.label.toLowerCase()} cannot be previewed</strong>: ${problem.message}${where}.</p>
  ${pointAt(problem)}
  <p><a href="#${field.id}">Go to the ${field.label.toLowerCase()}</a></p>
</div>`;
}

function whoFor(preview: LetterPreview): SafeHtml {
  const notFound = preview.notFound ? html`<p class="notice">No supporter of this campaign matches “${preview.notFound}”.</p>` : '';
  const who = preview.person.sample ? html`${preview.person.name}, a sample supporter,` : html`${preview.person.name}`;
  return html`${notFound}<p class="preview-for">As ${who} would receive it.</p>`;
}

export function previewFragment(preview: LetterPreview, fields: PreviewFields = LETTER_FIELDS): SafeHtml {
  const content = preview.result.ok
    ? html`${whoFor(preview)}
<div class="mail-preview">
  <dl class="mail-headers">
    <dt>From</dt><dd>${preview.sender.name || '(sender name)'} &lt;${preview.sender.email || 'sender address'}&gt;</dd>
    <dt>To</dt><dd>${preview.person.name}</dd>
    <dt>Subject</dt><dd class="preview-subject">${preview.result.letter.subject}</dd>
  </dl>
  <div class="letter preview-body">${trustedHtml(preview.result.letter.html)}</div>
</div>`
    : problemView(preview.result.problem, fields);
  return html`<div id="${PREVIEW_ID}" class="preview" aria-live="polite">${content}</div>`;
}
