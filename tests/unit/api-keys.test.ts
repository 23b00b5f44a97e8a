import { describe, expect, it } from 'vitest';
import { displayPrefixOf, generateApiKey, hashApiKey, looksLikeApiKey } from '../../src/organisers/api-keys.js';

describe('API keys', () => {
  it('are random, recognisable, and hash to 32 bytes deterministically', () => {
    const keys = new Set(Array.from({ length: 100 }, generateApiKey));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(looksLikeApiKey(key)).toBe(true);
    const [key] = keys;
    expect(hashApiKey(key!)).toEqual(hashApiKey(key!));
    expect(hashApiKey(key!)).toHaveLength(32);
    expect(displayPrefixOf(key!)).toBe(key!.slice(0, 12));
  });

  it.each(['', 'clk_', 'clk_short', `xyz_${'a'.repeat(43)}`, `clk_${'a'.repeat(42)}!`, `clk_${'a'.repeat(44)}`])(
    'rejects the malformed key %j without a database lookup',
    (value) => expect(looksLikeApiKey(value)).toBe(false),
  );
});
