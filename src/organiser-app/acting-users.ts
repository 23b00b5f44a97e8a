/**
 * Who did something, as the screens say it: the web app user recorded with the action (by name, or
 * address), "via the API" when an API key did it (recorded with no user), or "a former user" when
 * the user has since been removed (the column is set to null then too: see the schema).
 */
import { inArray } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { users } from '../db/schema.js';

export type ActorNames = Map<string, string>;

export async function actorNames(db: Executor, userIds: Array<string | null | undefined>): Promise<ActorNames> {
  const ids = [...new Set(userIds.filter((id): id is string => typeof id === 'string'))];
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, ids));
  return new Map(rows.map((row) => [row.id, row.name ?? row.email]));
}

/** "by Jane Doe" or "via the API". */
export function byWhom(names: ActorNames, userId: string | null): string {
  if (userId === null) return 'via the API';
  return `by ${names.get(userId) ?? 'a former user'}`;
}
