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

export interface Window {
  key: string;
  limit: number;
  windowSeconds: number;
}

// Per key: count the hit, start the window on the first hit, and report the count and the seconds left.
const HIT_WINDOWS = `
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  out[#out + 1] = count
  out[#out + 1] = redis.call('TTL', key)
end
return out`;

/**
 * Several windows counted in one round trip (e.g. per IP and per email address for one sign-up).
 * A script rather than MULTI: ioredis copies every script BullMQ defined on the connection into
 * each MULTI it builds, a cost every sign-up would pay.
 */
export async function hitFixedWindows(redis: Redis, windows: Window[]): Promise<LimitResult[]> {
  const keys = windows.map((window) => window.key);
  const seconds = windows.map((window) => String(window.windowSeconds));
  const results = (await redis.eval(HIT_WINDOWS, keys.length, ...keys, ...seconds)) as number[];
  return windows.map(({ limit, windowSeconds }, i) => {
    const count = Number(results[i * 2] ?? 0);
    const ttl = Number(results[i * 2 + 1] ?? windowSeconds);
    return { allowed: count <= limit, retryAfterSeconds: Math.max(1, ttl) };
  });
}
