/**
 * What this benchmark run measures (its command-line arguments) and the names it runs under: a
 * fresh database and Redis key prefix of its own, removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { databaseUrlOn } from '../scripts/throwaway-database.js';

const { values: args } = parseArgs({
  options: {
    supporters: { type: 'string' },
    workers: { type: 'string', default: '2' },
    smoke: { type: 'boolean', default: false },
    'skip-dkim': { type: 'boolean', default: false },
    profile: { type: 'string' },
    'signup-only': { type: 'boolean', default: false },
    'fan-out-only': { type: 'boolean', default: false },
  },
});

export const SMOKE = args.smoke ?? false;
export const SKIP_DKIM = args['skip-dkim'] ?? false;
export const SIGNUP_ONLY = args['signup-only'] ?? false;
export const FAN_OUT_ONLY = args['fan-out-only'] ?? false;
export const SUPPORTERS = Number(args.supporters ?? (SMOKE ? 1_000 : 100_000));
export const WORKERS = Number(args.workers);
export const SIGNUP_SECONDS = SMOKE ? 2 : 10;
/** The loads (autocannon connections) at which both sign-up routes are measured. */
export const SIGNUP_CONNECTIONS = SMOKE ? [20] : [20, 50, 100];
/** The worker's heap bound, as docker-compose.yml starts it. */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=128'];
/** `--profile DIR`: the API, bare-route and worker processes write V8 CPU profiles there. */
export const NODE_FLAGS = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];

/** Any database on the Postgres server; the run makes its own there. */
export const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
export const database = `cl_bench_${runId}`;
export const prefix = `clbench-${runId}`;

export const dbUrl = databaseUrlOn(serverUrl, database);

/** Progress goes to stderr: stdout carries only the table and the JSON line. */
export function log(line: string) {
  process.stderr.write(`${line}\n`);
}
