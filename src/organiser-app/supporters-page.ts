/** A campaign's supporters: search by name or address, filter by status, a page at a time, CSV export. */
import type { CampaignRow } from '../db/schema.js';
import type { SupporterRow } from '../supporters/supporter-queries.js';
import { appPage } from '../web/app-page.js';
import { errorSummary, selectField, textField, type FieldErrors } from '../web/form-fields.js';
import { html } from '../web/html.js';
import type { AppUser } from './app-user.js';
import { formatDate } from './screen-text.js';
import { campaignNav } from './campaign-nav.js';

export const SUPPORTER_FILTERS = ['all', 'pending', 'confirmed', 'unsubscribed'] as const;
export type SupporterFilter = (typeof SUPPORTER_FILTERS)[number];

const FILTER_LABELS: Record<SupporterFilter, string> = {
  all: 'Everyone who signed',
  pending: 'Pending confirmation',
  confirmed: 'Confirmed',
  unsubscribed: 'Unsubscribed',
};

export interface SupportersPage {
  user: AppUser;
  csrfToken: string;
  campaign: Pick<CampaignRow, 'id' | 'title'>;
  search: { q: string; status: SupporterFilter };
  errors: FieldErrors<'q' | 'status' | 'cursor'>;
  rows: Array<{ supporter: SupporterRow; email: string }>;
  nextCursor: string | null;
  later: boolean;
}

function statusOf(supporter: SupporterRow): string {
  if (supporter.status === 'unconfirmed') return 'Pending confirmation';
  return supporter.unsubscribedAt ? 'Unsubscribed' : 'Confirmed';
}

function pageLink(page: SupportersPage, cursor?: string): string {
  const query = new URLSearchParams();
  if (page.search.q) query.set('q', page.search.q);
  if (page.search.status !== 'all') query.set('status', page.search.status);
  if (cursor) query.set('cursor', cursor);
  const text = query.toString();
  return `/app/campaigns/${page.campaign.id}/supporters${text ? `?${text}` : ''}`;
}

export function supportersPage(page: SupportersPage): string {
  const base = `/app/campaigns/${page.campaign.id}`;
  const filtered = page.search.q !== '' || page.search.status !== 'all';
  const body = html`<p class="breadcrumbs"><a href="/app/campaigns">Campaigns</a> › <a href="${base}">${page.campaign.title}</a></p>
<h1>Supporters</h1>
${campaignNav(page.campaign.id, 'supporters')}
${errorSummary(page.errors, ['q', 'status', 'cursor'])}
<form method="get" action="${base}/supporters" class="search-form" role="search" aria-label="Supporters" novalidate>
  ${textField({ name: 'q', type: 'search', label: 'Name or email address', hint: 'The start of either is enough.', value: page.search.q, error: page.errors.q, spellcheck: false })}
  ${selectField({
    name: 'status',
    label: 'Status',
    value: page.search.status,
    error: page.errors.status,
    options: SUPPORTER_FILTERS.map((value) => ({ value, label: FILTER_LABELS[value] })),
  })}
  <button type="submit">Search</button>
  ${filtered ? html`<a href="${base}/supporters">Clear the search</a>` : ''}
</form>
${page.errors.cursor ? html`<p id="cursor" class="error">${page.errors.cursor} <a href="${pageLink(page)}">Go to the first page</a>.</p>` : ''}
<p><a href="${base}/supporters/export.csv" download>Download the confirmed supporters (CSV)</a></p>
${page.rows.length === 0
  ? html`<p class="empty">${filtered ? 'No supporter matches this search.' : page.later ? 'There are no more supporters.' : 'Nobody has signed yet.'}</p>`
  : html`<div class="table-scroll" role="region" aria-labelledby="supporters-caption" tabindex="0"><table class="supporters">
<caption id="supporters-caption">${filtered ? 'Supporters matching your search' : 'Supporters'}, newest first</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Email address</th><th scope="col">Postcode</th><th scope="col">Status</th><th scope="col">Signed</th></tr></thead>
<tbody>${page.rows.map(
      ({ supporter, email }) => html`<tr><th scope="row">${supporter.name}</th><td>${email}</td><td>${supporter.postcode ?? ''}</td><td>${statusOf(supporter)}</td><td>${formatDate(supporter.createdAt)}</td></tr>`,
    )}</tbody>
</table></div>`}
<nav class="pager" aria-label="Pages of supporters">
  ${page.later ? html`<a href="${pageLink(page)}">First page</a>` : ''}
  ${page.nextCursor ? html`<a href="${pageLink(page, page.nextCursor)}">Next page</a>` : ''}
</nav>`;
  return appPage({ title: `Supporters: ${page.campaign.title}`, user: page.user, csrfToken: page.csrfToken, nav: 'campaigns', body });
}
