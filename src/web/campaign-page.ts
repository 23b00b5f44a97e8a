/**
 * The public campaign page: what the campaign asks and the sign form first (within the first screen
 * of a laptop), then the official reply once there is one, then the full letter. Its own preview
 * tags for sharing, and share links that are plain links: no third-party script or image is loaded.
 */
import { checkboxField, errorSummary, textField, type FieldErrors as Errors } from './form-fields.js';
import { html, type SafeHtml } from './html.js';
import { page } from './pages.js';

export type FieldErrors = Errors<'name' | 'email' | 'postcode' | 'consent'>;

export interface SignFormState {
  values: { name?: string; email?: string; postcode?: string; consent?: boolean };
  errors: FieldErrors;
}

export interface CampaignPageModel {
  slug: string;
  /** The page's own absolute address, for the preview tags and share links. */
  url: string;
  title: string;
  summary: string | null;
  /** The organisation behind the campaign, as it signs its mail. */
  organisation: string;
  /** The organiser's logo, if it has one: `path` for the page itself, `url` (absolute) for link previews. */
  logo?: { path: string; url: string } | undefined;
  targetName: string;
  targetAddress: string | null;
  /** Undefined when the letter cannot be rendered (its organiser is told why): the page shows the rest. */
  letter: { subject: string; html: SafeHtml } | undefined;
  supporterCount: number;
  consentStatement: string;
  open: boolean;
  /** When the letter reached the target ("4 September 2013"), once it has. */
  deliveredOn?: string | undefined;
  /** The official reply, once forwarded to supporters. */
  reply?:
    | { author: string; fromAddress: string; date: string; html: SafeHtml; files: Array<{ href: string; filename: string; description: string }> }
    | undefined;
}

const FIELD_ORDER = ['name', 'email', 'postcode', 'consent'] as const;

function signForm(campaign: CampaignPageModel, state: SignFormState): SafeHtml {
  const { values, errors } = state;
  return html`
<form method="post" action="/c/${campaign.slug}#sign" class="sign" novalidate aria-labelledby="sign">
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
  ${checkboxField({ name: 'consent', label: campaign.consentStatement, checked: values.consent === true, error: errors.consent })}
  <button type="submit">Sign the letter</button>
</form>`;
}

/** Plain links to each service's own share page: nothing of theirs loads until someone clicks. */
function shareLinks(campaign: CampaignPageModel): SafeHtml {
  const text = campaign.summary ? `${campaign.title}: ${campaign.summary}` : campaign.title;
  const q = encodeURIComponent;
  const links: Array<[string, string]> = [
    ['Email', `mailto:?subject=${q(campaign.title)}&body=${q(`${text}\n\n${campaign.url}`)}`],
    ['Bluesky', `https://bsky.app/intent/compose?text=${q(`${text} ${campaign.url}`)}`],
    ['X', `https://x.com/intent/post?text=${q(text)}&url=${q(campaign.url)}`],
    ['Facebook', `https://www.facebook.com/sharer/sharer.php?u=${q(campaign.url)}`],
    ['WhatsApp', `https://wa.me/?text=${q(`${text} ${campaign.url}`)}`],
  ];
  return html`<nav class="share" aria-label="Share this letter"><span>Share:</span> ${links.map(
    ([label, href]) => html`<a href="${href}" rel="noopener noreferrer">${label}</a> `,
  )}</nav>`;
}

/** Open Graph and Twitter card tags: the preview a link to the page gets when shared. */
function previewTags(campaign: CampaignPageModel): SafeHtml {
  const description = campaign.summary ?? `A letter to ${campaign.targetName} from ${campaign.organisation}. Add your name.`;
  return html`<meta name="description" content="${description}">
<link rel="canonical" href="${campaign.url}">
<meta property="og:type" content="website">
<meta property="og:title" content="${campaign.title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${campaign.url}">
<meta property="og:site_name" content="${campaign.organisation}">
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="${campaign.title}">
<meta name="twitter:description" content="${description}">${
    campaign.logo
      ? html`
<meta property="og:image" content="${campaign.logo.url}">
<meta property="og:image:alt" content="${campaign.organisation}">
<meta name="twitter:image" content="${campaign.logo.url}">
<meta name="twitter:image:alt" content="${campaign.organisation}">`
      : ''
  }`;
}

function statusLine(campaign: CampaignPageModel): SafeHtml | '' {
  if (!campaign.open) return html`<p class="status"><strong>This campaign has closed.</strong> Thank you to everyone who signed.</p>`;
  if (campaign.deliveredOn) {
    return html`<p class="status">Delivered to ${campaign.targetName} on ${campaign.deliveredOn}; you can still add your name.</p>`;
  }
  return '';
}

function replySection(reply: NonNullable<CampaignPageModel['reply']>): SafeHtml {
  return html`<section class="letter reply" aria-labelledby="reply-heading">
  <h2 id="reply-heading">The official reply</h2>
  <p class="to">From ${reply.author} (${reply.fromAddress})<br>Dated <time>${reply.date}</time></p>
  ${reply.files.length > 0
    ? html`<ul class="files">${reply.files.map((file) => html`<li><a href="${file.href}">${file.filename}</a> <span class="hint">${file.description}</span></li>`)}</ul>`
    : ''}
  ${reply.html}
</section>`;
}

export function campaignPage(campaign: CampaignPageModel, state: SignFormState = { values: {}, errors: {} }): string {
  const count = campaign.supporterCount;
  const title = Object.keys(state.errors).length > 0 ? `Error: ${campaign.title}` : campaign.title;
  return page(
    title,
    html`<div class="campaign-top">
<div class="pitch">
  <p class="organisation">${campaign.logo ? html`<img class="logo" src="${campaign.logo.path}" alt="" height="48">` : ''}${campaign.organisation}</p>
  <h1>${campaign.title}</h1>
  <p class="addressee">A letter to ${campaign.targetName}</p>
  ${campaign.summary ? html`<p class="summary">${campaign.summary}</p>` : ''}
  ${statusLine(campaign)}
  <p class="count">${count === 1 ? '1 supporter has' : `${count.toLocaleString('en-GB')} supporters have`} signed this letter.</p>
  ${campaign.reply ? html`<p><a href="#reply-heading">Read the official reply</a> from ${campaign.reply.author}, ${campaign.reply.date}.</p>` : ''}
  <p><a href="#letter-subject">Read the full letter</a></p>
  ${shareLinks(campaign)}
</div>
${campaign.open ? signForm(campaign, state) : ''}
</div>
${campaign.reply ? replySection(campaign.reply) : ''}
<article class="letter" aria-labelledby="letter-subject">
  <p class="to">To: ${campaign.targetName}${campaign.targetAddress ? html`\n${campaign.targetAddress}` : ''}</p>
  ${campaign.letter
    ? html`<h2 id="letter-subject">${campaign.letter.subject}</h2>
  ${campaign.letter.html}`
    : html`<h2 id="letter-subject">The letter</h2>
  <p>The text of the letter cannot be shown right now.</p>`}
</article>
<footer>${campaign.organisation} · <a href="/privacy">Your data: see or erase what we hold about you</a></footer>`,
    previewTags(campaign),
    'campaign',
  );
}
