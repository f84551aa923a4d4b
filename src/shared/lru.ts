// Bounded collections: a Map kept in least-recently-used order (touching an entry moves it to
// the end), an eviction that prefers entries a predicate says are safe to forget, and a capped list.

/** Sets `key` to `value` and moves it to the most-recently-used end. */
export function touch<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
}

/**
 * Evicts entries until `map.size < sizeMax`: the least recently used one that `canForget` allows
 * (scanning at most `scanMax` entries), else, when `strict` is false, the least recently used one.
 * A strict map may grow past `sizeMax` rather than forget an entry it must keep (fail closed).
 */
export function makeRoom<K, V>(
  map: Map<K, V>,
  sizeMax: number,
  canForget: (value: V) => boolean,
  options: { readonly scanMax?: number; readonly strict?: boolean } = {},
): void {
  const scanMax = options.scanMax ?? 64;
  while (map.size >= sizeMax && map.size > 0) {
    let victim: K | undefined;
    let scanned = 0;
    for (const [key, value] of map) {
      if (canForget(value)) {
        victim = key;
        break;
      }
      if (++scanned >= scanMax) break;
    }
    if (victim === undefined && options.strict === true) return;
    if (victim === undefined) victim = map.keys().next().value;
    if (victim === undefined) return;
    map.delete(victim);
  }
}

/** Appends `item`, dropping the oldest entry once the list holds more than `max`. */
export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.shift();
}

/** `touch`, then forgets the least recently used entries until the map holds at most `max`. */
export function touchBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  touch(map, key, value);
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done === true) return;
    map.delete(oldest.value);
  }
}
