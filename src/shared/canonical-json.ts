// Canonical JSON (RFC 8785, JCS): the one serialization that hashes and signatures are computed
// over. Object keys sorted by UTF-16 code units, numbers and strings as ECMAScript's JSON.stringify
// writes them (which is what RFC 8785 specifies), no whitespace. The `canonicalize` package is the
// reference it is tested against; this version is several times faster on the commit path.

const DEPTH_MAX = 512;

/** Serializes `value` per RFC 8785. Throws on values JSON cannot represent (NaN, cycles, lone surrogates). */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw new TypeError('lone surrogate is not allowed in canonical json');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite numbers have no canonical json form');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= DEPTH_MAX)
        throw new TypeError('value is nested too deeply (or cyclic) for canonical json');
      return Array.isArray(value)
        ? writeArray(value, depth)
        : writeObject(value as Record<string, unknown>, depth);
    default:
      throw new TypeError(`a ${typeof value} has no canonical json form`);
  }
}

function writeArray(items: readonly unknown[], depth: number): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (i > 0) out += ',';
    out +=
      item === undefined || typeof item === 'function' || typeof item === 'symbol'
        ? 'null'
        : write(item, depth + 1);
  }
  return `${out}]`;
}

function writeObject(object: Record<string, unknown>, depth: number): string {
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return write(toJSON.call(object), depth + 1);
  // WHY: the default sort compares UTF-16 code units, exactly RFC 8785's key order.
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = object[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    if (!first) out += ',';
    first = false;
    out += `${write(key, depth)}:${write(item, depth + 1)}`;
  }
  return `${out}}`;
}
