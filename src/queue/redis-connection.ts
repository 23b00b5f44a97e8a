/**
 * BullMQ wants different Redis behaviour from the two sides of a queue:
 * - a worker blocks on Redis and must keep retrying through an outage (`maxRetriesPerRequest: null`),
 *   or it would stop taking jobs after the first blip;
 * - a producer inside an HTTP request must fail fast while Redis is down (no offline queue), so the
 *   request gets an answer and the Postgres row that triggered the job is picked up by a sweep later.
 */
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'worker' | 'producer' | 'probe';

const roleOptions: Record<RedisRole, RedisOptions> = {
  worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
  producer: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
  probe: { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2_000 },
};

/** Where connection errors are reported: a pino logger's warn, typically. */
export type ConnectionErrorLog = (details: { err: unknown }, message: string) => void;

/** Reports a flapping connection once per minute rather than on every reconnect attempt. */
export function throttledErrorLog(log: ConnectionErrorLog | undefined, what: string): (error: unknown) => void {
  let lastAt = 0;
  return (error) => {
    if (!log || Date.now() - lastAt < 60_000) return;
    lastAt = Date.now();
    log({ err: error }, `${what} connection error (it reconnects by itself)`);
  };
}

export function createRedis(url: string, role: RedisRole, connectionName = `campaign-letters-${role}`, log?: ConnectionErrorLog): Redis {
  const redis = new Redis(url, { ...roleOptions[role], connectionName });
  // ioredis reconnects by itself; without a listener an 'error' event would crash the process.
  redis.on('error', throttledErrorLog(log, 'Redis'));
  return redis;
}
