import { describe, expect, it } from 'vitest';
import { makeReturnPaths, returnPathToken, verifyReturnPathToken, type ReturnPathRow } from '../../src/mail/return-path.js';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const rows: ReturnPathRow[] = [
  { ledger: 'delivery', id: 1 },
  { ledger: 'delivery', id: 9_007_199_254_740_991 },
  { ledger: 'transactional', id: '0b7c3a52-9a55-4c07-9a2e-7c1d2f1b6a10' },
  { ledger: 'target-letter', id: 'f3e1d2c4-5b6a-4789-8abc-def012345678' },
];

describe('return paths (VERP envelope senders)', () => {
  it.each(rows)('name their row, read back in any letter case, within the 64 characters of a local part: %o', (row) => {
    const address = makeReturnPaths({ SECRET_KEY: SECRET, INBOUND_DOMAIN: 'replies.example.org' }).of(row);
    expect(address).toMatch(/^bounce\+[a-z0-9-]+@replies\.example\.org$/);
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    const token = returnPathToken(SECRET, row);
    expect(verifyReturnPathToken(SECRET, token)).toEqual(row);
    expect(verifyReturnPathToken(SECRET, token.toUpperCase())).toEqual(row);
  });

  it('verify nothing forged or altered: another row with the same MAC, a changed MAC, another secret, other shapes', () => {
    const token = returnPathToken(SECRET, { ledger: 'delivery', id: 42 });
    const [, mac] = token.split('-') as [string, string];
    expect(verifyReturnPathToken(SECRET, `d43-${mac}`)).toBeUndefined();
    expect(verifyReturnPathToken(SECRET, `d42-${mac.slice(0, -1)}${mac.endsWith('0') ? '1' : '0'}`)).toBeUndefined();
    expect(verifyReturnPathToken(`${SECRET}!`, token)).toBeUndefined();
    // The same MAC does not move from one ledger to another.
    const message = returnPathToken(SECRET, { ledger: 'transactional', id: '0b7c3a52-9a55-4c07-9a2e-7c1d2f1b6a10' });
    expect(verifyReturnPathToken(SECRET, `l${message.slice(1)}`)).toBeUndefined();
    for (const bad of ['', 'd42', `d042-${mac}`, `d42-${mac}-x`, `x42-${mac}`, `d42.${mac}`, 'd1234567890123456789-0123456789abcdef']) {
      expect(verifyReturnPathToken(SECRET, bad)).toBeUndefined();
    }
  });
});
