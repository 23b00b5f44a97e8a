/**
 * One broadcast: its status, its progress (a progress bar with sent, failed, bounced, skipped and
 * to send, the rate and the time to go), what an owner can do in its state, and who did not get it
 * and why. Everything is rendered on the server from the API's own progress, so a reload shows the
 * same figures; broadcast-progress.js only keeps them moving, from the server-sent events. A draft
 * also shows the message as a supporter will get it, the test to yourself and the way to start it.
 */
import type { BroadcastProgress } from '../broadcasts/broadcast-service.js';
import type { UndeliveredRow } from '../broadcasts/undelivered-queries.js';
import type { CampaignRow } from '../db/schema.js';
import { appPage } from '../web/app-page.js';
import { buttonForm, errorSummary, textField, type FieldErrors } from '../web/form-fields.js';
import { html, type SafeHtml } from '../web/html.js';
import type { AppUser } from './app-user.js';
import { BROADCAST_KIND_LABELS, BROADCAST_STATUS_LABELS, broadcastWhen, describeEta, settledPercent } from './broadcast-text.js';
import type { LetterPreview } from './letter-preview.js';
import { previewFragment } from './preview-view.js';
import { formatDateTime } from './screen-text.js';

export const BROADCAST_PROGRESS_SCRIPT = '/app/assets/broadcast-progress.js';

export type BroadcastDone = 'created' | 'test' | 'start' | 'pause' | 'resume' | 'cancel' | 'retry-failed';

export interface UndeliveredList {
  q: string;
  errors: FieldErrors<'q' | 'after'>;
  rows: UndeliveredRow[];
  /** The last delivery id shown, when there is a next page. */
  nextAfter: number | null;
  later: boolean;
}

export interface BroadcastPage {
  user: AppUser;
  csrfToken: string;
  campaign: Pick<CampaignRow, 'id' | 'title'>;
  progress: BroadcastProgress;
  /** A draft's message as the sample supporter gets it. */
  preview?: LetterPreview | undefined;
  undelivered: UndeliveredList;
  done?: BroadcastDone | undefined;
}

const n = (value: number) => value.toLocaleString('en-GB');

function doneNotice(page: BroadcastPage): SafeHtml | '' {
  const { progress: p, user } = page;
  const said: Record<BroadcastDone, string> = {
    created: 'The update is saved as a draft and nothing has been sent. Send yourself a test, then start it.',
    test: `A test is on its way to ${user.email}.`,
    start: p.status === 'scheduled' ? 'The broadcast is scheduled.' : 'Sending has started.',
    pause: 'The broadcast is paused. Nothing more goes out until you resume it.',
    resume: 'The broadcast carries on where it stopped.',
    cancel: 'The broadcast is cancelled. Whoever had not been sent it yet will not get it.',
    'retry-failed': 'The failed messages are being tried again.',
  };
  return page.done ? html`<div class="notice" role="status"><p>${said[page.done]}</p></div>` : '';
}

function stateSection(page: BroadcastPage): SafeHtml {
  const { progress: p } = page;
  return html`<div id="broadcast-state">
<p class="status"><strong>${BROADCAST_STATUS_LABELS[p.status]}</strong> · ${broadcastWhen(p)}</p>
${p.status === 'paused' && p.pausedReason ? html`<p>Why it is paused: ${p.pausedReason}.</p>` : ''}
${p.status === 'scheduled' && p.scheduledAt ? html`<p>It starts by itself on ${formatDateTime(new Date(p.scheduledAt))}, to the supporters who can be mailed then.</p>` : ''}
</div>`;
}

function progressSection(page: BroadcastPage): SafeHtml {
  const { progress: p } = page;
  const settled = p.counts.total - p.counts.pending;
  const count = (field: keyof BroadcastProgress['counts'], label: string) =>
    html`<li><span class="count-number" data-field="${field}">${n(p.counts[field])}</span> ${label}</li>`;
  return html`<section id="broadcast-progress" aria-labelledby="progress-heading" data-events-url="/app/broadcasts/${p.id}/events" data-status="${p.status}">
<h2 id="progress-heading">Progress</h2>
<p class="progress-label" id="progress-label"><span data-field="percent">${settledPercent(p.counts, p.status)}</span>% done: <span data-field="settled">${n(settled)}</span> of <span data-field="total">${n(p.counts.total)}</span> messages sent or settled</p>
<progress class="progress-bar" id="progress-bar" aria-labelledby="progress-label" max="${Math.max(p.counts.total, 1)}" value="${p.counts.total === 0 && p.status === 'completed' ? 1 : settled}"></progress>
<ul class="counts counts-small">
  ${count('sent', 'sent')}${count('failed', 'failed')}${count('bounced', 'bounced')}${count('skipped', 'skipped')}${count('pending', 'to send')}
</ul>
<dl class="facts">
  <dt>Rate</dt><dd><span data-field="rate">${p.ratePerSecond.toLocaleString('en-GB')}</span> messages a second <span class="hint">(over the last 10 seconds)</span></dd>
  <dt>Time to go</dt><dd data-field="eta">${p.counts.pending === 0 ? 'none: nothing left to send' : p.status === 'sending' ? describeEta(p.eta) : 'not sending now'}</dd>
</dl>
<p class="visually-hidden" role="status" data-field="announce"></p>
</section>`;
}

function ownerActions(page: BroadcastPage): SafeHtml {
  const { progress: p, csrfToken } = page;
  const base = `/app/broadcasts/${p.id}`;
  const retry = p.counts.failed > 0 && ['sending', 'paused', 'completed'].includes(p.status)
    ? buttonForm(`${base}/retry-failed`, csrfToken, `Try the ${n(p.counts.failed)} failed again`, 'secondary')
    : html``;
  const cancel = ['draft', 'scheduled', 'sending', 'paused'].includes(p.status)
    ? html`<a class="button danger" href="${base}/cancel">${p.status === 'draft' ? 'Discard the draft…' : 'Cancel the broadcast…'}</a>`
    : html``;
  switch (p.status) {
    case 'draft':
      return html`${buttonForm(`${base}/test`, csrfToken, 'Send a test to me', 'secondary')}
<a class="button" href="${base}/start">${p.scheduledAt ? 'Schedule…' : 'Start sending…'}</a>${cancel}`;
    case 'scheduled':
    case 'sending':
      return html`${buttonForm(`${base}/pause`, csrfToken, 'Pause', 'secondary')}${retry}${cancel}`;
    case 'paused':
      return html`${buttonForm(`${base}/resume`, csrfToken, 'Resume')}${retry}${cancel}`;
    case 'completed':
      return retry;
    case 'cancelled':
      return html``;
  }
}

function actionsSection(page: BroadcastPage): SafeHtml {
  const owner = page.user.role === 'owner';
  const actions = owner ? ownerActions(page) : html``;
  return html`<div id="broadcast-actions" class="actions">${actions}</div>
${owner ? '' : html`<p class="hint">Only an owner of your organisation can start, pause, resume or cancel a broadcast.</p>`}`;
}

function draftSection(page: BroadcastPage): SafeHtml | '' {
  if (!page.preview) return '';
  return html`<section class="draft-message" aria-labelledby="draft-heading">
<h2 id="draft-heading">The message</h2>
${page.user.role === 'owner' ? html`<p>“Send a test to me” mails it to ${page.user.email}, merged for a sample supporter, with “Test:” before the subject.</p>` : ''}
${previewFragment(page.preview, { subject: { id: 'draft-heading', label: 'Subject' }, body: { id: 'draft-heading', label: 'Message' } })}
</section>`;
}

const OUTCOMES: Record<UndeliveredRow['status'], string> = { failed: 'Failed', bounced: 'Bounced', skipped: 'Skipped' };

function undeliveredLink(page: BroadcastPage, after?: number): string {
  const query = new URLSearchParams();
  if (page.undelivered.q) query.set('q', page.undelivered.q);
  if (after !== undefined) query.set('after', String(after));
  const text = query.toString();
  return `/app/broadcasts/${page.progress.id}${text ? `?${text}` : ''}#undelivered`;
}

function undeliveredSection(page: BroadcastPage): SafeHtml {
  const { progress: p, undelivered: list } = page;
  const none = p.counts.failed + p.counts.bounced + p.counts.skipped === 0;
  const searched = list.q !== '';
  const table = html`<div class="table-scroll" role="region" aria-labelledby="undelivered-caption" tabindex="0"><table class="undelivered">
<caption id="undelivered-caption">${searched ? 'Matching your search' : 'Everyone who did not get it'}, in the order they were planned</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Email address</th><th scope="col">Outcome</th><th scope="col">The SMTP server’s answer, or why it was not sent</th><th scope="col" class="number">Attempts</th><th scope="col">When</th></tr></thead>
<tbody>${list.rows.map(
    (row) => html`<tr><th scope="row">${row.name}</th><td>${row.email}</td><td>${OUTCOMES[row.status]}</td><td class="smtp-answer">${row.lastResponse ?? ''}</td><td class="number">${row.attempts}</td><td>${formatDateTime(row.at)}</td></tr>`,
  )}</tbody>
</table></div>`;
  return html`<section id="undelivered" aria-labelledby="undelivered-heading">
<h2 id="undelivered-heading">Who did not get it</h2>
<p>${n(p.counts.failed)} failed (given up, the server’s answer kept), ${n(p.counts.bounced)} bounced (the address was refused; it is not mailed again), ${n(p.counts.skipped)} skipped (unsubscribed, suppressed or cancelled before their turn).</p>
${errorSummary(list.errors, ['q', 'after'], 3)}
<form method="get" action="/app/broadcasts/${p.id}#undelivered" class="search-form" role="search" aria-label="Who did not get it" novalidate>
  ${textField({ name: 'q', type: 'search', label: 'Name or email address', hint: 'The start of either is enough.', value: list.q, error: list.errors.q, spellcheck: false })}
  <button type="submit">Search</button>
  ${searched ? html`<a href="/app/broadcasts/${p.id}#undelivered">Clear the search</a>` : ''}
</form>
${list.errors.after ? html`<p id="after" class="error">${list.errors.after} <a href="${undeliveredLink({ ...page, undelivered: { ...list, q: '' } })}">Go to the first page</a>.</p>` : ''}
${list.rows.length > 0
    ? table
    : html`<p class="empty">${searched ? 'Nobody who did not get it matches this search.' : list.later ? 'There are no more.' : none ? 'Nobody so far: every message settled so far was sent.' : 'Nobody on this page.'}</p>`}
<nav class="pager" aria-label="Pages of who did not get it">
  ${list.later ? html`<a href="${undeliveredLink(page)}">First page</a>` : ''}
  ${list.nextAfter !== null ? html`<a href="${undeliveredLink(page, list.nextAfter)}">Next page</a>` : ''}
</nav>
</section>`;
}

export function broadcastPage(page: BroadcastPage): string {
  const { progress: p, campaign } = page;
  const kind = BROADCAST_KIND_LABELS[p.audience === 'target' ? 'target' : p.kind];
  const body = html`<p class="breadcrumbs"><a href="/app/campaigns">Campaigns</a> › <a href="/app/campaigns/${campaign.id}">${campaign.title}</a> › <a href="/app/campaigns/${campaign.id}/broadcasts">Broadcasts</a></p>
<h1><span class="hint">${kind}:</span> ${p.subject}</h1>
${doneNotice(page)}
${stateSection(page)}
${actionsSection(page)}
${p.status === 'draft' ? draftSection(page) : progressSection(page)}
${p.status === 'draft' ? '' : undeliveredSection(page)}`;
  return appPage({
    title: `${Object.keys(page.undelivered.errors).length > 0 ? 'Error: ' : ''}${kind}: ${p.subject}`,
    user: page.user,
    csrfToken: page.csrfToken,
    nav: 'campaigns',
    scripts: p.status === 'draft' ? [] : [BROADCAST_PROGRESS_SCRIPT],
    body,
  });
}
