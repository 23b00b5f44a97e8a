/**
 * Queries for contacts and supporters.
 */
import { and, desc, eq, ilike, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { slugSchema } from '../campaigns/campaign-schemas.js';
import type { Executor } from '../db/client.js';
import {
  campaigns,
  contacts,
  supporters,
  transactionalMessages,
  type CampaignRow,
} from '../db/schema.js';

export type SupporterRow = typeof supporters.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;

export async function findCampaignBySlug(db: Executor, slug: string): Promise<CampaignRow | undefined> {
  // A slug that no campaign can have is not looked up: a NUL in it would make Postgres fail the query.
  if (!slugSchema.safeParse(slug).success) return undefined;
  const [row] = await db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.slug, slug), isNull(campaigns.deletedAt)));
  return row;
}

export async function findSupporter(db: Executor, campaignId: string, contactId: string): Promise<SupporterRow | undefined> {
  const [row] = await db
    .select()
    .from(supporters)
    .where(and(eq(supporters.campaignId, campaignId), eq(supporters.contactId, contactId)));
  return row;
}

/**
 * Claims the right to send another confirmation mail: true at most once per `minutes`, however many
 * sign-ups race, because the time check and the write are one conditional UPDATE.
 */
export async function claimConfirmationResend(db: Executor, supporterId: string, minutes: number): Promise<boolean> {
  const rows = await db
    .update(supporters)
    .set({ confirmationSentAt: sql`now()` })
    .where(
      and(
        eq(supporters.id, supporterId),
        or(isNull(supporters.confirmationSentAt), lt(supporters.confirmationSentAt, sql`now() - make_interval(mins => ${minutes})`)),
      ),
    )
    .returning({ id: supporters.id });
  return rows.length > 0;
}

export interface SupporterContext {
  supporter: SupporterRow;
  contact: ContactRow;
  campaign: CampaignRow;
}

/** A supporter with their contact and campaign; `forUpdate` locks the supporter row. */
export async function loadSupporterContext(
  db: Executor,
  supporterId: string,
  options: { forUpdate?: boolean } = {},
): Promise<SupporterContext | undefined> {
  const query = db
    .select({ supporter: supporters, contact: contacts, campaign: campaigns })
    .from(supporters)
    .innerJoin(contacts, eq(contacts.id, supporters.contactId))
    .innerJoin(campaigns, eq(campaigns.id, supporters.campaignId))
    .where(eq(supporters.id, supporterId));
  const [row] = options.forUpdate ? await query.for('update', { of: supporters }) : await query;
  return row;
}

export async function incrementSupporterCount(db: Executor, campaignId: string): Promise<void> {
  await db
    .update(campaigns)
    .set({ supporterCount: sql`${campaigns.supporterCount} + 1` })
    .where(eq(campaigns.id, campaignId));
}

export interface SupporterListFilter {
  status?: 'confirmed' | 'unconfirmed' | undefined;
  subscribed?: boolean | undefined;
  /** Matches the start of the name or of the email address, case-insensitively. */
  search?: string | undefined;
}

/** A LIKE pattern matching text that starts with `value` (its wildcards taken literally). */
export function likePrefix(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`) + '%';
}

/**
 * Keyset page of a campaign's supporters with their email, newest first. Uses
 * supporters_campaign_created_idx (campaign_id, created_at DESC, id DESC); the cursor keeps
 * created_at as Postgres text so no microsecond is lost.
 */
export async function listSupporterPage(
  db: Executor,
  campaignId: string,
  options: { limit: number; after?: { createdAt: string; id: string } | undefined; filter: SupporterListFilter },
) {
  const conditions: SQL[] = [eq(supporters.campaignId, campaignId)];
  const { status, subscribed, search } = options.filter;
  if (status) conditions.push(eq(supporters.status, status));
  if (subscribed === true) conditions.push(isNull(supporters.unsubscribedAt));
  if (subscribed === false) conditions.push(sql`${supporters.unsubscribedAt} IS NOT NULL`);
  if (search) conditions.push(or(ilike(supporters.name, likePrefix(search)), ilike(contacts.email, likePrefix(search)))!);
  if (options.after) {
    const after = sql`${options.after.createdAt}::timestamptz`;
    conditions.push(
      or(lt(supporters.createdAt, after), and(eq(supporters.createdAt, after), lt(supporters.id, options.after.id)))!,
    );
  }
  return db
    .select({ supporter: supporters, email: contacts.email, cursorCreatedAt: sql<string>`${supporters.createdAt}::text` })
    .from(supporters)
    .innerJoin(contacts, eq(contacts.id, supporters.contactId))
    .where(and(...conditions))
    .orderBy(desc(supporters.createdAt), desc(supporters.id))
    .limit(options.limit);
}

/** Everything held about one contact, for their data download. */
export async function loadContactData(db: Executor, contactId: string) {
  const [contact] = await db.select().from(contacts).where(eq(contacts.id, contactId));
  if (!contact) return undefined;
  const signatures = await db
    .select({ supporter: supporters, campaignTitle: campaigns.title, campaignSlug: campaigns.slug })
    .from(supporters)
    .innerJoin(campaigns, eq(campaigns.id, supporters.campaignId))
    .where(eq(supporters.contactId, contactId))
    .orderBy(supporters.createdAt);
  const messages = signatures.length
    ? await db
        .select()
        .from(transactionalMessages)
        .where(inArray(transactionalMessages.supporterId, signatures.map((s) => s.supporter.id)))
        .orderBy(transactionalMessages.createdAt)
    : [];
  return { contact, signatures, messages };
}

export async function deleteContact(db: Executor, contactId: string): Promise<void> {
  await db.delete(contacts).where(eq(contacts.id, contactId));
}

export async function findLatestSupporterOfEmail(db: Executor, email: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: supporters.id })
    .from(supporters)
    .innerJoin(contacts, eq(contacts.id, supporters.contactId))
    .where(eq(contacts.email, email))
    .orderBy(desc(supporters.createdAt))
    .limit(1);
  return row?.id;
}

export async function markSupporterConfirmed(db: Executor, supporterId: string, at: Date): Promise<void> {
  await db.update(supporters).set({ status: 'confirmed', confirmedAt: at }).where(eq(supporters.id, supporterId));
}

export async function setSupporterUnsubscribed(db: Executor, supporterId: string, at: Date | null): Promise<void> {
  await db.update(supporters).set({ unsubscribedAt: at }).where(eq(supporters.id, supporterId));
}

/**
 * "Unsubscribe from all campaigns of this organisation": every signature the person has with the
 * organiser is marked, so a later fresh opt-in to one campaign cannot silently re-subscribe the others.
 */
export async function unsubscribeContactFromOrganiser(db: Executor, contactId: string, organiserId: string): Promise<void> {
  await db
    .update(supporters)
    .set({ unsubscribedAt: sql`now()` })
    .where(
      and(
        eq(supporters.contactId, contactId),
        isNull(supporters.unsubscribedAt),
        sql`${supporters.campaignId} IN (SELECT ${campaigns.id} FROM ${campaigns} WHERE ${campaigns.organiserId} = ${organiserId})`,
      ),
    );
}
