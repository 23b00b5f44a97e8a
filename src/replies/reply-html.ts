/** HTML from outside (a reply's body) reduced to what is safe to show in a page and in mail. */
import sanitizeHtml from 'sanitize-html';

const REPLY_HTML: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'b', 'i', 'u', 'a', 'ul', 'ol', 'li', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'hr', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'div', 'span'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['https', 'http', 'mailto'],
};

export function sanitiseReplyHtml(html: string): string {
  return sanitizeHtml(html, REPLY_HTML);
}
