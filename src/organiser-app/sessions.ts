/**
 * Server-side sessions of the web app (table sessions). The cookie holds a random token; Postgres
 * holds its hash, the user, and two clocks: a session ends after SESSION_IDLE_MINUTES without a
 * request, and SESSION_MAX_HOURS after sign-in whatever its use. Deleting the row (sign out, sign
 * out everywhere, the user removed) ends it at once, in every API process.
 */
import { and, eq, gt, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { sessions, users } from '../db/schema.js';
import type { AppUser } from './app-user.js';
import { hashToken, looksLikeSecretToken, newSecretToken } from './session-tokens.js';

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

/** Signs a user in: a new session, whose token goes in the cookie and is never stored. */
export async function startSession(db: Database, userId: string, policy: SessionPolicy): Promise<{ sessionId: string; token: string }> {
  const token = newSecretToken();
  const [row] = await db
    .insert(sessions)
    .values({ userId, tokenHash: hashToken(token), expiresAt: sql`now() + make_interval(hours => ${policy.maxHours})` })
    .returning({ id: sessions.id });
  // Sessions that ended by their clocks are only dead rows: tidy this user's on each sign-in.
  await db.delete(sessions).where(and(eq(sessions.userId, userId), expired(policy)));
  return { sessionId: row!.id, token };
}

function expired(policy: SessionPolicy) {
  return or(lt(sessions.expiresAt, sql`now()`), lt(sessions.lastSeenAt, sql`now() - make_interval(mins => ${policy.idleMinutes})`));
}

/** The live session a cookie's token names, with its user; records the use (at most once a minute). */
export async function resolveSession(
  db: Database,
  token: string | undefined,
  policy: SessionPolicy,
): Promise<{ sessionId: string; user: AppUser } | undefined> {
  if (!looksLikeSecretToken(token)) return undefined;
  const [row] = await db
    .select({
      sessionId: sessions.id,
      lastSeenAt: sessions.lastSeenAt,
      userId: users.id,
      organiserId: users.organiserId,
      role: users.role,
      email: users.email,
      name: users.name,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.tokenHash, hashToken(token)),
        gt(sessions.expiresAt, sql`now()`),
        gt(sessions.lastSeenAt, sql`now() - make_interval(mins => ${policy.idleMinutes})`),
      ),
    );
  if (!row) return undefined;
  await db
    .update(sessions)
    .set({ lastSeenAt: sql`now()` })
    .where(and(eq(sessions.id, row.sessionId), lt(sessions.lastSeenAt, sql`now() - interval '1 minute'`)));
  const { sessionId, lastSeenAt: _seen, ...user } = row;
  return { sessionId, user };
}

/** Sign out: this session only. */
export async function endSession(db: Database, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Sign out everywhere: every session of this user, this one included. Returns how many ended. */
export async function endAllSessions(db: Database, userId: string): Promise<number> {
  const rows = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
  return rows.length;
}
