/**
 * The people of an organiser (table users): who may sign in, and as what. Every query is scoped to
 * the organiser, so another organiser's user id is simply not found. An organiser always keeps at
 * least one owner: the checks lock the owners' rows, so two owners demoting each other at the same
 * moment cannot both succeed.
 */
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Executor } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { users, type UserRow } from '../db/schema.js';
import { ConflictError, NotFoundError, StateError } from '../errors.js';
import { findOrganiserByEmail } from '../organisers/organiser-queries.js';
import type { UserRole } from './app-user.js';

export const USER_ROLES = ['owner', 'editor'] as const satisfies readonly UserRole[];

/** An address as users are keyed by it: trimmed, lower-cased whole. */
export const userEmailSchema = z
  .string({ error: 'Enter an email address' })
  .trim()
  .toLowerCase()
  .min(1, { error: 'Enter an email address' })
  .max(254, { error: 'Enter an email address of 254 characters or fewer' })
  .pipe(z.email({ error: 'Enter an email address in the right format, like name@example.org' }));

export const userRoleSchema = z.enum(USER_ROLES, { error: 'Choose owner or editor' });

export const newUserSchema = z.strictObject({
  email: userEmailSchema,
  name: z.string().trim().max(200, { error: 'Enter a name of 200 characters or fewer' }).optional().transform((name) => name || undefined),
  role: userRoleSchema,
});

export async function createUser(db: Database, organiserId: string, input: z.input<typeof newUserSchema>): Promise<UserRow> {
  const user = newUserSchema.parse(input);
  try {
    const [row] = await db.insert(users).values({ organiserId, ...user }).returning();
    return row!;
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) {
      throw new ConflictError('user_exists', 'Someone with this email address can already sign in', 'email');
    }
    throw error;
  }
}

/** The user with this address, whichever organiser they belong to (addresses are unique). */
export async function findUserByEmail(db: Database, email: string): Promise<UserRow | undefined> {
  const parsed = userEmailSchema.safeParse(email);
  if (!parsed.success) return undefined;
  const [row] = await db.select().from(users).where(eq(users.email, parsed.data));
  return row;
}

export async function listUsers(db: Database, organiserId: string): Promise<UserRow[]> {
  return db.select().from(users).where(eq(users.organiserId, organiserId)).orderBy(asc(users.createdAt), asc(users.email));
}

export async function findUserOf(db: Executor, organiserId: string, userId: string): Promise<UserRow> {
  const [row] = z.uuid().safeParse(userId).success
    ? await db.select().from(users).where(and(eq(users.organiserId, organiserId), eq(users.id, userId)))
    : [];
  if (!row) throw new NotFoundError('User not found');
  return row;
}

/** Locks the organiser's owners and refuses when `userId` is the only one left. */
async function assertNotLastOwner(tx: Executor, organiserId: string, userId: string, what: string): Promise<void> {
  const owners = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.organiserId, organiserId), eq(users.role, 'owner')))
    .for('update');
  if (owners.length === 1 && owners[0]!.id === userId) {
    throw new StateError('last_owner', `You cannot ${what} the last owner: make someone else an owner first`, 'role');
  }
}

export async function changeUserRole(db: Database, organiserId: string, userId: string, role: UserRole): Promise<UserRow> {
  return db.transaction(async (tx) => {
    const user = await findUserOf(tx, organiserId, userId);
    if (user.role === 'owner' && role !== 'owner') await assertNotLastOwner(tx, organiserId, userId, 'demote');
    const [row] = await tx.update(users).set({ role }).where(eq(users.id, user.id)).returning();
    return row!;
  });
}

/** Removes a user; their sessions end with them (cascade). */
export async function removeUser(db: Database, organiserId: string, userId: string): Promise<UserRow> {
  return db.transaction(async (tx) => {
    const user = await findUserOf(tx, organiserId, userId);
    if (user.role === 'owner') await assertNotLastOwner(tx, organiserId, userId, 'remove');
    await tx.delete(users).where(eq(users.id, user.id));
    return user;
  });
}

/** For operators (`create-user`): each field named as its command-line option. */
const operatorUserSchema = z.strictObject({
  'organiser-email': z.email().trim(),
  email: userEmailSchema,
  role: userRoleSchema,
});

/** A user for the organiser with this address; prints what an operator needs to tell them. */
export async function createUserForOrganiser(
  db: Database,
  input: Record<keyof z.input<typeof operatorUserSchema>, string>,
): Promise<{ id: string; organiserId: string; email: string; role: UserRole }> {
  const parsed = operatorUserSchema.parse(input);
  const organiser = await findOrganiserByEmail(db, parsed['organiser-email']);
  if (!organiser) throw new NotFoundError('No organiser with this email', 'organiser-email');
  const user = await createUser(db, organiser.id, { email: parsed.email, role: parsed.role });
  return { id: user.id, organiserId: user.organiserId, email: user.email, role: user.role };
}
