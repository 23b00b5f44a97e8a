/**
 * Documents shown inside an /app page rather than as part of it: the letter as the target will
 * receive it, and a reply's HTML, which came from outside. Each is served at its own URL with a
 * policy of its own — no script, no request to anywhere (images only as data: URLs, or our own for
 * the letter's logo), no forms, a sandbox giving it an origin of its own, framed only by our pages —
 * and framed with `sandbox=""` (no scripts, no navigation of the page around it). The reply's HTML
 * is sanitised too (reply-html.ts); the frame is what holds if the sanitiser ever misses something.
 */
import type { FastifyReply } from 'fastify';
import { html, type SafeHtml } from '../web/html.js';
import { sendPage } from '../web/page-reply.js';

function policy(images: 'none' | 'own'): string {
  const img = images === 'own' ? "img-src 'self' data:" : 'img-src data:';
  return `default-src 'none'; ${img}; style-src 'unsafe-inline'; font-src 'none'; form-action 'none'; base-uri 'none'; sandbox; frame-ancestors 'self'`;
}

export function sendFramedDocument(reply: FastifyReply, document: string, options: { images: 'none' | 'own' }): FastifyReply {
  reply.header('content-security-policy', policy(options.images));
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  // The app's policy forbids framing; this document exists to be framed by the app's own pages.
  reply.header('x-frame-options', 'SAMEORIGIN');
  return sendPage(reply, 200, document);
}

/** The frame for such a document: sandboxed with no permissions at all. */
export function documentFrame(src: string, title: string, className = 'document-frame'): SafeHtml {
  return html`<iframe class="${className}" src="${src}" title="${title}" sandbox="" referrerpolicy="no-referrer"></iframe>`;
}
