/**
 * A campaign at a glance: its status and what an owner can do next (publish, close), where its public
 * page and reply address are, its supporters by status, sign-ups per day and what has happened so far.
 */
import type { CampaignRow } from '../db/schema.js';
import { appPage } from '../web/app-page.js';
import { html, type SafeHtml } from '../web/html.js';
import type { AppUser } from './app-user.js';
import type { DayCount, SupporterCounts, TimelineEvent } from './campaign-activity-queries.js';
import type { BroadcastActionEntry } from '../broadcasts/broadcast-actions.js';
import { BROADCAST_KIND_LABELS } from './broadcast-text.js';
import { formatDateTime, STATUS_LABELS } from './screen-text.js';
import { signupChart } from './signup-chart.js';
import { campaignNav } from './campaign-nav.js';

export interface CampaignOverview {
  user: AppUser;
  csrfToken: string;
  campaign: CampaignRow;
  publicUrl: string;
  replyAddress: string;
  counts: SupporterCounts;
  days: DayCount[];
  timeline: TimelineEvent[];
  /** What the last action did, to say so at the top. */
  done?: 'created' | 'saved' | 'published' | 'closed' | undefined;
}

const DONE: Record<NonNullable<CampaignOverview['done']>, string> = {
  created: 'The campaign is created as a draft. Check the letter, then publish it when it is ready.',
  saved: 'Your changes are saved.',
  published: 'The campaign is published: its public page is open for signatures.',
  closed: 'The campaign is closed: its page no longer takes signatures.',
};

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}

const ACTION_WORDS: Record<BroadcastActionEntry['action'], string> = {
  start: 'started',
  pause: 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
  retry_failed: 'retried (its failed messages)',
};

/** "Update “News” started by Ann Smith", or "… via the API" when an API key acted. */
function describeBroadcastAction(event: BroadcastActionEntry): SafeHtml {
  const what = BROADCAST_KIND_LABELS[event.broadcast.audience === 'target' ? 'target' : event.broadcast.kind];
  const verb = event.action === 'start' && event.status === 'scheduled' ? 'scheduled' : ACTION_WORDS[event.action];
  const who = event.via === 'api' ? 'via the API' : event.by ? `by ${event.by}` : 'by a former user';
  return html`${what} <a href="/app/broadcasts/${event.broadcast.id}">“${event.broadcast.subject}”</a> ${verb} ${who}`;
}

function describeEvent(event: TimelineEvent, targetName: string): SafeHtml {
  switch (event.kind) {
    case 'created':
      return html`Created as a draft`;
    case 'published':
      return html`Published: the public page opened for signatures`;
    case 'closed':
      return html`Closed: no more signatures`;
    case 'letter_delivering':
      return html`The letter is being delivered to ${targetName} (sent ${event.by})`;
    case 'letter_delivered':
      return event.mode === 'bundle'
        ? html`Letter delivered to ${targetName}${event.signatories === null ? '' : html`, with ${plural(event.signatories, 'signatory', 'signatories')}`} (sent ${event.by})`
        : html`Letter delivered to ${targetName}: ${plural(event.signatories ?? 0, 'supporter’s copy', 'supporters’ copies')} (sent ${event.by})`;
    case 'reply_received':
      return html`${event.enteredBy ? html`Reply by post from ${event.from} entered ${event.enteredBy}` : html`Reply received from ${event.from}`}${event.status === 'held' ? ' (held for you to check)' : event.status === 'awaiting_approval' ? ' (awaiting your approval)' : event.status === 'rejected' ? ' (rejected)' : ''}`;
    case 'reply_approved':
      return html`Reply from ${event.from} approved for forwarding ${event.by}`;
    case 'reply_rejected':
      return html`Reply from ${event.from} rejected ${event.by}`;
    case 'broadcast_action':
      return describeBroadcastAction(event);
    case 'update_completed':
      return html`Update <a href="/app/broadcasts/${event.broadcastId}">“${event.subject}”</a> sent to ${plural(event.sent, 'supporter', 'supporters')}`;
    case 'reply_forwarded':
      return event.finished
        ? html`Reply forwarded to ${plural(event.sent, 'supporter', 'supporters')}`
        : html`Reply being forwarded: ${plural(event.sent, 'supporter', 'supporters')} so far`;
  }
}

function actions(page: CampaignOverview): SafeHtml {
  const { campaign, user } = page;
  const base = `/app/campaigns/${campaign.id}`;
  const next =
    campaign.status === 'draft'
      ? { verb: 'publish', label: 'Publish…', why: 'Publishing opens the public page for signatures; the slug, letter and target are then fixed.' }
      : campaign.status === 'open'
        ? { verb: 'close', label: 'Close…', why: 'Closing stops new signatures; supporters keep their copies and will still get the reply.' }
        : undefined;
  const owner = user.role === 'owner';
  return html`<div class="actions">
  <a class="button secondary" href="${base}/edit">Edit campaign</a>
  ${next && owner ? html`<a class="button${next.verb === 'close' ? ' danger' : ''}" href="${base}/${next.verb}">${next.label}</a>` : ''}
</div>
${next ? html`<p class="hint">${next.why}${owner ? '' : ` Only an owner of your organisation can ${next.verb} it.`}</p>` : ''}`;
}

export function campaignOverviewPage(page: CampaignOverview): string {
  const { campaign, counts } = page;
  const since =
    campaign.status === 'open' && campaign.publishedAt
      ? ` since ${formatDateTime(campaign.publishedAt)}`
      : campaign.status === 'closed' && campaign.closedAt
        ? ` on ${formatDateTime(campaign.closedAt)}`
        : '';
  const body = html`<p class="breadcrumbs"><a href="/app/campaigns">Campaigns</a></p>
<h1>${campaign.title}</h1>
${campaignNav(campaign.id, 'overview')}
${page.done ? html`<div class="notice" role="status"><p>${DONE[page.done]}</p></div>` : ''}
<p class="status status-${campaign.status}"><strong>${STATUS_LABELS[campaign.status]}</strong>${since}</p>
${actions(page)}
<dl class="facts">
  <dt>Public page</dt>
  <dd>${campaign.status === 'draft' ? html`${page.publicUrl} <span class="hint">(opens when the campaign is published)</span>` : html`<a href="${page.publicUrl}">${page.publicUrl}</a>`}</dd>
  <dt>Reply address</dt>
  <dd><code>${page.replyAddress}</code> <span class="hint">The letter’s Reply-To: the official reply comes back here.</span></dd>
  <dt>Target</dt>
  <dd>${campaign.targetName} &lt;${campaign.targetEmail}&gt;</dd>
</dl>
<h2>Supporters</h2>
<ul class="counts">
  <li><span class="count-number">${counts.pending.toLocaleString('en-GB')}</span> pending confirmation</li>
  <li><span class="count-number">${counts.confirmed.toLocaleString('en-GB')}</span> confirmed</li>
  <li><span class="count-number">${counts.unsubscribed.toLocaleString('en-GB')}</span> unsubscribed</li>
</ul>
<p><a href="/app/campaigns/${campaign.id}/supporters">See and search the supporters</a></p>
<h2>Sign-ups per day</h2>
${signupChart(page.days)}
<h2>What has happened</h2>
<ol class="timeline">${page.timeline.map(
    (event) => html`<li><time datetime="${event.at.toISOString()}">${formatDateTime(event.at)}</time> ${describeEvent(event, campaign.targetName)}</li>`,
  )}</ol>`;
  return appPage({ title: campaign.title, user: page.user, csrfToken: page.csrfToken, nav: 'campaigns', body });
}
