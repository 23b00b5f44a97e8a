/**
 * The letter to the target, before and after it goes: the choice of mode, exactly what the target
 * will receive (the mail in a sandboxed frame, its headers, the signatories and the PDF), the way to
 * send it (owners, behind a question page), and once sent, the record of what went: when, by whom,
 * the SMTP server's answer, the reply address and the PDF as it was attached.
 */
import type { BroadcastRow } from '../broadcasts/broadcast-queries.js';
import type { CampaignRow } from '../db/schema.js';
import type { Signatory } from '../letters/letter-sheet.js';
import type { SentLetterSummary } from '../letters/sent-letter-queries.js';
import { BUNDLE_CSV_NAME, BUNDLE_PDF_NAME } from '../letters/compose-target-letter.js';
import { LETTER_BROADCAST_STATUSES, LETTER_BUNDLE_STATUSES } from '../letters/target-letter-queries.js';
import { appPage } from '../web/app-page.js';
import { html, type SafeHtml } from '../web/html.js';
import { byWhom, type ActorNames } from './acting-users.js';
import type { AppUser } from './app-user.js';
import { campaignNav } from './campaign-nav.js';
import { documentFrame } from './framed-document.js';
import { formatDateTime } from './screen-text.js';

export type LetterMode = 'bundle' | 'individual';

/** Signatories listed on the page; the PDF has every one. */
const LISTED = 100;

export interface LetterPreviewModel {
  from: string;
  subject: string;
  signatories: Signatory[];
  /** The supporter whose copy is shown (individual mode). */
  copyOf?: string | undefined;
}

export interface LetterScreen {
  user: AppUser;
  csrfToken: string;
  campaign: CampaignRow;
  mode: LetterMode;
  replyAddress: string;
  /** Every confirmed signature: whom the letter is signed by. */
  signatoryCount: number;
  preview: LetterPreviewModel;
  bundles: SentLetterSummary[];
  individual: BroadcastRow[];
  names: ActorNames;
  done?: 'sent' | undefined;
}

const MODE_LABELS: Record<LetterMode, { label: string; hint: string }> = {
  bundle: { label: 'One letter with the list of signatories', hint: 'One mail: the letter on your letterhead, signed by “the undersigned”, with every signatory listed and attached as PDF and CSV.' },
  individual: { label: 'Each supporter’s own copy', hint: 'One mail per confirmed supporter, each their merged letter, from “Name via your organisation”.' },
};

const STATUS_WORDS: Record<SentLetterSummary['status'], string> = {
  pending: 'Waiting to be sent',
  sending: 'Being sent',
  sent: 'Sent: accepted by our mail server',
  failed: 'Failed: not sent',
  skipped: 'Not sent',
};

export function signedBy(count: number): string {
  return `signed by ${count.toLocaleString('en-GB')} ${count === 1 ? 'supporter' : 'supporters'}`;
}

/** What went to the target as a bundle: the facts the organiser (and the API) can check. */
export function sentLetterFacts(letter: SentLetterSummary, names: ActorNames): SafeHtml {
  return html`<dl class="facts">
  <dt>Status</dt><dd>${STATUS_WORDS[letter.status]}</dd>
  <dt>Asked for</dt><dd>${formatDateTime(letter.createdAt)}, ${byWhom(names, letter.sentByUserId)}</dd>
  <dt>Sent</dt><dd>${letter.sentAt ? formatDateTime(letter.sentAt) : 'Not yet'}</dd>
  <dt>To</dt><dd>${letter.toName && letter.toAddress ? `${letter.toName} <${letter.toAddress}>` : 'Not made yet'}</dd>
  <dt>Reply address</dt><dd>${letter.replyTo ? html`<code>${letter.replyTo}</code>` : 'Not made yet'}</dd>
  <dt>Subject</dt><dd>${letter.subject ?? 'Not made yet'}</dd>
  <dt>Signatories</dt><dd>${letter.signatories === null ? 'Not counted yet' : letter.signatories.toLocaleString('en-GB')}</dd>
  <dt>Mail server’s answer</dt><dd>${letter.lastResponse ? html`<code>${letter.lastResponse}</code>` : 'None yet'} <span class="hint">after ${letter.attempts} ${letter.attempts === 1 ? 'attempt' : 'attempts'}</span></dd>
  <dt>PDF</dt><dd>${
    letter.pdfBytes === null
      ? 'Made when the letter is sent'
      : html`<a href="/app/target-letters/${letter.id}/pdf">${BUNDLE_PDF_NAME}</a> <span class="hint">${Math.ceil(Number(letter.pdfBytes) / 1024).toLocaleString('en-GB')} KB, as attached to the mail</span>`
  }</dd>
</dl>`;
}

function sentSection(screen: LetterScreen): SafeHtml | '' {
  if (screen.bundles.length === 0 && screen.individual.length === 0) return '';
  return html`<h2>What was sent</h2>
${screen.bundles.map((letter) => html`<h3>One letter with the signatories</h3>${sentLetterFacts(letter, screen.names)}`)}
${screen.individual.map(
    (broadcast) => html`<h3>Each supporter’s own copy</h3>
<dl class="facts">
  <dt>Status</dt><dd>${broadcast.status === 'completed' ? 'Every copy handled' : broadcast.status}</dd>
  <dt>Started</dt><dd>${broadcast.startedAt ? formatDateTime(broadcast.startedAt) : 'Not yet'}, ${byWhom(screen.names, broadcast.startedByUserId)}</dd>
  <dt>Reply address</dt><dd><code>${screen.replyAddress}</code></dd>
  <dt>Progress</dt><dd><a href="/app/broadcasts/${broadcast.id}">See each copy’s progress and the mail server’s answers</a></dd>
</dl>`,
  )}`;
}

function modeChoice(screen: LetterScreen): SafeHtml {
  return html`<form method="get" action="/app/campaigns/${screen.campaign.id}/letter" class="mode-form">
<fieldset><legend>How should the letter go?</legend>
${(['bundle', 'individual'] as const).map(
    (mode) => html`<div class="choice"><input type="radio" id="mode-${mode}" name="mode" value="${mode}"${mode === screen.mode ? html` checked` : ''} aria-describedby="mode-${mode}-hint">
<label for="mode-${mode}">${MODE_LABELS[mode].label} <span class="hint" id="mode-${mode}-hint">${MODE_LABELS[mode].hint}</span></label></div>`,
  )}
</fieldset>
<button type="submit" class="secondary">Show what the target receives</button>
</form>`;
}

function previewSection(screen: LetterScreen): SafeHtml {
  const { campaign, preview, mode } = screen;
  const base = `/app/campaigns/${campaign.id}/letter`;
  const listed = preview.signatories.slice(0, LISTED);
  return html`<h2>What ${campaign.targetName} will receive</h2>
<div class="mail-preview">
<dl class="mail-headers">
  <dt>From</dt><dd>${preview.from}</dd>
  <dt>To</dt><dd>${campaign.targetName} &lt;${campaign.targetEmail}&gt;</dd>
  <dt>Reply-To</dt><dd><code>${screen.replyAddress}</code></dd>
  <dt>Subject</dt><dd>${preview.subject}</dd>
  ${mode === 'bundle' ? html`<dt>Attached</dt><dd><a href="${base}/preview.pdf">${BUNDLE_PDF_NAME}</a>, ${BUNDLE_CSV_NAME}</dd>` : ''}
</dl>
${documentFrame(`${base}/preview.html?mode=${mode}`, `The mail to ${campaign.targetName}`)}
</div>
${mode === 'bundle'
    ? html`<p><a href="${base}/preview.pdf">Open the PDF the target receives (${BUNDLE_PDF_NAME})</a>: the letter on your letterhead, then every signatory, with page numbers.</p>`
    : html`<p class="hint">Shown: ${preview.copyOf ?? 'a sample supporter'}’s copy. Every confirmed supporter’s copy goes, each merged for them.</p>`}
<h3>Signatories (${screen.signatoryCount.toLocaleString('en-GB')})</h3>
${listed.length === 0
    ? html`<p class="empty">No supporter has confirmed yet.</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="signatories-caption" tabindex="0"><table>
<caption id="signatories-caption">In the order they signed${preview.signatories.length > LISTED ? `: the first ${LISTED}` : ''}</caption>
<thead><tr><th scope="col" class="number">No.</th><th scope="col">Name</th><th scope="col">Postcode</th><th scope="col">Signed</th></tr></thead>
<tbody>${listed.map((s, i) => html`<tr><td class="number">${i + 1}</td><th scope="row">${s.name}</th><td>${s.postcode ?? ''}</td><td>${formatDateTime(s.signedAt)}</td></tr>`)}</tbody>
</table></div>`}`;
}

/** Gone, or going, by either mode: the letter goes once (a failed bundle may be followed by another). */
function delivered(screen: LetterScreen): boolean {
  return (
    screen.bundles.some((letter) => (LETTER_BUNDLE_STATUSES as readonly string[]).includes(letter.status)) ||
    screen.individual.some((broadcast) => (LETTER_BROADCAST_STATUSES as readonly string[]).includes(broadcast.status))
  );
}

function sendAction(screen: LetterScreen): SafeHtml {
  const { campaign, user } = screen;
  if (campaign.status === 'draft') return html`<p class="notice">Publish the campaign and gather signatures before sending the letter.</p>`;
  if (user.role !== 'owner') return html`<p class="hint">Only an owner of your organisation can send the letter.</p>`;
  return html`<p><a class="button" href="/app/campaigns/${campaign.id}/letter/send?mode=${screen.mode}">Send the letter…</a></p>`;
}

export function letterPage(screen: LetterScreen): string {
  const { campaign } = screen;
  const body = html`<p class="breadcrumbs"><a href="/app/campaigns">Campaigns</a> › <a href="/app/campaigns/${campaign.id}">${campaign.title}</a></p>
<h1>The letter to the target</h1>
${campaignNav(campaign.id, 'letter')}
${screen.done ? html`<div class="notice" role="status"><p>The letter is on its way to ${campaign.targetName}. Its record is below.</p></div>` : ''}
${sentSection(screen)}
${delivered(screen) ? '' : html`${sendAction(screen)}
${modeChoice(screen)}
${previewSection(screen)}`}`;
  return appPage({ title: `The letter to the target: ${campaign.title}`, user: screen.user, csrfToken: screen.csrfToken, nav: 'campaigns', body });
}

/** One bundle's record on a page of its own (the app's counterpart of GET /api/v1/target-letters/:id). */
export function targetLetterPage(options: { user: AppUser; csrfToken: string; campaign: CampaignRow; letter: SentLetterSummary; names: ActorNames }): string {
  const { campaign } = options;
  const body = html`<p class="breadcrumbs"><a href="/app/campaigns">Campaigns</a> › <a href="/app/campaigns/${campaign.id}">${campaign.title}</a> › <a href="/app/campaigns/${campaign.id}/letter">Letter to the target</a></p>
<h1>The letter sent to ${campaign.targetName}</h1>
${sentLetterFacts(options.letter, options.names)}`;
  return appPage({ title: `The letter sent: ${campaign.title}`, user: options.user, csrfToken: options.csrfToken, nav: 'campaigns', body });
}
