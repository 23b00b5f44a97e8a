/** `npm run worker`: the worker process. Scale out by running more of them. */
import { loadConfig } from '../src/config.js';
import { assertPostgresReachable, assertRedisReachable } from '../src/infra/reachability.js';
import { runMain } from '../src/infra/run-main.js';
import { createLogger } from '../src/infra/logger.js';
import { onShutdownSignal } from '../src/infra/shutdown.js';
import { startWorkers } from './start-workers.js';

await runMain(async () => {
  const config = loadConfig();
  await assertPostgresReachable(config.DATABASE_URL);
  await assertRedisReachable(config.REDIS_URL);
  const log = createLogger(config.LOG_LEVEL, 'worker');
  const workers = await startWorkers(config, log);
  log.info({ concurrency: config.WORKER_CONCURRENCY, metricsPort: workers.metricsPort }, 'workers ready');
  onShutdownSignal(config.SHUTDOWN_TIMEOUT_MS, log, () => workers.close());
});
