/**
 * One pg pool and the drizzle handle over it. Every process (API, worker, CLI) opens exactly one.
 */
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { throttledErrorLog, type ConnectionErrorLog } from '../queue/redis-connection.js';
import * as schema from './schema.js';

export type Database = NodePgDatabase<typeof schema>;
/** What queries need: the database itself or a transaction on it. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

export interface DatabaseHandle {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function openDatabase(
  url: string,
  options: { poolSize?: number; applicationName?: string; log?: ConnectionErrorLog } = {},
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'campaign-letters',
    // Fail fast when Postgres is down instead of hanging a request until the client gives up.
    connectionTimeoutMillis: 5_000,
  });
  // An idle client that loses its connection (Postgres restart) emits here; without a listener the
  // process would crash. The pool discards that client and the next query opens a new one.
  pool.on('error', throttledErrorLog(options.log, 'PostgreSQL'));
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}
