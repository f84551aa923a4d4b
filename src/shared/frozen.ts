// Deep immutability for what the kernel decides against (MR-1: policy, rules, verified claims): recursive `Object.freeze` and a
// read-only map that exposes no mutating method at all (a frozen `Map` still accepts `set`).

/** A `ReadonlyMap` whose entries can never change: the backing map is private to the instance. */
export class FrozenMap<K, V> implements ReadonlyMap<K, V> {
  readonly #entries: Map<K, V>;

  constructor(entries: Iterable<readonly [K, V]>) {
    this.#entries = new Map(entries);
    Object.freeze(this);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#entries) callback.call(thisArg, value, key, this);
  }

  entries(): MapIterator<[K, V]> {
    return this.#entries.entries();
  }

  keys(): MapIterator<K> {
    return this.#entries.keys();
  }

  values(): MapIterator<V> {
    return this.#entries.values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#entries.entries();
  }
}
Object.freeze(FrozenMap.prototype);

/**
 * Freezes `value` and everything reachable from it through own properties, then returns it.
 * Iterative, so deep input cannot overflow the stack; `FrozenMap` values are frozen too.
 */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || (typeof item !== 'object' && typeof item !== 'function') || seen.has(item)) continue;
    seen.add(item);
    if (item instanceof FrozenMap) {
      for (const entry of item.values()) stack.push(entry);
      continue;
    }
    Object.freeze(item);
    for (const key of Reflect.ownKeys(item)) stack.push((item as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}
