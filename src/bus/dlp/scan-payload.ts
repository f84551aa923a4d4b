// The DLP scan of an inter-agent message payload: walks the JSON value without recursion, scans
// every object key, string and number, and reports findings with their JSON path; in redact mode
// it also builds a copy with each detected span replaced. Bounded by DLP_LIMITS, fail closed.

import type { JsonValue } from '../../shared/index.ts';
import { type DlpKind, redactionMarker } from './kinds.ts';
import { DLP_LIMITS, type DlpLimits } from './limits.ts';
import { childPath, type PathNode, ROOT_PATH, renderPath } from './payload-path.ts';
import { scanText } from './scan-text.ts';

export type DlpMode = 'block' | 'redact';
export type DlpFinding = { readonly kind: DlpKind; readonly path: string };
export type PayloadScan = { readonly findings: readonly DlpFinding[]; readonly value: JsonValue };

type Container = JsonValue[] | { [key: string]: JsonValue };

/** One value to visit: where it sits in the input, and where its copy goes in the output. */
type Frame = {
  readonly value: JsonValue;
  readonly parentPath: PathNode | undefined;
  /** Object key or array index; `undefined` for the root. */
  readonly member: string | number | undefined;
  readonly depth: number;
  /** The copy of the parent in redact mode. */
  readonly out: Container | undefined;
};

type Walk = {
  readonly mode: DlpMode;
  readonly limits: DlpLimits;
  readonly findings: DlpFinding[];
  readonly stack: Frame[];
  /** Suffix counters for keys that collide once redacted, per output object. */
  readonly collisions: WeakMap<object, Map<string, number>>;
  valuesSeen: number;
  charsScanned: number;
  oversizedReported: boolean;
  root: JsonValue;
};

/**
 * Scans `value` for secrets, credentials, e-mail addresses, IBANs and card numbers.
 *
 * In block mode `value` is returned as is (same reference) and the caller refuses the message
 * when `findings` is not empty. In redact mode the returned copy has every detected span replaced
 * by `[REDACTED:<kind>]`; a number holding a detection becomes that marker string, and object
 * keys that collide once redacted get a ` #2`, ` #3`… suffix. Whatever a limit keeps from being
 * scanned (a string past the character budget, a container past the value budget or too deep) is
 * reported once as `oversized` and, in redact mode, replaced whole by `[REDACTED:oversized]`.
 * The input is never modified. Paths show a redacted key in place of a key that held a finding.
 */
export function scanPayload(value: JsonValue, mode: DlpMode, limits: DlpLimits = DLP_LIMITS): PayloadScan {
  const walk: Walk = {
    mode,
    limits,
    findings: [],
    stack: [{ value, parentPath: undefined, member: undefined, depth: 0, out: undefined }],
    collisions: new WeakMap(),
    valuesSeen: 1,
    charsScanned: 0,
    oversizedReported: false,
    root: null,
  };
  for (let frame = walk.stack.pop(); frame !== undefined; frame = walk.stack.pop()) visit(walk, frame);
  return { findings: walk.findings, value: mode === 'block' ? value : walk.root };
}

function visit(walk: Walk, frame: Frame): void {
  const { member, parentPath } = frame;
  let path = ROOT_PATH;
  let outKey: string | number = 0;
  if (parentPath !== undefined && member !== undefined) {
    outKey = typeof member === 'number' ? member : scanKey(walk, parentPath, member);
    path = childPath(parentPath, outKey);
  }
  const key = typeof member === 'string' ? member : undefined;
  const copy = copyOf(walk, frame, path, key);
  if (walk.mode === 'block') return;
  if (frame.out === undefined) walk.root = copy;
  else if (Array.isArray(frame.out)) frame.out[outKey as number] = copy;
  else defineMember(walk, frame.out, String(outKey), copy);
}

/** Scans or copies one value; containers get an empty copy and their members are queued. */
function copyOf(walk: Walk, frame: Frame, path: PathNode, key: string | undefined): JsonValue {
  const { value } = frame;
  if (typeof value === 'string') return scanString(walk, value, path, key);
  if (typeof value === 'number') {
    const text = String(value);
    const scanned = scanString(walk, text, path, undefined);
    return scanned === text ? value : scanned;
  }
  if (value === null || typeof value === 'boolean') return value;
  const members = Array.isArray(value) ? value.length : Object.keys(value).length;
  if (frame.depth >= walk.limits.depthMax || walk.valuesSeen + members > walk.limits.valuesMax) {
    return oversized(walk, path);
  }
  walk.valuesSeen += members;
  const depth = frame.depth + 1;
  if (Array.isArray(value)) {
    const out: JsonValue[] | undefined =
      walk.mode === 'redact' ? new Array<JsonValue>(value.length) : undefined;
    for (let i = value.length - 1; i >= 0; i--) {
      walk.stack.push({ value: value[i] ?? null, parentPath: path, member: i, depth, out });
    }
    return out ?? value;
  }
  const out: { [key: string]: JsonValue } | undefined = walk.mode === 'redact' ? {} : undefined;
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i >= 0; i--) {
    const member = keys[i] ?? '';
    walk.stack.push({ value: value[member] ?? null, parentPath: path, member, depth, out });
  }
  return out ?? value;
}

/** Scans an object key; returns the key to show in paths and to write in the copy. */
function scanKey(walk: Walk, parentPath: PathNode, key: string): string {
  if (!withinBudget(walk, key.length)) {
    oversized(walk, childPath(parentPath, redactionMarker('oversized')));
    return redactionMarker('oversized');
  }
  const { findings, redacted } = scanText(key);
  if (findings.length === 0) return key;
  const path = renderPath(childPath(parentPath, redacted));
  for (const found of findings) walk.findings.push({ kind: found.kind, path });
  return redacted;
}

function scanString(walk: Walk, text: string, path: PathNode, key: string | undefined): string {
  if (!withinBudget(walk, text.length)) return oversized(walk, path);
  const { findings, redacted } = scanText(text, key);
  if (findings.length === 0) return text;
  const rendered = renderPath(path);
  for (const found of findings) walk.findings.push({ kind: found.kind, path: rendered });
  return redacted;
}

function withinBudget(walk: Walk, chars: number): boolean {
  if (walk.charsScanned + chars > walk.limits.scannedCharsMax) return false;
  walk.charsScanned += chars;
  return true;
}

/** Reports the first unscanned place once (the caller must not deliver either way). */
function oversized(walk: Walk, path: PathNode): string {
  if (!walk.oversizedReported) {
    walk.oversizedReported = true;
    walk.findings.push({ kind: 'oversized', path: renderPath(path) });
  }
  return redactionMarker('oversized');
}

/** Adds a member to a copied object: an own data property even for `__proto__`, never a clobber. */
function defineMember(walk: Walk, out: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  let name = key;
  if (Object.hasOwn(out, name)) {
    let counters = walk.collisions.get(out);
    if (counters === undefined) {
      counters = new Map();
      walk.collisions.set(out, counters);
    }
    let n = counters.get(key) ?? 2;
    while (Object.hasOwn(out, `${key} #${n}`)) n++;
    name = `${key} #${n}`;
    counters.set(key, n + 1);
  }
  Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
}
