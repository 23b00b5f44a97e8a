import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { createRedis } from '../queue/redis-connection.js';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
  }
}

/** The API's Redis connection: a producer, failing fast while Redis is away (see redis-connection.ts). */
export default fp<{ url: string }>(
  async (app, { url }) => {
    const redis = createRedis(url, 'producer', 'campaign-letters-api', (details, message) => app.log.warn(details, message));
    app.decorate('redis', redis);
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  },
  { name: 'redis' },
);
