/**
 * Sign-in links (table sign_in_links): issued with their mail in one transaction (the mail is a row
 * of the one-to-one mail ledger, sent by the transactional worker), single use, 15 minutes.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { organisers, signInLinks, transactionalMessages, users } from '../db/schema.js';
import { hashToken, looksLikeSecretToken, signInLinkToken } from './session-tokens.js';

export const SIGN_IN_LINK_MINUTES = 15;

/** Writes a link for the user and the ledger row that mails it; returns the ledger row's id to queue. */
export async function issueSignInLink(db: Database, secret: string, userId: string, invitedBy?: string): Promise<string> {
  const id = randomUUID();
  return db.transaction(async (tx) => {
    // Links used or expired are only dead rows: tidy this user's when issuing another.
    await tx
      .delete(signInLinks)
      .where(and(eq(signInLinks.userId, userId), or(lt(signInLinks.expiresAt, sql`now()`), sql`${signInLinks.usedAt} IS NOT NULL`)));
    await tx.insert(signInLinks).values({
      id,
      userId,
      tokenHash: hashToken(signInLinkToken(secret, id)),
      invitedBy: invitedBy ?? null,
      expiresAt: sql`now() + make_interval(mins => ${SIGN_IN_LINK_MINUTES})`,
    });
    const [message] = await tx
      .insert(transactionalMessages)
      .values({ signInLinkId: id, kind: 'sign_in_link' })
      .returning({ id: transactionalMessages.id });
    return message!.id;
  });
}

const usable = () => and(isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, sql`now()`));

/** Whether a link's token is one we issued and is still unused and in time (the GET of the link). */
export async function isUsableSignInToken(db: Database, token: string): Promise<boolean> {
  if (!looksLikeSecretToken(token)) return false;
  const [row] = await db
    .select({ id: signInLinks.id })
    .from(signInLinks)
    .where(and(eq(signInLinks.tokenHash, hashToken(token)), usable()));
  return row !== undefined;
}

/** Uses the link up, in one conditional UPDATE (two presses of the button sign in once): its user's id. */
export async function consumeSignInToken(db: Database, token: string): Promise<string | undefined> {
  if (!looksLikeSecretToken(token)) return undefined;
  const [row] = await db
    .update(signInLinks)
    .set({ usedAt: sql`now()` })
    .where(and(eq(signInLinks.tokenHash, hashToken(token)), usable()))
    .returning({ userId: signInLinks.userId });
  return row?.userId;
}

export interface SignInMailContext {
  linkId: string;
  invitedBy: string | null;
  usable: boolean;
  email: string;
  name: string | null;
  organiserName: string;
}

/** What the worker needs to write a sign-in mail, or undefined when the link (or its user) is gone. */
export async function loadSignInMailContext(db: Database, linkId: string): Promise<SignInMailContext | undefined> {
  const [row] = await db
    .select({
      linkId: signInLinks.id,
      invitedBy: signInLinks.invitedBy,
      usable: sql<boolean>`${signInLinks.usedAt} IS NULL AND ${signInLinks.expiresAt} > now()`,
      email: users.email,
      name: users.name,
      organiserName: organisers.name,
    })
    .from(signInLinks)
    .innerJoin(users, eq(users.id, signInLinks.userId))
    .innerJoin(organisers, eq(organisers.id, users.organiserId))
    .where(eq(signInLinks.id, linkId));
  return row;
}
