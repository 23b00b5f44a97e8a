/**
 * Queuing a broadcast's work: the planner job and the send tokens (BROADCAST_PARALLELISM of them,
 * fixed ids, so queuing them again — from the API, the planner or the sweep — never multiplies them).
 */
import type { Queues } from '../queue/queues.js';
import { planJobId, sendTokenId } from '../queue/queues.js';

export function makeBroadcastJobs(queues: Queues, parallelism: number) {
  const slots = Array.from({ length: parallelism }, (_, slot) => slot);
  return {
    plan: async (broadcastId: string): Promise<void> => {
      await queues.add('broadcast-plan', 'plan', { broadcastId }, planJobId(broadcastId));
    },
    startSending: async (broadcastId: string): Promise<void> => {
      await queues.addBulk(
        'broadcast-send',
        slots.map((slot) => ({ name: 'send', data: { broadcastId, slot, phase: 0 as const }, jobId: sendTokenId(broadcastId, slot, 0) })),
      );
    },
    /** Cancel leaves nothing waiting in Redis: a token already running ends at its status check. */
    removeAll: async (broadcastId: string): Promise<void> => {
      await queues.remove('broadcast-plan', [planJobId(broadcastId)]);
      await queues.remove(
        'broadcast-send',
        slots.flatMap((slot) => [sendTokenId(broadcastId, slot, 0), sendTokenId(broadcastId, slot, 1)]),
      );
    },
  };
}

export type BroadcastJobs = ReturnType<typeof makeBroadcastJobs>;
