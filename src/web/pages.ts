/**
 * Server-rendered public pages: plain HTML forms that work without JavaScript, labelled fields,
 * errors beside their field and summarised at the top (linked, for keyboard and screen reader users).
 */
import { checkboxField, errorSummary, textField, type FieldErrors as Errors } from './form-fields.js';
import { html, type SafeHtml } from './html.js';

export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<main id="content">
${body}
</main>
</body>
</html>`.value;
}

export function messagePage(title: string, paragraphs: Array<string | SafeHtml>): string {
  return page(title, html`<h1>${title}</h1>${paragraphs.map((p) => html`<p>${p}</p>`)}`);
}

export type FieldErrors = Errors<'name' | 'email' | 'postcode' | 'consent'>;

export interface SignFormState {
  values: { name?: string; email?: string; postcode?: string };
  errors: FieldErrors;
}

export interface CampaignPageModel {
  slug: string;
  title: string;
  summary: string | null;
  targetName: string;
  targetAddress: string | null;
  /** Undefined when the letter cannot be rendered (its organiser is told why): the page shows the rest. */
  letter: { subject: string; html: SafeHtml } | undefined;
  supporterCount: number;
  consentStatement: string;
  open: boolean;
  /** The official reply, once forwarded to supporters. */
  reply?: { from: string; receivedAt: string; html: SafeHtml } | undefined;
}

const FIELD_ORDER = ['name', 'email', 'postcode', 'consent'] as const;

function signForm(campaign: CampaignPageModel, state: SignFormState): SafeHtml {
  const { values, errors } = state;
  return html`
<form method="post" action="/c/${campaign.slug}#sign" novalidate>
  <h2 id="sign">Add your name</h2>
  ${errorSummary(errors, FIELD_ORDER, 3)}
  ${textField({ name: 'name', label: 'Full name', autocomplete: 'name', value: values.name, error: errors.name })}
  ${textField({
    name: 'email',
    type: 'email',
    label: 'Email address',
    hint: 'We will send you a link to confirm your signature.',
    autocomplete: 'email',
    spellcheck: false,
    value: values.email,
    error: errors.email,
  })}
  ${textField({ name: 'postcode', label: 'Postcode (optional)', autocomplete: 'postal-code', value: values.postcode, error: errors.postcode })}
  <div class="honeypot" aria-hidden="true">
    <label for="website">Leave this empty</label>
    <input type="text" id="website" name="website" tabindex="-1" autocomplete="off">
  </div>
  ${checkboxField({ name: 'consent', label: campaign.consentStatement, error: errors.consent })}
  <button type="submit">Sign the letter</button>
</form>`;
}

export function campaignPage(campaign: CampaignPageModel, state: SignFormState = { values: {}, errors: {} }): string {
  const count = campaign.supporterCount;
  const title = Object.keys(state.errors).length > 0 ? `Error: ${campaign.title}` : campaign.title;
  return page(
    title,
    html`<h1>${campaign.title}</h1>
${campaign.summary ? html`<p class="summary">${campaign.summary}</p>` : ''}
<p class="count">${count === 1 ? '1 supporter has' : `${count.toLocaleString('en-GB')} supporters have`} signed this letter.</p>
${campaign.open ? '' : html`<p><strong>This campaign has closed.</strong> Thank you to everyone who signed.</p>`}
<article class="letter" aria-labelledby="letter-subject">
  <p class="to">To: ${campaign.targetName}${campaign.targetAddress ? html`\n${campaign.targetAddress}` : ''}</p>
  ${campaign.letter
    ? html`<h2 id="letter-subject">${campaign.letter.subject}</h2>
  ${campaign.letter.html}`
    : html`<h2 id="letter-subject">The letter</h2>
  <p>The text of the letter cannot be shown right now.</p>`}
</article>
${campaign.reply
  ? html`<section class="letter" aria-labelledby="reply-heading">
  <h2 id="reply-heading">The official reply</h2>
  <p class="to">From: ${campaign.reply.from}, ${campaign.reply.receivedAt}</p>
  ${campaign.reply.html}
</section>`
  : ''}
${campaign.open ? signForm(campaign, state) : ''}
<footer><a href="/privacy">Your data: see or erase what we hold about you</a></footer>`,
  );
}

export function buttonPage(title: string, intro: Array<string | SafeHtml>, action: string, label: string, extra?: SafeHtml): string {
  return page(
    title,
    html`<h1>${title}</h1>${intro.map((p) => html`<p>${p}</p>`)}
<form method="post" action="${action}">${extra ?? ''}<button type="submit">${label}</button></form>`,
  );
}
