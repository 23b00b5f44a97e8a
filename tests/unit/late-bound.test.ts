/**
 * The stand-ins useTestStack hands to test files (tests/support/late-bound.ts): they must behave as
 * the real object once it exists, and say plainly what was used too early before.
 */
import { describe, expect, it } from 'vitest';
import { lateBound } from '../support/late-bound.js';

class Counter {
  #count = 0;
  label = 'counter';
  increment() {
    this.#count += 1;
    return this.#count;
  }
}

describe('a late-bound stand-in', () => {
  it('names what was used before its object exists, and is not mistaken for a promise', async () => {
    const stack = lateBound<Counter>('stack');
    expect(() => stack.value.label).toThrow("stack.label was used before the test file's beforeAll made stack");
    expect(await Promise.resolve(stack.value)).toBe(stack.value);
  });

  it('reads, writes, enumerates and calls methods (private fields included) on the real object', () => {
    const real = new Counter();
    const counter = lateBound<Counter>('counter');
    counter.bind(real);
    expect(counter.value.increment()).toBe(1);
    expect(counter.value.increment()).toBe(2);
    counter.value.label = 'renamed';
    expect(real.label).toBe('renamed');
    expect('label' in counter.value).toBe(true);
    expect(Object.keys(counter.value)).toEqual(['label']);
    expect({ ...counter.value }).toEqual({ label: 'renamed' });
  });
});
