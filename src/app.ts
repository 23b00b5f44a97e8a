/**
 * The HTTP application as a plugin-composed Fastify instance. `buildApp` does not listen: server.ts
 * does that, and tests drive the same app with `inject()`.
 */
import helmet from '@fastify/helmet';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { campaignRoutes } from './campaigns/campaign-routes.js';
import type { Config } from './config.js';
import { registerErrorHandling, replyWithJsonError } from './http/error-handler.js';
import { deferredBatches } from './infra/deferred-batches.js';
import { healthRoutes } from './http/health-routes.js';
import { requireOrganiser } from './http/organiser-auth.js';
import dbPlugin from './plugins/db.js';
import openapiPlugin from './plugins/openapi.js';
import queuesPlugin from './plugins/queues.js';
import redisPlugin from './plugins/redis.js';
import { MESSAGES_PER_MAIL_JOB, mailJobId, purgeJobId, targetLetterJobId } from './queue/queues.js';
import type { CampaignServiceDeps } from './campaigns/campaign-service.js';
import { privacyRoutes } from './privacy/privacy-routes.js';
import { organiserSupporterRoutes } from './supporters/organiser-supporter-routes.js';
import { publicReplyFileRoutes } from './replies/public-reply-files.js';
import { publicRoutes } from './supporters/public-routes.js';
import { signupBatching, type SupporterServiceDeps } from './supporters/signup-service.js';
import { renderErrorsAsPages } from './web/page-reply.js';
import { preparePublicScope } from './web/public-site.js';
import { makeBroadcastJobs, type BroadcastJobs } from './broadcasts/broadcast-jobs.js';
import { broadcastRoutes } from './broadcasts/broadcast-routes.js';
import { letterRoutes } from './letters/letter-routes.js';
import type { DeliverLetterDeps } from './letters/deliver-letter.js';
import { replyRoutes } from './replies/reply-routes.js';
import { httpIntakeRoutes } from './inbound/http-intake.js';
import { serializeErrorSafely } from './infra/safe-errors.js';
import { metricsRoutes } from './metrics/metrics-routes.js';
import { logoRoutes } from './organisers/logo-routes.js';
import { profileRoutes } from './organisers/profile-routes.js';
import { targetLetterRoutes } from './letters/target-letter-routes.js';
import { suppressionRoutes } from './suppressions/suppression-routes.js';
import { organiserApp } from './organiser-app/organiser-app.js';
import { createMetricsRegistry, registerSignupMetrics } from './metrics/process-metrics.js';
import type { BroadcastServiceDeps } from './broadcasts/broadcast-service.js';

/** How long a transactional mail (a confirmation, a letter copy) may wait for others to share its job. */
const MAIL_QUEUE_LINGER_MS = 20;

/** Where people (not programs) are: the campaign page, the links in mail and the data-rights pages. */
const PUBLIC_PAGE_PATH = /^\/(?:c|confirm|u|privacy|app)(?:[/?]|$)/;

/** Probes that load balancers and Prometheus make every few seconds. */
const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Logs probe requests at `debug`: at `info` they would drown what an operator reads the log for.
 * A probe that errors is still logged as an error.
 */
class ProbesAtDebug extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>) {
    if (!PROBE_ROUTES.has(request.routeOptions.url ?? '')) return super.incomingRequest(request, reply, metadata);
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>) {
    if (error || !PROBE_ROUTES.has(request.routeOptions.url ?? '')) return super.requestCompleted(error, request, reply, metadata);
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      serializers: { err: serializeErrorSafely },
    },
    logController: new ProbesAtDebug(),
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 1024 * 1024,
    // Keep request ids unguessable and echo them so a user's error report can be found in the logs.
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    // Fastify refuses a URL with broken %-encoding before any route or error handler sees it: answer
    // it like every other error, a page for people and the JSON shape for the API.
    frameworkErrors: (error, request, reply) => {
      if (PUBLIC_PAGE_PATH.test(request.url)) renderErrorsAsPages('page')(error, request, reply);
      else void replyWithJsonError(error, request, reply);
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(helmet, {
    // Swagger UI needs its own inline styles and scripts; API responses are JSON.
    contentSecurityPolicy: false,
  });
  await app.register(dbPlugin, { url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  await app.register(redisPlugin, { url: config.REDIS_URL });
  await app.register(queuesPlugin, { prefix: config.REDIS_PREFIX });
  await app.register(openapiPlugin, { publicBaseUrl: config.PUBLIC_BASE_URL, swaggerUi: config.SWAGGER_UI });

  const campaignService: CampaignServiceDeps = {
    db: app.db,
    requestPurge: tolerateOutage(app.log, 'queue the campaign purge', (campaignId: string) =>
      app.queues.add('campaign-purge', 'purge', { campaignId }, purgeJobId(campaignId)),
    ),
  };
  // Nobody waits for a mail job: the mail of the last few milliseconds goes in one job, so a burst
  // of sign-ups costs one Redis round trip, not one per message.
  const mailToQueue = deferredBatches(
    tolerateOutage(app.log, 'queue mail', (messageIds: string[]) =>
      app.queues.add('transactional', 'send', { messageIds }, mailJobId(messageIds[0]!)),
    ),
    { lingerMs: MAIL_QUEUE_LINGER_MS, maxItems: MESSAGES_PER_MAIL_JOB },
  );
  // Registered after the queues plugin, so it runs before the queues close (onClose runs in reverse).
  app.addHook('onClose', () => mailToQueue.drain());
  const metrics = createMetricsRegistry();
  const signupMetrics = registerSignupMetrics(metrics);
  const supporterService: SupporterServiceDeps = {
    db: app.db,
    config,
    queueMail: (messageIds) => mailToQueue.add(messageIds),
    count: { signup: () => signupMetrics.signups.inc(), confirmation: () => signupMetrics.confirmations.inc() },
    ...signupBatching(app.pgPool, app.redis),
  };

  const broadcastService: BroadcastServiceDeps = {
    db: app.db,
    jobs: tolerateQueueOutage(makeBroadcastJobs(app.queues, config.BROADCAST_PARALLELISM), app.log),
  };

  const letterService: DeliverLetterDeps = {
    ...campaignService,
    broadcastJobs: broadcastService.jobs,
    queueTargetLetter: tolerateOutage(app.log, 'queue the letter to the target', (letterId: string) =>
      app.queues.add('target-letter', 'send', { letterId }, targetLetterJobId(letterId)),
    ),
  };

  await app.register(healthRoutes);
  await app.register(metricsRoutes, { registry: metrics, token: config.METRICS_TOKEN });
  await app.register(httpIntakeRoutes, { db: app.db, queues: app.queues, config });
  await app.register(logoRoutes, { db: app.db });
  await app.register(async (site) => {
    await preparePublicScope(site);
    await site.register(publicRoutes, { service: supporterService, publicBaseUrl: config.PUBLIC_BASE_URL });
    await site.register(publicReplyFileRoutes, { db: app.db });
    await site.register(privacyRoutes, { service: supporterService, letterFontDir: config.LETTER_FONT_DIR });
  });
  await app.register(organiserApp, {
    prefix: '/app',
    db: app.db,
    redis: app.redis,
    config,
    queueMail: (messageIds) => mailToQueue.add(messageIds),
    campaigns: campaignService,
    letters: letterService,
    broadcasts: broadcastService,
  });
  await app.register(
    async (api) => {
      // The API speaks JSON only: a text/plain body gets 415 rather than a confusing validation error.
      api.removeContentTypeParser('text/plain');
      requireOrganiser(api, app.db);
      await api.register(campaignRoutes, {
        service: campaignService,
        addresses: { publicBaseUrl: config.PUBLIC_BASE_URL, inboundDomain: config.INBOUND_DOMAIN },
      });
      await api.register(organiserSupporterRoutes, { campaigns: campaignService });
      await api.register(profileRoutes, { db: app.db, publicBaseUrl: config.PUBLIC_BASE_URL, logoMaxBytes: config.ORGANISER_LOGO_MAX_BYTES });
      await api.register(targetLetterRoutes, { campaigns: campaignService });
      await api.register(replyRoutes, {
        campaigns: campaignService,
        jobs: broadcastService.jobs,
        inboundDomain: config.INBOUND_DOMAIN,
        maxAttachmentBytes: config.INBOUND_MAX_BYTES,
        attachmentLimits: { maxCount: config.INBOUND_MAX_ATTACHMENTS, maxTotalBytes: config.INBOUND_MAX_ATTACHMENT_BYTES },
      });
      await api.register(broadcastRoutes, { campaigns: campaignService, broadcasts: broadcastService });
      await api.register(suppressionRoutes, { db: app.db });
      await api.register(letterRoutes, { letters: letterService });
    },
    { prefix: '/api/v1' },
  );

  return app;
}

/**
 * The API records every decision in Postgres first; queuing the matching jobs is an optimisation the
 * workers' sweep repeats from the ledger. So a Redis outage is logged here, not turned into a 500.
 */
function tolerateOutage<A extends unknown[]>(log: FastifyInstance['log'], what: string, run: (...args: A) => Promise<unknown>) {
  return async (...args: A): Promise<void> => {
    try {
      await run(...args);
    } catch (error) {
      log.warn({ err: error, args }, `could not ${what}; the worker sweep will`);
    }
  };
}

function tolerateQueueOutage(jobs: BroadcastJobs, log: FastifyInstance['log']): BroadcastJobs {
  return {
    plan: tolerateOutage(log, 'queue the broadcast planner', jobs.plan),
    startSending: tolerateOutage(log, 'queue send tokens', jobs.startSending),
    removeAll: tolerateOutage(log, 'remove queued broadcast jobs', jobs.removeAll),
  };
}
