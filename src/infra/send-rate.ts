/**
 * A messages-per-second ceiling shared by every worker process: one Redis counter per second.
 * A sender over the ceiling waits for the next second instead of sending.
 */
import type { Redis } from 'ioredis';

export type SendRateGate = () => Promise<void>;

export function makeSendRateGate(redis: Redis, keyPrefix: string, perSecond: number): SendRateGate {
  if (perSecond <= 0) return async () => {};
  return async function waitForSlot() {
    for (;;) {
      const second = Math.floor(Date.now() / 1000);
      const key = `${keyPrefix}:send-rate:${second}`;
      const results = await redis.multi().incr(key).expire(key, 2).exec();
      if (Number(results?.[0]?.[1] ?? 0) <= perSecond) return;
      await new Promise((resolve) => setTimeout(resolve, (second + 1) * 1000 - Date.now() + 1));
    }
  };
}
