/**
 * MAIL_RATE_PER_SECOND as the receiving server sees it, against the real Redis: slots evenly spaced
 * and shared by every worker process, never a second's worth at once. Only lower bounds on time are
 * asserted (a loaded machine can make the gate slower, never faster).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { makeSendRateGate } from '../../src/infra/send-rate.js';
import { uniqueSuffix } from '../support/harness.js';

const redis = new Redis(inject('redisUrl'));
/** This run's own part of Redis, as every test file's. */
const newPrefix = () => `${inject('redisPrefix')}-rate-${uniqueSuffix()}`;
afterAll(() => redis.disconnect());

describe('the send-rate gate', () => {
  it('spaces messages evenly across two processes, with no burst at the start of a second', async () => {
    const prefix = newPrefix();
    // Two gates on one key: two worker processes of one installation, 50 a second between them.
    const gates = [makeSendRateGate(redis, prefix, 50), makeSendRateGate(redis, prefix, 50)];
    const started = performance.now();
    const passedAt = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        await gates[i % 2]!();
        return performance.now() - started;
      }),
    );
    passedAt.sort((a, b) => a - b);
    // 30 slots 20 ms apart: the last no sooner than 29 × 20 ms after the first (timers may fire a
    // millisecond early), and the first ten take their share too, not a burst.
    expect(passedAt[29]! - passedAt[0]!).toBeGreaterThanOrEqual(29 * 20 - 10);
    expect(passedAt[9]! - passedAt[0]!).toBeGreaterThanOrEqual(9 * 20 - 10);
    // However the calls fall, no 100 ms holds more than its 5 slots and one at the edge.
    for (const at of passedAt) expect(passedAt.filter((t) => t >= at && t < at + 100).length).toBeLessThanOrEqual(6);
  });

  it('lets everything through without Redis when no rate is set', async () => {
    const prefix = newPrefix();
    const gate = makeSendRateGate(redis, prefix, 0);
    await Promise.all(Array.from({ length: 100 }, () => gate()));
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it('keeps its slot key under the installation prefix, gone a minute after the last message', async () => {
    const prefix = newPrefix();
    await makeSendRateGate(redis, prefix, 10)();
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys).toEqual([`${prefix}:send-rate:next-slot`]);
    const ttl = await redis.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
