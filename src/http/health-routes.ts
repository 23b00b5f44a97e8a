/**
 * /healthz: the process is up (for restarts). /readyz: it can do its work, i.e. Postgres and Redis
 * answer (for load balancers: take the instance out of rotation, don't kill it).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { z } from 'zod';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function check(run: () => Promise<unknown>, what: string): Promise<string> {
  try {
    await withTimeout(run(), what);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The API's Redis connection refuses commands until connected (no offline queue), so a probe right
 * after start-up, or during a reconnect, waits for it (bounded by the check's timeout).
 */
async function redisConnected(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'end') throw new Error('Redis connection is closed');
  try {
    // once() with a signal removes its listener on timeout, so probes during an outage do not pile up.
    await once(redis, 'ready', { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
  } catch {
    throw new Error(`Redis connection is ${redis.status}`);
  }
}

const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ postgres: z.string(), redis: z.string() }),
});

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', { schema: { tags: ['operations'], response: { 200: z.object({ status: z.literal('ok') }) } } }, () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    { schema: { tags: ['operations'], response: { 200: readiness, 503: readiness } } },
    async (_request, reply) => {
      const [postgres, redis] = await Promise.all([
        check(() => app.pgPool.query('SELECT 1'), 'PostgreSQL'),
        check(async () => {
          await redisConnected(app.redis);
          await app.redis.ping();
        }, 'Redis'),
      ]);
      const ready = postgres === 'ok' && redis === 'ok';
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { postgres, redis } });
    },
  );
};
