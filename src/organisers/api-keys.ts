/**
 * API keys are 256-bit random secrets, so a fast hash (SHA-256) is enough to store them safely:
 * there is no dictionary to brute-force, unlike with passwords.
 */
import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'clk_';

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(apiKey: string): Buffer {
  return createHash('sha256').update(apiKey, 'utf8').digest();
}

/** What is stored and shown to identify a key without revealing it. */
export function displayPrefixOf(apiKey: string): string {
  return apiKey.slice(0, KEY_PREFIX.length + 8);
}

/** Cheap shape check so obviously malformed headers never reach the database. */
export function looksLikeApiKey(value: string): boolean {
  return /^clk_[A-Za-z0-9_-]{43}$/.test(value);
}
