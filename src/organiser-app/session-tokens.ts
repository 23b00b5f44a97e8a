/**
 * The secrets of the web app: session tokens (the cookie) and the CSRF tokens of its forms.
 * A session token is 256 random bits, stored only as its SHA-256 (as API keys are: nothing to
 * brute-force). A CSRF token is an HMAC, under SECRET_KEY, of what it is bound to: the session, or
 * before sign-in the browser's pre-session cookie. So it needs no storage, cannot be forged without
 * the secret, and one session's token is worthless in another.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function looksLikeSecretToken(value: string | undefined): value is string {
  return value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value);
}

export type CsrfBinding = { session: string } | { browser: string };

export function csrfTokenFor(secret: string, binding: CsrfBinding): string {
  const subject = 'session' in binding ? `session:${binding.session}` : `browser:${binding.browser}`;
  return createHmac('sha256', secret).update('campaign-letters/csrf\0').update(subject).digest('base64url');
}

export function csrfTokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/**
 * The token in a sign-in link: derived from the link's row id under the secret, so the worker that
 * sends the mail can rebuild it while the database keeps only its hash.
 */
export function signInLinkToken(secret: string, linkId: string): string {
  return createHmac('sha256', secret).update('campaign-letters/sign-in-link\0').update(linkId).digest('base64url');
}
