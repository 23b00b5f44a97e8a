/** `npm run migrate`: apply pending migrations to DATABASE_URL, then exit. */
import { loadConfig } from '../config.js';
import { assertPostgresReachable } from '../infra/reachability.js';
import { runMain } from '../infra/run-main.js';
import { runMigrations } from './migrate.js';

await runMain(async () => {
  const config = loadConfig();
  await assertPostgresReachable(config.DATABASE_URL);
  await runMigrations(config.DATABASE_URL);
  console.log('migrations applied');
});
