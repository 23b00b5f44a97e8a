/** `npm run inbound`: the inbound SMTP listener, its own process (see smtp-listener.ts). */
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { assertPostgresReachable, assertRedisReachable } from '../infra/reachability.js';
import { runMain } from '../infra/run-main.js';
import { createLogger } from '../infra/logger.js';
import { onShutdownSignal } from '../infra/shutdown.js';
import { Queues } from '../queue/queues.js';
import { createRedis } from '../queue/redis-connection.js';
import { startConfiguredMetricsServer } from '../metrics/metrics-server.js';
import { createMetricsRegistry, registerInboundSmtp } from '../metrics/process-metrics.js';
import { startInboundListener } from './smtp-listener.js';

await runMain(async () => {
  const config = loadConfig();
  await assertPostgresReachable(config.DATABASE_URL);
  await assertRedisReachable(config.REDIS_URL);
  const log = createLogger(config.LOG_LEVEL, 'inbound');
  const metrics = createMetricsRegistry();
  const answered = registerInboundSmtp(metrics);
  // First, so a port already in use stops start-up before anything is opened.
  const metricsServer = await startConfiguredMetricsServer(metrics, config, log);
  const warn = (details: { err: unknown }, message: string) => log.warn(details, message);
  const database = openDatabase(config.DATABASE_URL, { poolSize: 5, applicationName: 'campaign-letters-inbound', log: warn });
  const redis = createRedis(config.REDIS_URL, 'producer', 'campaign-letters-inbound', warn);
  const queues = new Queues(redis, config.REDIS_PREFIX);
  const listener = await startInboundListener(config, { db: database.db, queues, redis, log, answered });
  log.info({ port: listener.port, domain: config.INBOUND_DOMAIN, metricsPort: metricsServer?.port }, 'inbound SMTP listening');
  onShutdownSignal(config.SHUTDOWN_TIMEOUT_MS, log, async () => {
    await metricsServer?.close();
    await listener.close();
    await queues.close();
    await redis.quit().catch(() => undefined);
    await database.close();
  });
});
