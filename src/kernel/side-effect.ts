// Side-effect classes (§13, §26.1). Unknown or ambiguous counts as `write` (DR-C10).

export const SIDE_EFFECT_CLASSES = ['read', 'write', 'destructive', 'irreversible'] as const;
export type SideEffectClass = (typeof SIDE_EFFECT_CLASSES)[number];

const RANK: Readonly<Record<SideEffectClass, number>> = {
  read: 0,
  write: 1,
  destructive: 2,
  irreversible: 3,
};

export function isSideEffectClass(value: unknown): value is SideEffectClass {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/** Reads a declared class; anything unknown or missing is treated as a write. */
export function sideEffectOrWrite(value: unknown): SideEffectClass {
  return isSideEffectClass(value) ? value : 'write';
}

/** The more dangerous of two classes: a caller can make an intent stricter, never laxer. */
export function strictestSideEffect(a: SideEffectClass, b: SideEffectClass): SideEffectClass {
  return RANK[a] >= RANK[b] ? a : b;
}

export function changesWorld(value: SideEffectClass): boolean {
  return value !== 'read';
}
