/**
 * A fixed-window counter in Redis, shared by every API process: INCR, and on the first hit of a
 * window set its expiry. Used where the key is not the client IP (e.g. per email address), which
 * @fastify/rate-limit cannot see because it runs before the body is parsed.
 */
import type { Redis } from 'ioredis';

export interface LimitResult {
  allowed: boolean;
  retryAfterSeconds: number;
}

export async function hitFixedWindow(redis: Redis, key: string, limit: number, windowSeconds: number): Promise<LimitResult> {
  const results = await redis.multi().incr(key).expire(key, windowSeconds, 'NX').ttl(key).exec();
  const count = Number(results?.[0]?.[1] ?? 0);
  const ttl = Number(results?.[2]?.[1] ?? windowSeconds);
  return { allowed: count <= limit, retryAfterSeconds: Math.max(1, ttl) };
}
