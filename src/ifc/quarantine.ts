// Quarantined values (CaMeL's pattern, issue 7): an integration that drives the agent loop can have
// untrusted tool output handed to the planner as opaque `maos:q:<hex>` references, which it may put
// into later tool arguments but never read. The kernel swaps the values back in before deciding.

import { ERROR_CODES, fail, type JsonValue, type KernelError, ok, type Result } from '../shared/index.ts';
import type { FlowSession } from './flow-session.ts';
import { joinLabels, type Label } from './label.ts';
import { type FieldLabelRule, outputLeaves } from './provenance/index.ts';

/** Nesting walked when resolving; deeper arguments are refused (parseIntent bounds depth anyway). */
const DEPTH_MAX = 64;
/** A reference as the planner sees it: `maos:q:` and 128 random bits in hex. */
export const QUARANTINE_REF = /maos:q:[0-9a-f]{32}/g;
const HAS_REF = new RegExp(QUARANTINE_REF.source);

/**
 * Replaces every reference in `args` with the value it stands for: a string that is exactly one
 * reference becomes the value itself, a reference inside longer text becomes the value's text.
 * A reference the session does not hold fails closed (QUARANTINE_REF_UNKNOWN).
 */
export function resolveRefs(
  session: FlowSession | undefined,
  args: Readonly<Record<string, JsonValue>>,
): Result<Record<string, JsonValue>, KernelError> {
  const missing: string[] = [];
  const out = resolve(args, session, missing, 0) as Record<string, JsonValue>;
  if (missing.length > 0) {
    return fail(
      ERROR_CODES.QUARANTINE_REF_UNKNOWN,
      `\`${missing[0]}\` is not a quarantined value of this session`,
      { refs: missing.slice(0, 10) },
    );
  }
  return ok(out);
}

/** True when some string in `value` holds a reference (cheap test before resolving). */
export function citesRefs(value: JsonValue, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('maos:q:') && HAS_REF.test(value);
  if (depth > DEPTH_MAX || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((item) => citesRefs(item, depth + 1));
  return Object.values(value).some((item) => citesRefs(item, depth + 1));
}

function resolve(
  value: JsonValue,
  session: FlowSession | undefined,
  missing: string[],
  depth: number,
): JsonValue {
  if (typeof value === 'string') {
    if (!value.includes('maos:q:')) return value;
    const whole = value.length === 39 ? session?.held(value) : undefined;
    if (whole !== undefined) return whole.value;
    return value.replace(QUARANTINE_REF, (ref) => {
      const held = session?.held(ref);
      if (held === undefined) {
        missing.push(ref);
        return ref;
      }
      return typeof held.value === 'string' ? held.value : JSON.stringify(held.value);
    });
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > DEPTH_MAX) {
    missing.push('(too deep)');
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => resolve(item, session, missing, depth + 1));
  const out: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) out[key] = resolve(item, session, missing, depth + 1);
  return out;
}

/** Keys longer than this could carry instructions themselves: their object is held as one value. */
const KEY_SHOWN_MAX = 64;

/**
 * The output as the planner may see it: every string or number leaf whose label is not TRUSTED is
 * held in the session and replaced by its reference; trusted fields (ids, verified senders) stay
 * readable. Objects with over-long or dotted keys, and anything past the depth bound, are held whole.
 */
export function quarantineOutput(
  session: FlowSession,
  output: JsonValue,
  base: Label,
  rules: readonly FieldLabelRule[],
  source: string,
): JsonValue {
  const labels = new Map<string, Label>();
  for (const leaf of outputLeaves(output, base, rules))
    if (!labels.has(leaf.path)) labels.set(leaf.path, leaf.label);
  const hold = (value: JsonValue, label: Label) => session.hold(value, label, source);
  // WHY: a leaf the labeller did not reach (past its bounds) is at most as trusted as UNTRUSTED.
  const unlabelled = joinLabels(base, { confidentiality: base.confidentiality, integrity: 'UNTRUSTED' });
  const walk = (value: JsonValue, path: readonly string[], depth: number): JsonValue => {
    const key = path.join('.');
    if (typeof value === 'string' || typeof value === 'number') {
      const label = labels.get(key) ?? unlabelled;
      return label.integrity === 'TRUSTED' ? value : hold(value, label);
    }
    if (value === null || typeof value !== 'object') return value;
    if (depth >= DEPTH_MAX) return hold(value, unlabelled);
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, String(i)], depth + 1));
    const keys = Object.keys(value);
    // WHY: a key with a dot would share a path string with a nested field (`{"a.from": …}` and
    // `{a: {from: …}}`), so it could borrow that field's TRUSTED label: its object is held whole.
    if (keys.some((k) => k.length > KEY_SHOWN_MAX || k.includes('.'))) return hold(value, base);
    const out: Record<string, JsonValue> = {};
    for (const k of keys) out[k] = walk(value[k] as JsonValue, [...path, k], depth + 1);
    return out;
  };
  return walk(output, [], 0);
}
