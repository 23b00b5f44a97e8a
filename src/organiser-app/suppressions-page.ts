/**
 * /app/suppressions: the addresses the organiser's campaigns never mail (its own suppressions and the
 * everywhere-ones its mail caused), newest first; an address looked up; the CSV export; and, for
 * owners, the question page that lifts one with a reason.
 */
import type { RemovalRecord } from '../suppressions/removal-history.js';
import type { SuppressionListRow, SuppressionLookup } from '../suppressions/suppression-queries.js';
import { isRemovable } from '../suppressions/suppression-removal.js';
import type { SuppressionReason, SuppressionSource } from '../suppressions/suppressions.js';
import { appPage } from '../web/app-page.js';
import { errorSummary, postForm, textField, type FieldErrors } from '../web/form-fields.js';
import { html, type SafeHtml } from '../web/html.js';
import type { AppUser } from './app-user.js';
import { formatDate, formatDateTime } from './screen-text.js';

const REASONS: Record<SuppressionReason, string> = {
  hard_bounce: 'Hard bounce',
  complaint: 'Complaint',
  erasure: 'Erasure',
  unsubscribe_all: 'Unsubscribed from all your campaigns',
};

const SOURCES: Record<SuppressionSource, string> = {
  smtp: 'Refused while sending',
  dsn: 'Delivery report',
  complaint: 'Feedback report',
  unsubscribe: 'The person’s unsubscribe link',
  erasure: 'The person’s erasure request',
};

export interface SuppressionsPage {
  user: AppUser;
  csrfToken: string;
  notice?: string | undefined;
  lookup: { email: string; error?: string | undefined; found?: SuppressionLookup | undefined };
  cursorError?: string | undefined;
  rows: SuppressionListRow[];
  nextCursor: string | null;
  later: boolean;
  removals: RemovalRecord[];
}

/** What the organiser can do about a suppression, in its own words. */
function action(row: SuppressionListRow, user: AppUser): SafeHtml | string {
  if (row.everywhere) return 'Suppressed for every organisation: only the operator can lift it';
  if (!isRemovable(row)) return 'Only the person can undo it, by signing again';
  if (user.role !== 'owner') return 'An owner can lift it';
  return html`<a href="/app/suppressions/${row.id}/remove">Lift<span class="visually-hidden"> the suppression of ${row.email ?? 'this address'}</span></a>`;
}

function table(rows: SuppressionListRow[], user: AppUser, caption: string): SafeHtml {
  return html`<div class="table-scroll" role="region" aria-labelledby="suppressions-caption" tabindex="0"><table class="suppressions">
<caption id="suppressions-caption">${caption}</caption>
<thead><tr><th scope="col">Address</th><th scope="col">Reason</th><th scope="col">How</th><th scope="col">Campaign</th><th scope="col">Since</th><th scope="col">Action</th></tr></thead>
<tbody>${rows.map(
    (row) => html`<tr><th scope="row">${row.email ?? html`<span class="hint">not one of your supporters</span>`}</th><td>${REASONS[row.reason]}${row.everywhere ? html`<span class="hint">for every organisation</span>` : ''}</td><td>${SOURCES[row.source]}</td><td>${row.campaignId ? html`<a href="/app/campaigns/${row.campaignId}">${row.campaignTitle}</a>` : '—'}</td><td>${formatDate(
      row.createdAt,
    )}</td><td>${action(row, user)}</td></tr>`,
  )}</tbody>
</table></div>`;
}

function lookupResult(page: SuppressionsPage): SafeHtml | '' {
  const found = page.lookup.found;
  if (!found) return '';
  const everywhere = found.everywhere
    ? html`<p>It is suppressed for every organisation (${REASONS[found.everywhere.reason].toLowerCase()}): no campaign mails it.</p>`
    : '';
  return html`<section aria-labelledby="lookup-result" class="notice" role="status">
<h2 id="lookup-result">${found.email}</h2>
<p>${found.suppressed ? 'Your campaigns do not mail this address.' : 'This address is not suppressed: your campaigns may mail it.'}</p>
${everywhere}
${found.suppressions.length > 0 ? table(found.suppressions, page.user, `Suppressions of ${found.email}`) : ''}
</section>`;
}

function removalHistory(removals: RemovalRecord[]): SafeHtml | '' {
  if (removals.length === 0) return '';
  return html`<h2 id="lifted">Lifted recently</h2>
<div class="table-scroll" role="region" aria-labelledby="lifted" tabindex="0"><table class="removals">
<thead><tr><th scope="col">Address</th><th scope="col">Was</th><th scope="col">Campaign</th><th scope="col">Lifted by</th><th scope="col">When</th><th scope="col">Why</th></tr></thead>
<tbody>${removals.map(
    (removal) => html`<tr><th scope="row">${removal.email ?? html`<span class="hint">not one of your supporters</span>`}</th><td>${REASONS[removal.suppressionReason]}</td><td>${
      removal.campaignTitle ?? '—'
    }</td><td>${removal.removedBy}</td><td>${formatDateTime(removal.removedAt)}</td><td>${removal.reason}</td></tr>`,
  )}</tbody>
</table></div>`;
}

export function suppressionsPage(page: SuppressionsPage): string {
  const errors: FieldErrors<'email' | 'cursor'> = { email: page.lookup.error, cursor: page.cursorError };
  const body = html`<h1>Suppressions</h1>
${page.notice ? html`<p class="notice" role="status">${page.notice}</p>` : ''}
${errorSummary(errors, ['email', 'cursor'])}
<p>Addresses your campaigns never mail: hard bounces and complaints from your mail, and people who unsubscribed from all your campaigns. Only a fingerprint of each address is kept, so an address shows when it is one of your supporters’.</p>
<form method="get" action="/app/suppressions" class="search-form" role="search" aria-label="Look up an address" novalidate>
  ${textField({ name: 'email', type: 'email', label: 'Look up an email address', value: page.lookup.email, error: page.lookup.error, spellcheck: false })}
  <button type="submit">Look up</button>
</form>
${lookupResult(page)}
<h2>Your suppressions</h2>
<p><a href="/app/suppressions/export.csv" download>Download the list (CSV)</a></p>
${page.cursorError ? html`<p id="cursor" class="error">${page.cursorError} <a href="/app/suppressions">Go to the first page</a>.</p>` : ''}
${page.rows.length === 0
  ? html`<p class="empty">${page.later ? 'There are no more suppressions.' : 'Nothing stops your campaigns’ mail to anyone.'}</p>`
  : table(page.rows, page.user, 'Your suppressions, newest first')}
<nav class="pager" aria-label="Pages of suppressions">
  ${page.later ? html`<a href="/app/suppressions">First page</a>` : ''}
  ${page.nextCursor ? html`<a href="/app/suppressions?cursor=${page.nextCursor}">Next page</a>` : ''}
</nav>
${removalHistory(page.removals)}`;
  return appPage({ title: 'Suppressions', user: page.user, csrfToken: page.csrfToken, nav: 'suppressions', body });
}

export interface RemovalPage {
  user: AppUser;
  csrfToken: string;
  row: SuppressionListRow;
  reason: string;
  error?: string | undefined;
}

/** The question page: what lifting it means, the suppression's facts, and the reason asked for. */
export function removalPage(page: RemovalPage): string {
  const { row } = page;
  const who = row.email ?? 'this address';
  const body = html`<p class="breadcrumbs"><a href="/app/suppressions">Suppressions</a></p>
<h1>Lift the suppression of ${who}?</h1>
${errorSummary({ reason: page.error }, ['reason'])}
<p class="notice">Your campaigns will mail ${who} again from their next message: a broadcast started after this includes them. The lifting is recorded with your name and your reason.</p>
<dl class="facts">
  <dt>Reason</dt><dd>${REASONS[row.reason]}</dd>
  <dt>How</dt><dd>${SOURCES[row.source]}</dd>
  <dt>Campaign</dt><dd>${row.campaignTitle ?? '—'}</dd>
  <dt>Since</dt><dd>${formatDateTime(row.createdAt)}</dd>
  ${row.detail ? html`<dt>Detail</dt><dd>${row.detail}</dd>` : ''}
</dl>
${postForm({
  action: `/app/suppressions/${row.id}/remove`,
  csrfToken: page.csrfToken,
  className: 'confirm-form',
  ownValidation: true,
  body: html`${textField({
    name: 'reason',
    label: 'Why are you lifting it?',
    hint: 'Kept with the record. For example: “She wrote on 2 June asking for our updates again.”',
    value: page.reason,
    error: page.error,
    maxLength: 500,
  })}
<button type="submit" class="danger">Lift the suppression</button>
<a class="cancel" href="/app/suppressions">Cancel</a>`,
})}`;
  return appPage({ title: `Lift the suppression of ${who}?`, user: page.user, csrfToken: page.csrfToken, nav: 'suppressions', body });
}
