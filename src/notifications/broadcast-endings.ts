/**
 * A broadcast ending by itself (completed, or paused by its error budget) and the organiser's owners
 * told of it: the status change and the notification rows in one transaction, so the mail is
 * written exactly when the change happens, once, and sent even if queuing it fails (the sweep).
 */
import { transitionBroadcast } from '../broadcasts/broadcast-queries.js';
import { completeIfFinished } from '../broadcasts/delivery-ledger.js';
import type { Database } from '../db/client.js';
import type { QueueMail } from './queue-notifications.js';
import { recordBroadcastEnded } from './record-notification.js';

export async function completeAndTell(db: Database, queueMail: QueueMail, broadcast: { id: string; organiserId: string }): Promise<boolean> {
  const told = await db.transaction(async (tx) => {
    if (!(await completeIfFinished(tx, broadcast.id))) return undefined;
    return recordBroadcastEnded(tx, { ...broadcast, updatedAt: new Date() }, { kind: 'broadcast_completed' });
  });
  if (!told) return false;
  await queueMail(told);
  return true;
}

export async function pauseAndTell(db: Database, queueMail: QueueMail, broadcast: { id: string; organiserId: string }, reason: string): Promise<void> {
  const told = await db.transaction(async (tx) => {
    const paused = await transitionBroadcast(tx, broadcast.id, ['sending'], { status: 'paused', pausedReason: reason });
    return paused ? recordBroadcastEnded(tx, { ...broadcast, updatedAt: paused.updatedAt }, { kind: 'broadcast_paused', reason }) : [];
  });
  await queueMail(told);
}
