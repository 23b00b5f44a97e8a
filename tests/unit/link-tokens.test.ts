import { describe, expect, it } from 'vitest';
import { signLinkToken, verifyLinkToken } from '../../src/links/link-tokens.js';

const secret = 'unit-test-secret-of-at-least-32-chars!!';
const claims = {
  purpose: 'confirm' as const,
  supporterId: '3f1c2a5e-7b1d-4c8e-9a2f-1e2d3c4b5a69',
  campaignId: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  issuedAt: new Date('2026-11-01T10:00:00Z'),
  expiresAt: new Date('2026-11-04T10:00:00Z'),
};
const during = new Date('2026-11-02T10:00:00Z');

describe('link tokens', () => {
  it('round-trip the person, campaign and times, and are URL-safe', () => {
    const token = signLinkToken(secret, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).not.toContain(claims.supporterId.replace(/-/g, ''));
    expect(verifyLinkToken(secret, token, 'confirm', during)).toEqual({ ok: true, claims });
  });

  it('expire', () => {
    const result = verifyLinkToken(secret, signLinkToken(secret, claims), 'confirm', new Date('2026-11-05T00:00:00Z'));
    expect(result).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('never expire when issued without an expiry (unsubscribe)', () => {
    const token = signLinkToken(secret, { ...claims, purpose: 'unsubscribe', expiresAt: undefined });
    expect(verifyLinkToken(secret, token, 'unsubscribe', new Date('2036-01-01')).ok).toBe(true);
  });

  it('are refused when tampered with, signed with another secret, or used for another purpose', () => {
    const token = signLinkToken(secret, claims);
    const bytes = Buffer.from(token, 'base64url');
    for (let i = 0; i < bytes.length; i += 7) {
      const tampered = Buffer.from(bytes);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(verifyLinkToken(secret, tampered.toString('base64url'), 'confirm', during).ok).toBe(false);
    }
    expect(verifyLinkToken('another-secret-of-at-least-32-characters', token, 'confirm', during)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyLinkToken(secret, token, 'unsubscribe', during)).toEqual({ ok: false, reason: 'invalid' });
    for (const junk of ['', 'abc', token + 'A', token.slice(0, -1), '../../etc/passwd', 'a'.repeat(500)]) {
      expect(verifyLinkToken(secret, junk, 'confirm', during)).toEqual({ ok: false, reason: 'invalid' });
    }
  });
});
