/**
 * `npm start`: the API process. Listens, and on SIGTERM/SIGINT stops accepting connections, lets
 * in-flight requests finish, closes Postgres and Redis, then exits.
 */
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { assertPostgresReachable, assertRedisReachable } from './infra/reachability.js';
import { runMain } from './infra/run-main.js';
import { onShutdownSignal } from './infra/shutdown.js';
import { explainListenError } from './infra/startup-error.js';

await runMain(async () => {
  const config = loadConfig();
  await assertPostgresReachable(config.DATABASE_URL);
  await assertRedisReachable(config.REDIS_URL);
  const app = await buildApp(config);
  try {
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw explainListenError(error as Error, { host: config.HOST, port: config.PORT, variable: 'PORT', hostVariable: 'HOST' });
  }
  onShutdownSignal(config.SHUTDOWN_TIMEOUT_MS, app.log, () => app.close());
});
