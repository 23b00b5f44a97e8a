/**
 * The forms about replies: approving one (a question page with the number of supporters it goes to,
 * and what the API's approval lets the organiser set: who wrote, and the introduction above it),
 * and entering a reply that came by post (the API's fields and the scanned letter as PDF).
 */
import type { CampaignRow } from '../db/schema.js';
import type { ReplyRow } from '../replies/reply-queries.js';
import { appMessagePage, appPage } from '../web/app-page.js';
import { errorSummary, postForm, textArea, textField, type FieldErrors } from '../web/form-fields.js';
import { html } from '../web/html.js';
import type { AppUser } from './app-user.js';

interface Screen {
  user: AppUser;
  csrfToken: string;
  campaign: CampaignRow;
}

export type ApprovalField = 'author' | 'introduction';

export function approvePage(
  screen: Screen & { reply: ReplyRow; audience: number; values: Record<ApprovalField, string>; errors: FieldErrors<ApprovalField> },
): string {
  const { reply, audience } = screen;
  const count = `${audience.toLocaleString('en-GB')} ${audience === 1 ? 'supporter' : 'supporters'}`;
  const body = html`<p class="breadcrumbs"><a href="/app/replies/${reply.id}">Back to the reply</a></p>
<h1>Forward to ${count}?</h1>
${errorSummary(screen.errors, ['author', 'introduction'])}
<p>“${reply.subject}” goes to every confirmed, subscribed supporter of ${screen.campaign.title}, each with the introduction below, personalised. This cannot be undone.</p>
${reply.status === 'held' ? html`<p class="warning">This reply is not trusted: ${reply.reason ?? 'its sender could not be checked'}. Forward it only if you are sure it is genuine.</p>` : ''}
${postForm({
  action: `/app/replies/${reply.id}/approve`,
  csrfToken: screen.csrfToken,
  ownValidation: true,
  body: html`${textField({ name: 'author', label: 'Who wrote', hint: 'As supporters are told, e.g. “The Foreign Office’s Conflict Department”.', value: screen.values.author, error: screen.errors.author, maxLength: 200 })}
${textArea({ name: 'introduction', label: 'Introduction', hint: 'Above the reply in every supporter’s mail: Markdown, with the letter’s merge fields such as {{ supporter.first_name }}.', value: screen.values.introduction, error: screen.errors.introduction, rows: 8 })}
<div class="form-actions"><button type="submit">Forward to ${count}</button><a href="/app/replies/${reply.id}">Cancel</a></div>`,
})}`;
  return appPage({ title: `Forward to ${count}?`, user: screen.user, csrfToken: screen.csrfToken, nav: 'campaigns', body });
}

/** The second click of a double-click, or a decision someone else made first: said kindly, not as an error. */
export function alreadyDecidedPage(screen: Omit<Screen, 'campaign'> & { reply: ReplyRow }): string {
  const { reply } = screen;
  const forwarded = reply.status === 'forwarded';
  return appMessagePage({
    title: forwarded ? 'This reply is already forwarded' : 'This reply is already rejected',
    user: screen.user,
    csrfToken: screen.csrfToken,
    nav: 'campaigns',
    paragraphs: [
      forwarded ? 'It was forwarded once, to every supporter; nothing more was sent.' : 'It will never be forwarded; nothing was changed.',
      forwarded && reply.broadcastId
        ? html`<a href="/app/broadcasts/${reply.broadcastId}">Watch it reach every supporter</a>`
        : html`<a href="/app/replies/${reply.id}">Back to the reply</a>`,
    ],
  });
}

export const POSTAL_FIELDS = ['fromName', 'fromAddress', 'subject', 'receivedAt', 'body', 'letter'] as const;
export type PostalField = (typeof POSTAL_FIELDS)[number];

export function postalReplyPage(screen: Screen & { values: Partial<Record<PostalField, string>>; errors: FieldErrors<PostalField> }): string {
  const { campaign, values, errors } = screen;
  const form = postForm({
    action: `/app/campaigns/${campaign.id}/replies`,
    csrfToken: screen.csrfToken,
    ownValidation: true,
    multipart: true,
    body: html`${textField({ name: 'fromName', label: 'Who wrote (optional)', hint: 'The name or department on the letter.', value: values.fromName, error: errors.fromName, maxLength: 200 })}
${textField({ name: 'fromAddress', type: 'email', label: 'Their email address', hint: 'Where the office can be written to, e.g. conflict.department@fco.gov.uk.', value: values.fromAddress, error: errors.fromAddress, spellcheck: false })}
${textField({ name: 'subject', label: 'Subject', value: values.subject, error: errors.subject, maxLength: 300 })}
${textField({ name: 'receivedAt', type: 'date', label: 'Date on the letter (optional)', hint: 'For example 2014-06-17.', value: values.receivedAt, error: errors.receivedAt })}
${textArea({ name: 'body', label: 'The text of the letter', hint: 'Markdown: a blank line between paragraphs.', value: values.body, error: errors.body, rows: 14 })}
<div class="field${errors.letter ? ' invalid' : ''}">
  <label for="letter">The scanned letter (optional) <span class="hint" id="letter-hint">A PDF, forwarded with the text to every supporter.</span></label>
  ${errors.letter ? html`<span class="error" id="letter-error"><span class="visually-hidden">Error:</span> ${errors.letter}</span>` : ''}
  <input type="file" id="letter" name="letter" accept="application/pdf,.pdf" aria-describedby="letter-hint${errors.letter ? ' letter-error' : ''}"${errors.letter ? html` aria-invalid="true"` : ''}>
</div>
<div class="form-actions"><button type="submit">Record the reply</button><a href="/app/campaigns/${campaign.id}/replies">Cancel</a></div>`,
  });
  const body = html`<p class="breadcrumbs"><a href="/app/campaigns">Campaigns</a> › <a href="/app/campaigns/${campaign.id}">${campaign.title}</a> › <a href="/app/campaigns/${campaign.id}/replies">Replies</a></p>
<h1>Enter a reply that came by post</h1>
${errorSummary(errors, POSTAL_FIELDS)}
<p>You vouch for it, so it is trusted. ${campaign.replyMode === 'auto' ? 'This campaign forwards trusted replies at once: it goes to every supporter as soon as you record it.' : 'It then waits for an owner’s approval before it is forwarded.'}</p>
${form}`;
  return appPage({ title: `Enter a reply: ${campaign.title}`, user: screen.user, csrfToken: screen.csrfToken, nav: 'campaigns', body });
}
