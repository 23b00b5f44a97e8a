/**
 * The one MAC every token of ours is signed with: HMAC-SHA256 under SECRET_KEY, its input prefixed
 * by what the token is for (so a tag made for one purpose never verifies for another), truncated to
 * the length the token can afford. Link tokens, return paths and broadcast Message-IDs use it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function keyedTag(secret: string, purpose: string, payload: Buffer | string, bytes: number): Buffer {
  return createHmac('sha256', secret).update(`campaign-letters/${purpose}\0`).update(payload).digest().subarray(0, bytes);
}

/** Compares in constant time, so a forger learns nothing from how fast a guess is refused. */
export function tagsEqual(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}
