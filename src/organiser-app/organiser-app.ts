/**
 * The organiser web app, registered under /app: server-rendered pages on the same services and
 * rules as the API. Everything here is behind the session guard (app-guard.ts) except the sign-in
 * pages, every state-changing request carries a CSRF token, and every query is scoped to the
 * signed-in user's organiser.
 */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { sendPage } from '../web/page-reply.js';
import { PUBLIC_CSP } from '../web/public-site.js';
import { APP_HOME, guardOrganiserApp } from './app-guard.js';
import { notFoundAppPage, renderAppErrors } from './app-errors.js';
import type { AppContext, OrganiserAppOptions } from './app-context.js';
import { accountRoutes } from './account-routes.js';
import { broadcastAppRoutes } from './broadcast-app-routes.js';
import { campaignEditorRoutes } from './campaign-editor-routes.js';
import { campaignOverviewRoutes } from './campaign-overview-routes.js';
import { letterScreenRoutes } from './letter-screen-routes.js';
import { replyScreenRoutes } from './reply-screen-routes.js';
import { collectUpload } from './uploads.js';
import { profileSettingsRoutes } from './profile-settings-routes.js';
import { settingsRoutes } from './settings-routes.js';
import { signInRoutes } from './sign-in-routes.js';
import { suppressionsRoutes } from './suppressions-routes.js';

/**
 * The public pages' policy, plus our own scripts (which only enhance pages that work without them),
 * and frames of our own: the sandboxed documents that show a letter or a reply (see framed-document.ts).
 */
export const APP_CSP = `${PUBLIC_CSP}; script-src 'self'; connect-src 'self'; frame-src 'self'`;

export async function organiserApp(app: FastifyInstance, options: OrganiserAppOptions): Promise<void> {
  // Named, not spread: the options Fastify passes in also hold this plugin's prefix, which the
  // route plugins given the context must not add a second time.
  const context: AppContext = {
    db: options.db,
    redis: options.redis,
    config: options.config,
    queueMail: options.queueMail,
    campaigns: options.campaigns,
    letters: options.letters,
    broadcasts: options.broadcasts,
    sessions: { idleMinutes: options.config.SESSION_IDLE_MINUTES, maxHours: options.config.SESSION_MAX_HOURS },
    cookies: {
      secure: options.config.PUBLIC_BASE_URL.startsWith('https:'),
      sessionMaxAgeSeconds: options.config.SESSION_MAX_HOURS * 60 * 60,
    },
  };
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  // Multipart forms (a reply that came by post, with its PDF) are read before the guard's CSRF check,
  // which finds their token among the fields like any form's; files are kept on the request.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    onFile: collectUpload,
    limits: { fileSize: options.config.INBOUND_MAX_BYTES, files: 5, fields: 20, fieldSize: 1_000_000 },
  });
  app.addHook('onSend', async (_request, reply) => {
    // A framed document sets its own, stricter policy; everything else gets the app's.
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', APP_CSP);
    // Every page here is personal (and sign-in links carry a secret): never cached, anywhere.
    reply.header('cache-control', 'no-store');
  });
  guardOrganiserApp(app, { db: options.db, secret: options.config.SECRET_KEY, sessions: context.sessions, cookies: context.cookies });
  app.setErrorHandler(renderAppErrors);
  app.setNotFoundHandler((request, reply) => sendPage(reply, 404, notFoundAppPage(request)));

  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect(APP_HOME, 303));
  await app.register(signInRoutes, context);
  await app.register(accountRoutes, context);
  await app.register(campaignEditorRoutes, { service: context.campaigns });
  await app.register(campaignOverviewRoutes, {
    service: context.campaigns,
    addresses: { publicBaseUrl: options.config.PUBLIC_BASE_URL, inboundDomain: options.config.INBOUND_DOMAIN },
  });
  await app.register(letterScreenRoutes, context);
  await app.register(replyScreenRoutes, context);
  await app.register(broadcastAppRoutes, { campaigns: context.campaigns, broadcasts: context.broadcasts, queueMail: context.queueMail });
  await app.register(settingsRoutes, context);
  await app.register(profileSettingsRoutes, context);
  await app.register(suppressionsRoutes, context);
}
