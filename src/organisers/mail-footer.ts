/**
 * The organisation's line at the foot of every mail to supporters (name, postal address, website):
 * who is writing and where to find them, as bulk-sender rules and supporters expect. Added to a
 * composed mail, below its own footer, in both the HTML and the text.
 */
import type { OutgoingMail } from '../mail/outgoing-mail.js';
import { html } from '../web/html.js';

const CLOSING = '</div></body></html>';

export function withOrganisationFooter(mail: OutgoingMail, line: string | undefined): OutgoingMail {
  if (!line) return mail;
  const footer = html`<p style="font-family:Arial,sans-serif;font-size:12px;color:#777;margin:8px 0 0">${line}</p>`.value;
  const at = mail.html.lastIndexOf(CLOSING);
  return {
    ...mail,
    text: `${mail.text}\n${line}`,
    html: at >= 0 ? `${mail.html.slice(0, at)}${footer}${mail.html.slice(at)}` : mail.html.replace(/<\/body>/i, `${footer}</body>`),
  };
}
