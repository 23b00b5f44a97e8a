/**
 * What every public page shares: a strict Content-Security-Policy (no script at all, styles only
 * from our own stylesheet, forms only to ourselves), no caching of pages that carry a personal
 * token, HTML form bodies, and the stylesheet itself.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { renderErrorsAsPages } from './page-reply.js';
import { SITE_CSS } from './site-css.js';

export const PUBLIC_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export async function preparePublicScope(app: FastifyInstance): Promise<void> {
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  // People get pages, whatever goes wrong; the one JSON route here sets the JSON handler for itself.
  app.setErrorHandler(renderErrorsAsPages('page'));
  app.addHook('onSend', async (request, reply) => {
    reply.header('content-security-policy', PUBLIC_CSP);
    // Token links are personal: keep them out of shared caches and browser history caches.
    if (request.url.startsWith('/confirm/') || request.url.startsWith('/u/') || request.url.startsWith('/privacy/')) {
      reply.header('cache-control', 'no-store');
    }
  });
  app.get('/assets/site.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(SITE_CSS),
  );
}
