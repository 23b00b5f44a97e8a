import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { apiKeys, organisers, users } from '../db/schema.js';

export async function insertOrganiserWithKey(
  db: Database,
  organiser: { email: string; name: string },
  key: { keyHash: Buffer; keyPrefix: string },
): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(organisers).values(organiser).returning({ id: organisers.id });
    await tx.insert(apiKeys).values({ organiserId: row!.id, ...key });
    // Its address is its first user, who can sign in to the web app and invite the others.
    await tx.insert(users).values({ organiserId: row!.id, email: organiser.email.toLowerCase(), role: 'owner' });
    return row!;
  });
}

export async function findOrganiserByEmail(db: Database, email: string): Promise<{ id: string } | undefined> {
  const [row] = await db
    .select({ id: organisers.id })
    .from(organisers)
    .where(eq(sql`lower(${organisers.email})`, email.toLowerCase()));
  return row;
}

export async function insertApiKey(
  db: Database,
  organiserId: string,
  key: { keyHash: Buffer; keyPrefix: string },
): Promise<void> {
  await db.insert(apiKeys).values({ organiserId, ...key });
}

/** Relies on the unique index api_keys_key_hash_key: one index probe per authenticated request. */
export async function findApiKeyByHash(db: Database, keyHash: Buffer): Promise<{ organiserId: string; keyId: string } | undefined> {
  const [row] = await db
    .select({ organiserId: apiKeys.organiserId, keyId: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
  if (!row) return undefined;
  // Record use at most once a minute per key, so busy clients do not turn every read into a write.
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.id, row.keyId),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`)),
      ),
    );
  return row;
}

export async function revokeApiKeysByPrefix(db: Database, keyPrefix: string): Promise<number> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.keyPrefix, keyPrefix), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length;
}

export interface ApiKeySummary {
  id: string;
  keyPrefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The organiser's keys, newest first: what identifies each, never the key. */
export async function listApiKeys(db: Database, organiserId: string): Promise<ApiKeySummary[]> {
  return db
    .select({ id: apiKeys.id, keyPrefix: apiKeys.keyPrefix, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.organiserId, organiserId))
    .orderBy(desc(apiKeys.createdAt));
}

/** Revokes one of the organiser's keys; false when it has no such key (or it was revoked already). */
export async function revokeApiKeyById(db: Database, organiserId: string, keyId: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.organiserId, organiserId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}
