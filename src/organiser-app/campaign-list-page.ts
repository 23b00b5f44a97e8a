/** The organiser's campaigns, newest first, with how each is doing. */
import type { CampaignRow } from '../db/schema.js';
import { appPage } from '../web/app-page.js';
import { html } from '../web/html.js';
import type { AppUser } from './app-user.js';
import type { CampaignActivity, LetterState, ReplyState } from './campaign-activity-queries.js';
import { formatDate, STATUS_LABELS } from './screen-text.js';

export interface CampaignListPage {
  user: AppUser;
  csrfToken: string;
  campaigns: Array<{ campaign: CampaignRow; activity: CampaignActivity }>;
  nextCursor: string | null;
  /** Whether this is a later page (so a link back to the first one is useful). */
  later: boolean;
}

const LETTER: Record<LetterState, string> = { not_delivered: 'Not delivered', delivering: 'Being delivered', delivered: 'Delivered' };
const REPLY: Record<ReplyState, string> = { none: 'None yet', received: 'Received', forwarded: 'Received and forwarded' };

export function campaignListPage(page: CampaignListPage): string {
  const rows = page.campaigns.map(
    ({ campaign, activity }) => html`<tr>
  <th scope="row"><a href="/app/campaigns/${campaign.id}">${campaign.title}</a><span class="hint">Created ${formatDate(campaign.createdAt)}</span></th>
  <td><span class="status status-${campaign.status}">${STATUS_LABELS[campaign.status]}</span></td>
  <td class="number">${campaign.supporterCount.toLocaleString('en-GB')}</td>
  <td class="number">${activity.signupsLast7Days.toLocaleString('en-GB')}</td>
  <td>${LETTER[activity.letter]}</td>
  <td>${REPLY[activity.reply]}</td>
</tr>`,
  );
  const body = html`<h1>Campaigns</h1>
<p><a class="button" href="/app/campaigns/new">New campaign</a></p>
${page.campaigns.length === 0
  ? html`<p>${page.later ? 'There are no more campaigns.' : 'You have no campaigns yet. Start with a new campaign: its letter, its target and who may reply.'}</p>`
  : html`<div class="table-scroll" role="region" aria-labelledby="campaigns-caption" tabindex="0"><table class="campaigns">
<caption id="campaigns-caption">Your campaigns, newest first</caption>
<thead><tr>
  <th scope="col">Campaign</th><th scope="col">Status</th><th scope="col" class="number">Confirmed supporters</th>
  <th scope="col" class="number">Sign-ups in the last 7 days</th><th scope="col">Letter to the target</th><th scope="col">Official reply</th>
</tr></thead>
<tbody>${rows}</tbody>
</table></div>`}
<nav class="pager" aria-label="Pages of campaigns">
  ${page.later ? html`<a href="/app/campaigns">First page</a>` : ''}
  ${page.nextCursor ? html`<a href="/app/campaigns?cursor=${encodeURIComponent(page.nextCursor)}">Older campaigns</a>` : ''}
</nav>`;
  return appPage({ title: 'Campaigns', user: page.user, csrfToken: page.csrfToken, nav: 'campaigns', body });
}
