/**
 * The campaign editor (new and edit): every field of the campaign, each with its error beside it and
 * all of them summarised at the top; the letter beside its preview. A published campaign's locked
 * fields are shown read-only with the reason. Works without script: "Preview" posts the form and
 * the page comes back with the preview filled in; letter-preview.js only refreshes it as you type.
 */
import { campaignNav } from './campaign-nav.js';
import type { CampaignRow } from '../db/schema.js';
import { appPage } from '../web/app-page.js';
import { errorSummary, postForm, selectField, textArea, textField } from '../web/form-fields.js';
import { html, type SafeHtml } from '../web/html.js';
import { MERGE_FIELDS } from '../templates/merge-fields.js';
import { CAMPAIGN_FIELDS, FIELD_LABELS, FORM_ERROR, isLockedField, type CampaignField, type CampaignFormValues, type FieldErrors } from './campaign-form.js';
import type { LetterPreview } from './letter-preview.js';
import { previewFragment } from './preview-view.js';

export const LETTER_PREVIEW_SCRIPT = '/app/assets/letter-preview.js';

export interface CampaignFormPage {
  user: { email: string; name: string | null };
  csrfToken: string;
  /** Undefined for a new campaign. */
  campaign?: Pick<CampaignRow, 'id' | 'title' | 'status'> | undefined;
  values: CampaignFormValues;
  errors: FieldErrors;
  preview: LetterPreview;
  previewAs?: string | undefined;
}

const LOCK_REASON = 'It cannot change now the campaign is published: supporters signed the letter as it is.';

const HINTS: Partial<Record<CampaignField, string>> = {
  slug: 'The end of the public page’s address, /c/your-slug: lower-case letters, digits and hyphens.',
  summary: 'One or two sentences shown above the letter on the public page (optional).',
  'letter.subject': 'May use merge fields, e.g. {{ supporter.name }}.',
  'letter.body': 'Markdown with merge fields in double braces.',
  'target.address': 'Printed on the letter (optional).',
  'sender.name': 'Mail to supporters is sent under this name.',
  'replyPolicy.allowedSenders': 'One address (minister@gov.example) or domain (gov.example) a line. Replies from anyone else are held for you.',
  consentStatement: 'Shown beside the sign form’s checkbox. Leave empty for the standard statement.',
};

function fieldOf(page: CampaignFormPage, field: CampaignField, options: { type?: 'email'; rows?: number; autocomplete?: string } = {}): SafeHtml {
  const locked = page.campaign !== undefined && isLockedField(field, page.campaign.status);
  const hint = locked ? LOCK_REASON : HINTS[field];
  const common = {
    name: field,
    label: FIELD_LABELS[field],
    value: page.values[field],
    error: page.errors[field],
    readOnly: locked,
    ...(hint ? { hint } : {}),
  };
  if (field === 'replyPolicy.mode') {
    return selectField({
      ...common,
      options: [
        { value: 'approve', label: 'Hold it for us to approve' },
        { value: 'auto', label: 'Forward it to supporters at once, when it comes from an allowed sender' },
      ],
    });
  }
  if (options.rows) return textArea({ ...common, rows: options.rows, spellcheck: field !== 'replyPolicy.allowedSenders' });
  return textField({
    ...common,
    ...(options.type ? { type: options.type, spellcheck: false } : {}),
    ...(options.autocomplete ? { autocomplete: options.autocomplete } : {}),
  });
}

function mergeFieldList(): SafeHtml {
  return html`<details class="merge-fields"><summary>Merge fields you can use</summary><dl>${Object.entries(MERGE_FIELDS).map(
    ([field, meaning]) => html`<dt><code>{{ ${field} }}</code></dt><dd>${meaning}</dd>`,
  )}</dl></details>`;
}

function previewControls(page: CampaignFormPage, previewAction: string): SafeHtml {
  const picker = page.campaign
    ? textField({
        name: 'previewAs',
        label: 'Preview for a supporter',
        hint: 'The start of a supporter’s name or email address; empty for a sample supporter.',
        value: page.previewAs,
        spellcheck: false,
      })
    : '';
  return html`<div class="preview-controls">
  ${picker}
  <button type="submit" class="secondary" formaction="${previewAction}" formnovalidate>Preview</button>
</div>`;
}

export function campaignFormPage(page: CampaignFormPage): string {
  const isNew = page.campaign === undefined;
  const base = isNew ? '/app/campaigns/new' : `/app/campaigns/${page.campaign!.id}/edit`;
  const previewAction = isNew ? '/app/campaigns/new/preview' : `/app/campaigns/${page.campaign!.id}/preview`;
  const heading = isNew ? 'New campaign' : `Edit: ${page.campaign!.title}`;
  const hasErrors = Object.keys(page.errors).length > 0;
  const body = html`<p class="breadcrumbs"><a href="/app/campaigns">Campaigns</a>${
    page.campaign ? html` › <a href="/app/campaigns/${page.campaign.id}">${page.campaign.title}</a>` : ''
  }</p>
<h1>${heading}</h1>
${page.campaign ? campaignNav(page.campaign.id, 'edit') : ''}
${errorSummary(page.errors, [FORM_ERROR, ...CAMPAIGN_FIELDS])}
${postForm({
  action: base,
  csrfToken: page.csrfToken,
  id: FORM_ERROR,
  ownValidation: true,
  body: html`<fieldset>
  <legend>The campaign</legend>
  ${fieldOf(page, 'title')}
  ${fieldOf(page, 'slug', { autocomplete: 'off' })}
  ${fieldOf(page, 'summary', { rows: 3 })}
</fieldset>
<fieldset class="letter-editor">
  <legend>The letter</legend>
  <div class="letter-fields">
    ${fieldOf(page, 'letter.subject')}
    ${fieldOf(page, 'letter.body', { rows: 18 })}
    ${mergeFieldList()}
    ${previewControls(page, previewAction)}
  </div>
  <section class="letter-preview" aria-labelledby="preview-heading" tabindex="0" data-preview-url="${previewAction}?fragment=1">
    <h2 id="preview-heading">Preview</h2>
    ${previewFragment(page.preview)}
  </section>
</fieldset>
<fieldset>
  <legend>The target</legend>
  ${fieldOf(page, 'target.name')}
  ${fieldOf(page, 'target.email', { type: 'email' })}
  ${fieldOf(page, 'target.address', { rows: 4 })}
</fieldset>
<fieldset>
  <legend>The sender</legend>
  ${fieldOf(page, 'sender.name', { autocomplete: 'organization' })}
  ${fieldOf(page, 'sender.email', { type: 'email' })}
</fieldset>
<fieldset>
  <legend>The official reply</legend>
  ${fieldOf(page, 'replyPolicy.mode')}
  ${fieldOf(page, 'replyPolicy.allowedSenders', { rows: 3 })}
</fieldset>
<fieldset>
  <legend>Consent</legend>
  ${fieldOf(page, 'consentStatement', { rows: 3 })}
</fieldset>
<div class="form-actions">
  <button type="submit">${isNew ? 'Create campaign' : 'Save changes'}</button>
  <a href="${page.campaign ? `/app/campaigns/${page.campaign.id}` : '/app/campaigns'}">Cancel</a>
</div>`,
})}`;
  return appPage({
    title: `${hasErrors ? 'Error: ' : ''}${heading}`,
    user: page.user,
    csrfToken: page.csrfToken,
    nav: 'campaigns',
    scripts: [LETTER_PREVIEW_SCRIPT],
    body,
  });
}
