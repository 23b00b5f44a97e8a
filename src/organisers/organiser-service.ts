import { z } from 'zod';
import type { Database } from '../db/client.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { displayPrefixOf, generateApiKey, hashApiKey, looksLikeApiKey } from './api-keys.js';
import {
  findOrganiserByEmail,
  findApiKeyByHash,
  insertApiKey,
  insertOrganiserWithKey,
  revokeApiKeysByPrefix,
} from './organiser-queries.js';

export const newOrganiserSchema = z.strictObject({
  email: z.email().trim().max(254),
  name: z.string().trim().min(1).max(200),
});

function newKey() {
  const apiKey = generateApiKey();
  return { apiKey, stored: { keyHash: hashApiKey(apiKey), keyPrefix: displayPrefixOf(apiKey) } };
}

/** Creates an organiser and its first API key; the key is returned here and never again. */
export async function createOrganiser(
  db: Database,
  input: z.input<typeof newOrganiserSchema>,
): Promise<{ id: string; apiKey: string }> {
  const organiser = newOrganiserSchema.parse(input);
  const { apiKey, stored } = newKey();
  try {
    const { id } = await insertOrganiserWithKey(db, organiser, stored);
    return { id, apiKey };
  } catch (error) {
    if (isUniqueViolation(error, 'organisers_email_key')) {
      throw new ConflictError('organiser_exists', 'An organiser with this email already exists', 'email');
    }
    if (isUniqueViolation(error, 'users_email_key')) {
      throw new ConflictError('user_exists', 'Someone with this email address can already sign in, for another organiser', 'email');
    }
    throw error;
  }
}

/** Issues an additional key (e.g. for rotation); old keys keep working until revoked. */
export async function createApiKeyFor(db: Database, email: string): Promise<{ id: string; apiKey: string }> {
  const organiser = await findOrganiserByEmail(db, z.email().trim().parse(email));
  if (!organiser) throw new NotFoundError('No organiser with this email', 'email');
  return { id: organiser.id, apiKey: await issueApiKey(db, organiser.id) };
}

/** A new key for the organiser (the web app's settings, the CLI): returned here and never again. */
export async function issueApiKey(db: Database, organiserId: string): Promise<string> {
  const { apiKey, stored } = newKey();
  await insertApiKey(db, organiserId, stored);
  return apiKey;
}

export async function revokeApiKey(db: Database, keyPrefix: string): Promise<number> {
  return revokeApiKeysByPrefix(db, keyPrefix);
}

/** The organiser a valid, unrevoked key belongs to, and the key's id (recorded beside what it changes). */
export async function authenticateApiKey(db: Database, apiKey: string): Promise<{ organiserId: string; keyId: string } | undefined> {
  if (!looksLikeApiKey(apiKey)) return undefined;
  return findApiKeyByHash(db, hashApiKey(apiKey));
}
