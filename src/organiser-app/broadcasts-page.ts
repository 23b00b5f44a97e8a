/**
 * A campaign's broadcasts: the list (kind, subject, status, counts, dates) and the form that
 * composes an update beside its live preview. Saving makes a draft; sending it (now or at the
 * chosen time) is asked on the draft's page, with a test to yourself first if you like. Works
 * without script: "Preview" posts the form and the page comes back with the preview filled in.
 */
import { campaignNav } from './campaign-nav.js';
import type { BroadcastProgress } from '../broadcasts/broadcast-service.js';
import type { CampaignRow } from '../db/schema.js';
import { MERGE_FIELDS } from '../templates/merge-fields.js';
import { appPage } from '../web/app-page.js';
import { errorSummary, postForm, textArea, textField, type FieldErrors } from '../web/form-fields.js';
import { html, type SafeHtml } from '../web/html.js';
import type { AppUser } from './app-user.js';
import { COMPOSE_FIELDS, COMPOSE_FORM, COMPOSE_LABELS, type ComposeValues } from './broadcast-compose.js';
import { BROADCAST_KIND_LABELS, BROADCAST_STATUS_LABELS, broadcastWhen } from './broadcast-text.js';
import { LETTER_PREVIEW_SCRIPT } from './campaign-form-page.js';
import type { LetterPreview } from './letter-preview.js';
import { previewFragment, type PreviewFields } from './preview-view.js';

export interface BroadcastsPage {
  user: AppUser;
  csrfToken: string;
  campaign: Pick<CampaignRow, 'id' | 'title' | 'status'>;
  broadcasts: BroadcastProgress[];
  values: ComposeValues;
  errors: FieldErrors;
  preview: LetterPreview;
}

export const PREVIEW_FIELDS: PreviewFields = {
  subject: { id: 'subject', label: COMPOSE_LABELS.subject },
  body: { id: 'body', label: COMPOSE_LABELS.body },
};

const n = (value: number) => value.toLocaleString('en-GB');

function broadcastList(page: BroadcastsPage): SafeHtml {
  if (page.broadcasts.length === 0) return html`<p class="empty">No broadcast has been sent for this campaign yet.</p>`;
  return html`<div class="table-scroll" role="region" aria-labelledby="broadcasts-caption" tabindex="0"><table class="broadcasts">
<caption id="broadcasts-caption">Broadcasts, newest first</caption>
<thead><tr><th scope="col">Subject</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col" class="number">Sent</th><th scope="col" class="number">Not sent <span class="hint">(failed, bounced, skipped)</span></th><th scope="col" class="number">To send</th><th scope="col">When</th></tr></thead>
<tbody>${page.broadcasts.map(
    (b) => html`<tr><th scope="row"><a href="/app/broadcasts/${b.id}">${b.subject}</a></th><td>${BROADCAST_KIND_LABELS[b.audience === 'target' ? 'target' : b.kind]}</td><td>${BROADCAST_STATUS_LABELS[b.status]}</td><td class="number">${n(b.counts.sent)}</td><td class="number">${n(b.counts.failed + b.counts.bounced + b.counts.skipped)}</td><td class="number">${n(b.counts.pending)}</td><td>${broadcastWhen(b)}</td></tr>`,
  )}</tbody>
</table></div>`;
}

function composeForm(page: BroadcastsPage): SafeHtml {
  const base = `/app/campaigns/${page.campaign.id}/broadcasts`;
  return postForm({
    action: base,
    csrfToken: page.csrfToken,
    id: COMPOSE_FORM,
    ownValidation: true,
    body: html`<fieldset class="letter-editor">
  <legend>Write an update</legend>
  <div class="letter-fields">
    ${textField({ name: 'subject', label: COMPOSE_LABELS.subject, hint: 'May use merge fields, e.g. {{ campaign.title }}.', value: page.values.subject, error: page.errors.subject })}
    ${textArea({ name: 'body', label: COMPOSE_LABELS.body, hint: 'Markdown with merge fields in double braces.', value: page.values.body, error: page.errors.body, rows: 14 })}
    <details class="merge-fields"><summary>Merge fields you can use</summary><dl>${Object.entries(MERGE_FIELDS).map(
      ([name, meaning]) => html`<dt><code>{{ ${name} }}</code></dt><dd>${meaning}</dd>`,
    )}</dl></details>
    ${textField({
      name: 'sendAt',
      type: 'datetime-local',
      label: COMPOSE_LABELS.sendAt,
      hint: 'London time. Leave empty to send as soon as you confirm.',
      value: page.values.sendAt,
      error: page.errors.sendAt,
    })}
    <div class="preview-controls"><button type="submit" class="secondary" formaction="${base}/preview" formnovalidate>Preview</button></div>
  </div>
  <section class="letter-preview" aria-labelledby="preview-heading" tabindex="0" data-preview-url="${base}/preview?fragment=1">
    <h2 id="preview-heading">Preview</h2>
    ${previewFragment(page.preview, PREVIEW_FIELDS)}
  </section>
</fieldset>
<div class="form-actions">
  <button type="submit">Save and continue</button>
  <span class="hint">Next: send a test to yourself, then start or schedule it. Nothing is sent yet.</span>
</div>`,
  });
}

export function broadcastsPage(page: BroadcastsPage): string {
  const { campaign, user } = page;
  const hasErrors = Object.keys(page.errors).length > 0;
  const compose =
    user.role !== 'owner'
      ? html`<p class="hint">Only an owner of your organisation can write and send broadcasts.</p>`
      : campaign.status === 'draft'
        ? html`<p class="notice">Publish the campaign before writing to its supporters.</p>`
        : composeForm(page);
  const body = html`<p class="breadcrumbs"><a href="/app/campaigns">Campaigns</a> › <a href="/app/campaigns/${campaign.id}">${campaign.title}</a></p>
<h1>Broadcasts</h1>
${campaignNav(campaign.id, 'broadcasts')}
${errorSummary(page.errors, [COMPOSE_FORM, ...COMPOSE_FIELDS])}
${broadcastList(page)}
<h2>A new update to supporters</h2>
${compose}`;
  return appPage({
    title: `${hasErrors ? 'Error: ' : ''}Broadcasts: ${campaign.title}`,
    user,
    csrfToken: page.csrfToken,
    nav: 'campaigns',
    scripts: [LETTER_PREVIEW_SCRIPT],
    body,
  });
}
