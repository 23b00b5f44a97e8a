/** A reply's body (HTML from outside, or plain text) reduced to what is safe to show in a page and in mail. */
import { LinkifyIt } from 'linkify-it';
import sanitizeHtml from 'sanitize-html';
import { escapeHtml } from '../web/html.js';

const REPLY_HTML: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'b', 'i', 'u', 'a', 'ul', 'ol', 'li', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'hr', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'div', 'span'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['https', 'http', 'mailto'],
};

export function sanitiseReplyHtml(html: string): string {
  return sanitizeHtml(html, REPLY_HTML);
}

// Bare "www.fco.gov.uk" is how officials write addresses; ftp: and scheme-relative links are not ours to make.
const linkify = new LinkifyIt({ fuzzyLink: true }).add('ftp:', null).add('//', null);

/** One paragraph: its addresses linked, everything else escaped, line breaks kept. */
function paragraphHtml(text: string): string {
  let html = '';
  let at = 0;
  for (const match of linkify.match(text) ?? []) {
    html += escapeHtml(text.slice(at, match.index));
    html += `<a href="${escapeHtml(match.url)}">${escapeHtml(match.text)}</a>`;
    at = match.lastIndex;
  }
  html += escapeHtml(text.slice(at));
  return html.replace(/\n/g, '<br />\n');
}

/**
 * Plain text as HTML: paragraphs at blank lines, line breaks kept, web and mail addresses linked.
 * The text is someone else's: it is never read as Markdown (escaping it for Markdown first is what
 * turned www.gov.uk into a link to www%5C.gov%5C.uk), and the result still goes through the sanitiser.
 */
export function plainTextToSafeHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.replace(/^\n+|\n+$/g, ''))
    .filter((paragraph) => paragraph.trim().length > 0);
  return sanitiseReplyHtml(paragraphs.map((paragraph) => `<p>${paragraphHtml(paragraph)}</p>`).join('\n'));
}
