/**
 * A messages-per-second ceiling shared by every worker process, as evenly spaced slots: each
 * sender takes the next free slot from one Redis key (on Redis's clock, so every process agrees)
 * and waits until it comes. At 80 a second a message goes every 12.5 ms, not 80 at the top of each
 * second as fast as the connection takes them: the receiving server sees the rate it was promised,
 * and a worker killed mid-send has at most a few milliseconds of acceptances not yet recorded.
 */
import type { Redis } from 'ioredis';

export type SendRateGate = () => Promise<void>;

// KEYS[1]: when the next slot is free (ms, Redis's clock); ARGV[1]: ms between slots.
// Returns how long the caller waits for the slot it took. The key outlives a pause of a minute.
const TAKE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], string.format('%.3f', slot + tonumber(ARGV[1])), 'PX', 60000)
return math.ceil(slot - now)
`;

export function makeSendRateGate(redis: Redis, keyPrefix: string, perSecond: number): SendRateGate {
  if (perSecond <= 0) return async () => {};
  const key = `${keyPrefix}:send-rate:next-slot`;
  const interval = String(1000 / perSecond);
  return async function waitForSlot() {
    const waitMs = Number(await redis.eval(TAKE_SLOT, 1, key, interval));
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  };
}
