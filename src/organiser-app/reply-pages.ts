/**
 * The replies inbox and one reply: newest first, trusted or held with the reason; for each, the
 * evidence it is genuine (DKIM with its signing domain, SPF, DMARC, the allowed-sender match) beside
 * the approve and reject buttons, the letter itself (its sanitised HTML in a sandboxed frame, and as
 * plain text), and its files. Nothing from the reply is ever part of this page's own markup but
 * escaped text.
 */
import type { CampaignRow } from '../db/schema.js';
import type { ReplyRow } from '../replies/reply-queries.js';
import { readReplyEvidence, type ReplyEvidenceView } from '../replies/reply-evidence.js';
import { replyAuthor } from '../replies/reply-attribution.js';
import { appPage } from '../web/app-page.js';
import { html, trustedHtml, type SafeHtml } from '../web/html.js';
import { byWhom, type ActorNames } from './acting-users.js';
import type { AppUser } from './app-user.js';
import { campaignNav } from './campaign-nav.js';
import { documentFrame } from './framed-document.js';
import { formatDateTime } from './screen-text.js';

export const REPLY_STATUS_LABELS: Record<ReplyRow['status'], string> = {
  held: 'Held: not trusted',
  awaiting_approval: 'Trusted, awaiting your approval',
  forwarded: 'Forwarded',
  rejected: 'Rejected',
};

export function isUndecided(reply: Pick<ReplyRow, 'status'>): boolean {
  return reply.status === 'held' || reply.status === 'awaiting_approval';
}

const statusTag = (reply: ReplyRow) => html`<span class="tag tag-${reply.status}">${REPLY_STATUS_LABELS[reply.status]}</span>`;

interface Screen {
  user: AppUser;
  csrfToken: string;
  campaign: CampaignRow;
}

export function repliesInboxPage(screen: Screen & { replies: ReplyRow[]; done?: 'rejected' | undefined }): string {
  const { campaign } = screen;
  const body = html`<p class="breadcrumbs"><a href="/app/campaigns">Campaigns</a> › <a href="/app/campaigns/${campaign.id}">${campaign.title}</a></p>
<h1>Replies</h1>
${campaignNav(campaign.id, 'replies')}
${screen.done ? html`<div class="notice" role="status"><p>The reply is rejected: it will never be forwarded.</p></div>` : ''}
<p>Every reply received for this campaign, newest first. A reply is trusted only when its sender is allowed and its mail passed DMARC; anything else is held for you to check.</p>
${screen.user.role === 'owner' ? html`<p><a class="button secondary" href="/app/campaigns/${campaign.id}/replies/new">Enter a reply that came by post</a></p>` : ''}
${screen.replies.length === 0
    ? html`<p class="empty">No reply yet. Replies to the letter come back to the campaign’s reply address.</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="replies-caption" tabindex="0"><table>
<caption id="replies-caption">Replies, newest first</caption>
<thead><tr><th scope="col">Received</th><th scope="col">From</th><th scope="col">Subject</th><th scope="col">Status</th></tr></thead>
<tbody>${screen.replies.map(
        (reply) => html`<tr><td>${formatDateTime(reply.receivedAt)}</td><td>${replyAuthor(reply)}${reply.fromName ? html`<br><span class="hint">${reply.fromAddress}</span>` : ''}</td>
<th scope="row"><a href="/app/replies/${reply.id}">${reply.subject}</a></th><td>${statusTag(reply)}${reply.status === 'held' && reply.reason ? html`<br><span class="hint">${reply.reason}</span>` : ''}</td></tr>`,
      )}</tbody></table></div>`}`;
  return appPage({ title: `Replies: ${campaign.title}`, user: screen.user, csrfToken: screen.csrfToken, nav: 'campaigns', body });
}

function verdict(result: string): SafeHtml {
  const cls = result === 'pass' ? 'verdict-pass' : ['fail', 'permerror', 'temperror', 'softfail', 'policy'].includes(result) ? 'verdict-fail' : '';
  return html`<span class="${cls}">${result}</span>`;
}

function evidenceList(evidence: ReplyEvidenceView, reply: ReplyRow, campaign: CampaignRow, names: ActorNames): SafeHtml {
  if (evidence.kind === 'entered') {
    return html`<p>Entered ${byWhom(names, reply.enteredByUserId)}: a reply that came by post. Your organisation vouches for it, so there is no mail to check.</p>`;
  }
  const allowed = campaign.replyAllowedSenders.join(', ') || 'none set';
  return html`<dl class="evidence">
  <dt>DKIM</dt><dd>${evidence.dkim.length === 0 ? 'No signature' : html`<ul>${evidence.dkim.map(
    (sig) => html`<li>${verdict(sig.result)}${sig.domain ? html`, signed by <strong>${sig.domain}</strong>` : sig.result === 'none' ? ': not signed' : ' (signing domain not recorded)'}${sig.aligned ? html`, aligned with the From domain ${sig.aligned}` : ''}</li>`,
  )}</ul>`}</dd>
  <dt>SPF</dt><dd>${verdict(evidence.spf)}</dd>
  <dt>DMARC</dt><dd>${verdict(evidence.dmarc)}</dd>
  <dt>From, as DMARC read it</dt><dd>${evidence.headerFrom.length ? evidence.headerFrom.join(', ') : 'no address'}</dd>
  <dt>Allowed sender</dt><dd>${
    evidence.allowedSender === undefined
      ? 'Not recorded for this reply'
      : evidence.allowedSender
        ? html`<span class="verdict-pass">yes</span>: ${reply.fromAddress} is on the campaign’s list`
        : html`<span class="verdict-fail">no</span>: the campaign allows ${allowed}`
  }</dd>
  ${evidence.error ? html`<dt>Check failed</dt><dd>${evidence.error}</dd>` : ''}
</dl>`;
}

export interface ReplyFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

function decision(reply: ReplyRow, names: ActorNames): SafeHtml | '' {
  if (reply.status === 'forwarded') {
    const who = reply.decidedAt ? `approved ${formatDateTime(reply.decidedAt)} ${byWhom(names, reply.decidedByUserId)}` : 'forwarded automatically (trusted, and the campaign forwards trusted replies at once)';
    return html`<p>Forwarded: ${who}. ${reply.broadcastId ? html`<a href="/app/broadcasts/${reply.broadcastId}">Watch it reach every supporter</a>` : ''}</p>`;
  }
  if (reply.status === 'rejected' && reply.decidedAt) return html`<p>Rejected ${formatDateTime(reply.decidedAt)} ${byWhom(names, reply.decidedByUserId)}: never forwarded.</p>`;
  return '';
}

function actions(screen: Screen & { reply: ReplyRow }): SafeHtml | '' {
  const { reply, user } = screen;
  if (!isUndecided(reply)) return '';
  if (user.role !== 'owner') return html`<p class="hint">Only an owner of your organisation can forward or reject a reply.</p>`;
  return html`<div class="actions">
  <a class="button" href="/app/replies/${reply.id}/approve">Approve and forward…</a>
  <a class="button danger" href="/app/replies/${reply.id}/reject">Reject…</a>
</div>`;
}

export function replyPage(screen: Screen & { reply: ReplyRow; files: ReplyFile[]; names: ActorNames; done?: 'entered' | undefined }): string {
  const { campaign, reply } = screen;
  const withheld = reply.withheldAttachments;
  const body = html`<p class="breadcrumbs"><a href="/app/campaigns">Campaigns</a> › <a href="/app/campaigns/${campaign.id}">${campaign.title}</a> › <a href="/app/campaigns/${campaign.id}/replies">Replies</a></p>
<h1>${reply.subject}</h1>
${screen.done ? html`<div class="notice" role="status"><p>The reply is recorded.${reply.status === 'awaiting_approval' ? ' It waits for your approval before it is forwarded.' : ''}</p></div>` : ''}
<p>${statusTag(reply)}</p>
${reply.reason && isUndecided(reply) ? html`<p class="${reply.status === 'held' ? 'warning' : 'notice'}">${reply.status === 'held' ? 'Held because: ' : 'Waiting because '}${reply.reason}</p>` : ''}
${decision(reply, screen.names)}
<dl class="facts">
  <dt>From</dt><dd>${reply.fromName ? `${reply.fromName} <${reply.fromAddress}>` : reply.fromAddress}</dd>
  <dt>Received</dt><dd>${formatDateTime(reply.receivedAt)}</dd>
  ${reply.datedAt ? html`<dt>Dated</dt><dd>${formatDateTime(reply.datedAt)}</dd>` : ''}
</dl>
<h2>Is it genuine?</h2>
${evidenceList(readReplyEvidence(reply.authentication), reply, campaign, screen.names)}
${actions(screen)}
<h2>The reply</h2>
<p class="hint">Shown with anything active removed: no scripts, no remote images or styles, and its links are not followed here.</p>
${documentFrame(`/app/replies/${reply.id}/body.html`, `The reply: ${reply.subject}`, 'document-frame short')}
<details><summary>As plain text</summary><div class="reply-text">${reply.text || '(no plain text part)'}</div></details>
<h2>Files</h2>
${screen.files.length === 0
    ? html`<p>None forwarded with it.</p>`
    : html`<ul>${screen.files.map((file) => html`<li><a href="/app/reply-attachments/${file.id}" download>${file.filename}</a> <span class="hint">${file.contentType}, ${Math.ceil(file.size / 1024).toLocaleString('en-GB')} KB</span></li>`)}</ul>`}
${withheld.count > 0
    ? html`<p>Withheld, never forwarded (${withheld.count}):</p><ul>${withheld.items.map((item) => html`<li>${item.filename} (${item.contentType}): ${item.reason}</li>`)}</ul>`
    : ''}`;
  return appPage({ title: `Reply: ${reply.subject}`, user: screen.user, csrfToken: screen.csrfToken, nav: 'campaigns', body });
}

/** The reply's sanitised HTML as a document of its own, for the sandboxed frame. */
export function replyDocument(reply: ReplyRow, safeHtml: string): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${reply.subject}</title>
<style>body{font-family:Georgia,serif;line-height:1.5;color:#1d1d1b;margin:1rem;overflow-wrap:anywhere}</style></head>
<body>${trustedHtml(safeHtml)}</body></html>`.value;
}
