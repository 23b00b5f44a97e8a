/**
 * What the organiser's screens show about campaigns beyond the campaign row itself: sign-ups over
 * time, supporters by status, and what has happened to the letter and the reply. All of it is read
 * from what the service already records (supporters, target letters, broadcasts and their delivery
 * counts, replies); nothing here writes. Callers pass campaign ids they have already checked are the
 * organiser's own.
 */
import { and, asc, eq, gte, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { broadcastDeliveryCounts, broadcasts, replies, supporters, targetLetters } from '../db/schema.js';
import { listCampaignBroadcastActions, type BroadcastActionEntry } from '../broadcasts/broadcast-actions.js';
import { isLetterBroadcast, isLetterBundle } from '../letters/target-letter-queries.js';
import { actorNames, byWhom } from './acting-users.js';

/** Calendar days as the letters date them. */
const LETTER_TIME_ZONE = 'Europe/London';

export type LetterState = 'not_delivered' | 'delivering' | 'delivered';
export type ReplyState = 'none' | 'received' | 'forwarded';

export interface CampaignActivity {
  signupsLast7Days: number;
  letter: LetterState;
  reply: ReplyState;
}

function strongerLetter(a: LetterState, b: LetterState): LetterState {
  const order: LetterState[] = ['not_delivered', 'delivering', 'delivered'];
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}

/** One row of the campaigns list per id: a few grouped queries for the whole page, not one per campaign. */
export async function campaignActivities(db: Executor, campaignIds: string[]): Promise<Map<string, CampaignActivity>> {
  const result = new Map<string, CampaignActivity>(
    campaignIds.map((id) => [id, { signupsLast7Days: 0, letter: 'not_delivered', reply: 'none' }]),
  );
  if (campaignIds.length === 0) return result;

  const signups = await db
    .select({ campaignId: supporters.campaignId, n: sql<number>`count(*)::int` })
    .from(supporters)
    .where(and(inArray(supporters.campaignId, campaignIds), sql`${supporters.createdAt} >= now() - interval '7 days'`))
    .groupBy(supporters.campaignId);
  for (const row of signups) result.get(row.campaignId)!.signupsLast7Days = row.n;

  const bundles = await db
    .select({ campaignId: targetLetters.campaignId, status: targetLetters.status })
    .from(targetLetters)
    .where(isLetterBundle(inArray(targetLetters.campaignId, campaignIds)));
  const individual = await db
    .select({ campaignId: broadcasts.campaignId, status: broadcasts.status })
    .from(broadcasts)
    .where(isLetterBroadcast(inArray(broadcasts.campaignId, campaignIds)));
  for (const row of [...bundles, ...individual]) {
    const entry = result.get(row.campaignId)!;
    const state: LetterState = row.status === 'sent' || row.status === 'completed' ? 'delivered' : 'delivering';
    entry.letter = strongerLetter(entry.letter, state);
  }

  const received = await db
    .select({ campaignId: replies.campaignId, forwarded: sql<boolean>`bool_or(${replies.status} = 'forwarded')` })
    .from(replies)
    .where(inArray(replies.campaignId, campaignIds))
    .groupBy(replies.campaignId);
  for (const row of received) result.get(row.campaignId)!.reply = row.forwarded ? 'forwarded' : 'received';
  return result;
}

export interface SupporterCounts {
  /** Signed, not yet confirmed their address. */
  pending: number;
  /** Confirmed and still subscribed: who a broadcast would reach (suppressions aside). */
  confirmed: number;
  /** Confirmed, then unsubscribed from this campaign. */
  unsubscribed: number;
}

export async function supporterCounts(db: Executor, campaignId: string): Promise<SupporterCounts> {
  const [row] = await db
    .select({
      pending: sql<number>`count(*) FILTER (WHERE ${supporters.status} = 'unconfirmed')::int`,
      confirmed: sql<number>`count(*) FILTER (WHERE ${supporters.status} = 'confirmed' AND ${supporters.unsubscribedAt} IS NULL)::int`,
      unsubscribed: sql<number>`count(*) FILTER (WHERE ${supporters.status} = 'confirmed' AND ${supporters.unsubscribedAt} IS NOT NULL)::int`,
    })
    .from(supporters)
    .where(eq(supporters.campaignId, campaignId));
  return row ?? { pending: 0, confirmed: 0, unsubscribed: 0 };
}

export interface DayCount {
  /** YYYY-MM-DD, in the letters' time zone. */
  day: string;
  count: number;
}

/**
 * Sign-ups (every signature, confirmed or not) per calendar day from `days` days ago to today, with
 * the days nobody signed as zeros, so a chart's axis is continuous.
 */
export async function signupsPerDay(db: Executor, campaignId: string, days: number, now = new Date()): Promise<DayCount[]> {
  const today = dayIn(now);
  const first = addDays(today, -(days - 1));
  const rows = await db
    .select({
      day: sql<string>`to_char(${supporters.createdAt} AT TIME ZONE ${LETTER_TIME_ZONE}, 'YYYY-MM-DD')`,
      n: sql<number>`count(*)::int`,
    })
    .from(supporters)
    .where(
      and(
        eq(supporters.campaignId, campaignId),
        // A day's start in London, as an instant: midnight there is 23:00 or 00:00 UTC.
        gte(supporters.createdAt, sql`(${first}::date)::timestamp AT TIME ZONE ${LETTER_TIME_ZONE}`),
      ),
    )
    .groupBy(sql`1`);
  const counts = new Map(rows.map((row) => [row.day, row.n]));
  return Array.from({ length: days }, (_, i) => {
    const day = addDays(first, i);
    return { day, count: counts.get(day) ?? 0 };
  });
}

const DAY_FORMAT = new Intl.DateTimeFormat('en-CA', { timeZone: LETTER_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

export function dayIn(instant: Date): string {
  return DAY_FORMAT.format(instant);
}

function addDays(day: string, delta: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + delta);
  return date.toISOString().slice(0, 10);
}

/** `by`: who asked for it, as byWhom says it ("by Jane Doe", "via the API"). */
export type TimelineEvent =
  | { kind: 'created' | 'published' | 'closed'; at: Date }
  | { kind: 'letter_delivered'; at: Date; signatories: number | null; mode: 'bundle' | 'individual'; by: string }
  | { kind: 'letter_delivering'; at: Date; mode: 'bundle' | 'individual'; by: string }
  | { kind: 'reply_received'; at: Date; from: string; status: string; enteredBy?: string | undefined }
  | { kind: 'reply_approved' | 'reply_rejected'; at: Date; from: string; by: string }
  | { kind: 'reply_forwarded'; at: Date; sent: number; finished: boolean }
  | ({ kind: 'broadcast_action' } & BroadcastActionEntry)
  | { kind: 'update_completed'; at: Date; broadcastId: string; subject: string; sent: number };

/** What happened to a campaign, oldest first, from the rows that record each step. */
export async function campaignTimeline(
  db: Executor,
  campaign: { id: string; createdAt: Date; publishedAt: Date | null; closedAt: Date | null },
): Promise<TimelineEvent[]> {
  const events: TimelineEvent[] = [{ kind: 'created', at: campaign.createdAt }];
  if (campaign.publishedAt) events.push({ kind: 'published', at: campaign.publishedAt });
  if (campaign.closedAt) events.push({ kind: 'closed', at: campaign.closedAt });

  const bundles = await db
    .select()
    .from(targetLetters)
    .where(isLetterBundle(eq(targetLetters.campaignId, campaign.id)));

  const sentOf = sql<number>`coalesce((SELECT ${broadcastDeliveryCounts.n} FROM ${broadcastDeliveryCounts}
    WHERE ${broadcastDeliveryCounts.broadcastId} = ${broadcasts.id} AND ${broadcastDeliveryCounts.status} = 'sent'), 0)::int`;
  const sends = await db
    .select({ id: broadcasts.id, kind: broadcasts.kind, subject: broadcasts.subject, audience: broadcasts.audience, replyId: broadcasts.replyId, status: broadcasts.status, startedAt: broadcasts.startedAt, completedAt: broadcasts.completedAt, sent: sentOf, startedBy: broadcasts.startedByUserId })
    .from(broadcasts)
    .where(and(eq(broadcasts.campaignId, campaign.id), isNotNull(broadcasts.startedAt), inArray(broadcasts.status, ['sending', 'paused', 'completed'])))
    .orderBy(asc(broadcasts.startedAt));
  const received = await db
    .select({ at: replies.receivedAt, from: replies.fromAddress, status: replies.status, decidedAt: replies.decidedAt, decidedBy: replies.decidedByUserId, enteredBy: replies.enteredByUserId })
    .from(replies)
    .where(eq(replies.campaignId, campaign.id));
  const names = await actorNames(db, [
    ...bundles.map((letter) => letter.sentByUserId),
    ...sends.map((send) => send.startedBy),
    ...received.flatMap((reply) => [reply.decidedBy, reply.enteredBy]),
  ]);

  for (const letter of bundles) {
    const by = byWhom(names, letter.sentByUserId);
    events.push(
      letter.sentAt
        ? { kind: 'letter_delivered', at: letter.sentAt, signatories: letter.signatories, mode: 'bundle', by }
        : { kind: 'letter_delivering', at: letter.createdAt, mode: 'bundle', by },
    );
  }
  for (const send of sends) {
    const finished = send.status === 'completed';
    if (send.audience === 'target') {
      events.push(
        finished
          ? { kind: 'letter_delivered', at: send.completedAt ?? send.startedAt!, signatories: send.sent, mode: 'individual', by: byWhom(names, send.startedBy) }
          : { kind: 'letter_delivering', at: send.startedAt!, mode: 'individual', by: byWhom(names, send.startedBy) },
      );
    } else if (send.replyId) {
      events.push({ kind: 'reply_forwarded', at: send.startedAt!, sent: send.sent, finished });
    } else if (send.kind === 'update' && finished && send.completedAt) {
      events.push({ kind: 'update_completed', at: send.completedAt, broadcastId: send.id, subject: send.subject, sent: send.sent });
    }
  }
  // Who started, paused, resumed, cancelled or retried each broadcast (the web app's users, or the API).
  for (const action of await listCampaignBroadcastActions(db, campaign.id)) events.push({ kind: 'broadcast_action', ...action });

  for (const reply of received) {
    events.push({ kind: 'reply_received', at: reply.at, from: reply.from, status: reply.status, enteredBy: reply.enteredBy ? byWhom(names, reply.enteredBy) : undefined });
    // decided_at is set only by a person's decision (a forward by the policy has none).
    if (reply.decidedAt) {
      const kind = reply.status === 'rejected' ? 'reply_rejected' : 'reply_approved';
      events.push({ kind, at: reply.decidedAt, from: reply.from, by: byWhom(names, reply.decidedBy) });
    }
  }

  return events.sort((a, b) => a.at.getTime() - b.at.getTime());
}
