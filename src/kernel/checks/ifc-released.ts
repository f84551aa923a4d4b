// Check 4's declassification waiver (§11.3, issue 7): a side effect whose destination is below the
// session's label may still go without a human when what it sends is declassified text and values
// the user gave. Only the session-label write-down escalation is waived, nothing else.

import { type Confidentiality, type FlowSessionView, flowsTo } from '../../ifc/index.ts';
import type { JsonValue } from '../../shared/index.ts';

/** One argument leaf the waiver rests on: its path and the level its text was released to. */
export type ReleasedArgument = { readonly path: string; readonly to: Confidentiality };

/** More leaves or deeper nesting than this: no waiver (the provenance index's own bounds). */
const LEAVES_MAX = 256;
const DEPTH_MAX = 16;

/**
 * The released leaves the session-label write-down escalation is waived for, or undefined when it
 * is not waived. Waived only when at least one leaf is a text released to a level that flows to
 * `destination`, and every other string or number leaf is trusted by provenance with a trusted
 * source whose own level flows to `destination`. Object keys, booleans and null are not judged.
 */
export function releasedArguments(
  session: FlowSessionView,
  args: JsonValue,
  destination: Confidentiality,
): readonly ReleasedArgument[] | undefined {
  const leaves: Array<{ readonly path: string; readonly value: string | number }> = [];
  if (!collect(args, '', 0, leaves)) return undefined;
  const released: ReleasedArgument[] = [];
  for (const { path, value } of leaves) {
    const level = typeof value === 'string' ? session.releasedLevel(value) : undefined;
    if (level !== undefined && flowsTo(level, destination)) {
      released.push({ path, to: level });
      continue;
    }
    if (!trustedFor(session, value, destination)) return undefined;
  }
  // WHY: with no released text this is no declassification; the escalation stays (DR-I2 taint).
  return released.length === 0 ? undefined : released;
}

/** Trusted by provenance, and seen in a trusted source cleared for the destination (the task, a TRUSTED field). */
function trustedFor(session: FlowSessionView, value: string | number, destination: Confidentiality): boolean {
  const provenance = session.classify(value);
  return (
    provenance.class === 'trusted' &&
    provenance.trusted.some((hit) => flowsTo(hit.label.confidentiality, destination))
  );
}

/** Collects string and number leaves with their paths; false past the bounds (no waiver). */
function collect(
  value: JsonValue,
  path: string,
  depth: number,
  out: Array<{ readonly path: string; readonly value: string | number }>,
): boolean {
  if (typeof value === 'string' || typeof value === 'number') {
    if (out.length >= LEAVES_MAX) return false;
    out.push({ path, value });
    return true;
  }
  if (value === null || typeof value !== 'object') return true;
  if (depth >= DEPTH_MAX) return false;
  const entries: Array<[string, JsonValue]> = Array.isArray(value)
    ? value.map((child, index) => [String(index), child])
    : Object.entries(value);
  for (const [key, child] of entries) {
    if (!collect(child, path === '' ? key : `${path}.${key}`, depth + 1, out)) return false;
  }
  return true;
}
