/**
 * Who moved a broadcast, recorded with the move (table broadcast_actions): a user signed in to the
 * web app, or an integration with an API key. Read back for the campaign's timeline.
 */
import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { broadcastActions, broadcasts, users } from '../db/schema.js';
import type { BroadcastRow, BroadcastStatus } from './broadcast-queries.js';

/** Who acts: the signed-in user (web app), or an API key (whose organiser is all we know). */
export type BroadcastActor = { via: 'app'; userId: string } | { via: 'api' };

export type RecordedAction = (typeof broadcastActions.$inferSelect)['action'];

/** The action's name in the API's routes ('retry-failed') as the ledger spells it ('retry_failed'). */
function actionName(action: 'start' | 'pause' | 'resume' | 'cancel' | 'retry-failed'): RecordedAction {
  return action === 'retry-failed' ? 'retry_failed' : action;
}

export async function recordBroadcastAction(
  tx: Executor,
  entry: { broadcastId: string; action: 'start' | 'pause' | 'resume' | 'cancel' | 'retry-failed'; status: BroadcastStatus; actor: BroadcastActor },
): Promise<void> {
  await tx.insert(broadcastActions).values({
    broadcastId: entry.broadcastId,
    action: actionName(entry.action),
    status: entry.status,
    via: entry.actor.via,
    userId: entry.actor.via === 'app' ? entry.actor.userId : null,
  });
}

export interface BroadcastActionEntry {
  at: Date;
  action: RecordedAction;
  status: BroadcastStatus;
  broadcast: Pick<BroadcastRow, 'id' | 'kind' | 'subject' | 'audience'>;
  /** Who, as people call them: the user's name or address; null for an API key or a removed user. */
  by: string | null;
  via: 'app' | 'api';
}

/** Every recorded action on the campaign's broadcasts, oldest first (broadcast_actions_broadcast_idx per broadcast). */
export async function listCampaignBroadcastActions(db: Executor, campaignId: string): Promise<BroadcastActionEntry[]> {
  const rows = await db
    .select({
      at: broadcastActions.createdAt,
      action: broadcastActions.action,
      status: broadcastActions.status,
      via: broadcastActions.via,
      broadcast: { id: broadcasts.id, kind: broadcasts.kind, subject: broadcasts.subject, audience: broadcasts.audience },
      userName: users.name,
      userEmail: users.email,
    })
    .from(broadcastActions)
    .innerJoin(broadcasts, eq(broadcasts.id, broadcastActions.broadcastId))
    .leftJoin(users, eq(users.id, broadcastActions.userId))
    .where(eq(broadcasts.campaignId, campaignId))
    .orderBy(asc(broadcastActions.createdAt))
    .limit(500);
  return rows.map(({ userName, userEmail, ...row }) => ({ ...row, by: userName ?? userEmail ?? null }));
}
