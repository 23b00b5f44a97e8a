/**
 * A stand-in for an object that a test file names at its top level but that exists only once its
 * beforeAll has run. Every property read, write and `in` check goes to the real object, so test code
 * uses the stand-in exactly as it would the object itself; a method is called on the real object.
 * Used before the object exists (at collection time, or after a failed beforeAll), it throws an error
 * naming what was used, rather than the "cannot read properties of undefined" a `let` would give.
 */
export interface LateBound<T extends object> {
  /** The stand-in, to hand to test code. */
  readonly value: T;
  /** Makes `real` the object the stand-in stands for. */
  bind(real: T): void;
}

export function lateBound<T extends object>(what: string): LateBound<T> {
  let real: T | undefined;
  const target = (property: PropertyKey): T => {
    if (real) return real;
    throw new Error(`${what}.${String(property)} was used before the test file's beforeAll made ${what}`);
  };
  const value = new Proxy({} as T, {
    get(_stub, property) {
      // `await x` and vitest's printing probe these; an unbound stand-in is simply not a thenable.
      if (!real && (property === 'then' || typeof property === 'symbol')) return undefined;
      const object = target(property);
      const found: unknown = Reflect.get(object, property, object);
      return typeof found === 'function' ? (found as (...args: unknown[]) => unknown).bind(object) : found;
    },
    set: (_stub, property, next) => Reflect.set(target(property), property, next),
    has: (_stub, property) => Reflect.has(target(property), property),
    ownKeys: () => Reflect.ownKeys(target('keys')),
    getOwnPropertyDescriptor(_stub, property) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(property), property);
      // The stub has no such property, and a proxy may not call a property the stub lacks non-configurable.
      return descriptor && { ...descriptor, configurable: true };
    },
  });
  return {
    value,
    bind(object) {
      real = object;
    },
  };
}
