/**
 * `npm start`: the API process. Listens, and on SIGTERM/SIGINT stops accepting connections, lets
 * in-flight requests finish, closes Postgres and Redis, then exits.
 */
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { assertPostgresReachable, assertRedisReachable } from './infra/reachability.js';
import { runMain } from './infra/run-main.js';
import { onShutdownSignal } from './infra/shutdown.js';

await runMain(async () => {
  const config = loadConfig();
  await assertPostgresReachable(config.DATABASE_URL);
  await assertRedisReachable(config.REDIS_URL);
  const app = await buildApp(config);
  await app.listen({ host: config.HOST, port: config.PORT });
  onShutdownSignal(config.SHUTDOWN_TIMEOUT_MS, app.log, () => app.close());
});
