/**
 * GET /metrics on the API, in Prometheus text format: this process's own metrics (process-metrics.ts)
 * plus the state of the whole service, read at scrape time from Postgres (counter tables, see
 * metrics-queries.ts) and from BullMQ (queue depths). Who may read it: metrics-access.ts.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import { broadcastStatus, deliveryStatus, messageStatus } from '../db/schema.js';
import { UnauthorizedError } from '../errors.js';
import { queueNames } from '../queue/queues.js';
import { checkMetricsAccess } from './metrics-access.js';
import { readServiceFigures, SEND_RATE_WINDOW_SECONDS, type DeliveryKind } from './metrics-queries.js';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const STATUSES_OF: Record<DeliveryKind, readonly string[]> = {
  broadcast: deliveryStatus.enumValues,
  one_to_one: messageStatus.enumValues,
  target_letter: messageStatus.enumValues,
};

function registerServiceGauges(registry: Registry) {
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });
  return {
    up: gauge('campaign_letters_metrics_source_up', 'Whether this scrape could read the source (postgres, redis): 1 yes, 0 no', ['source']),
    deliveries: gauge('campaign_letters_deliveries', 'Ledger rows by kind (broadcast, one_to_one, target_letter) and status', ['kind', 'status']),
    broadcasts: gauge('campaign_letters_broadcasts', 'Broadcasts by status', ['status']),
    sendRate: gauge('campaign_letters_broadcast_sends_per_second', `Broadcast messages accepted per second, all workers, over the last ${SEND_RATE_WINDOW_SECONDS} s`),
    replies: gauge('campaign_letters_replies', 'Official replies recorded, by status and whether they were trusted', ['status', 'trusted']),
    inboundWaiting: gauge('campaign_letters_inbound_waiting', 'Inbound messages stored but not yet processed by a worker'),
    confirmed: gauge('campaign_letters_supporters_confirmed', 'Signatures confirmed, all campaigns, ever (kept through unsubscribe and erasure)'),
    queueJobs: gauge('campaign_letters_queue_jobs', 'BullMQ jobs per queue and state (waiting, active, delayed, failed)', ['queue', 'state']),
  };
}

export const metricsRoutes: FastifyPluginAsync<{ registry: Registry; token: string | undefined }> = async (app, { registry, token }) => {
  const gauges = registerServiceGauges(registry);

  async function readPostgres() {
    const figures = await readServiceFigures(app.db);
    gauges.deliveries.reset();
    for (const [kind, statuses] of Object.entries(STATUSES_OF)) for (const status of statuses) gauges.deliveries.set({ kind, status }, 0);
    for (const { kind, status, n } of figures.deliveries) gauges.deliveries.set({ kind, status }, n);
    gauges.broadcasts.reset();
    for (const status of broadcastStatus.enumValues) gauges.broadcasts.set({ status }, 0);
    for (const { status, n } of figures.broadcasts) gauges.broadcasts.set({ status }, n);
    gauges.replies.reset();
    for (const { status, trusted, n } of figures.replies) gauges.replies.set({ status, trusted: String(trusted) }, n);
    gauges.inboundWaiting.set(figures.inboundWaiting);
    gauges.confirmed.set(figures.confirmedSupporters);
    gauges.sendRate.set(figures.recentlySent / SEND_RATE_WINDOW_SECONDS);
  }

  async function readQueues() {
    const counts = await Promise.all(queueNames.map((name) => app.queues.get(name).getJobCounts(...QUEUE_STATES)));
    queueNames.forEach((queue, index) => {
      for (const state of QUEUE_STATES) gauges.queueJobs.set({ queue, state }, counts[index]![state] ?? 0);
    });
  }

  /** A source that is down leaves its figures out (not stale, not zero) and says so in `…_source_up`. */
  async function refresh(source: 'postgres' | 'redis', read: () => Promise<void>) {
    try {
      await read();
      gauges.up.set({ source }, 1);
    } catch (error) {
      app.log.warn({ err: error, source }, 'metrics: could not read the service state');
      gauges.up.set({ source }, 0);
      if (source === 'postgres') for (const g of [gauges.deliveries, gauges.broadcasts, gauges.replies, gauges.inboundWaiting, gauges.confirmed, gauges.sendRate]) g.reset();
      else gauges.queueJobs.reset();
    }
  }

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const access = checkMetricsAccess(token, { headers: request.headers, remoteAddress: request.socket.remoteAddress });
    if (access === 'hidden') return reply.callNotFound();
    if (access === 'unauthorised') {
      reply.header('www-authenticate', 'Bearer');
      throw new UnauthorizedError('Send Authorization: Bearer <METRICS_TOKEN>');
    }
    await Promise.all([refresh('postgres', readPostgres), refresh('redis', readQueues)]);
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};
