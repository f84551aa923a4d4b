// Tool outputs as labelled leaves (IFC, issue 7): every string and number of an output (keys too),
// labelled by the most specific per-field rule of the tool's sink policy, ready for the provenance
// index. Bounded in depth and leaf count; whatever is cut off is indexed whole, as untrusted.

import type { JsonValue } from '../../shared/index.ts';
import {
  type Confidentiality,
  isConfidentiality,
  isIntegrity,
  joinConfidentiality,
  joinIntegrity,
  joinLabels,
  type Label,
} from '../label.ts';
import type { ProvenanceIndex, SourceRef } from './provenance-index.ts';

/** path: dotted keys, `*` = any key or index, e.g. '*.from', 'messages.*.id', 'from'. */
export type FieldLabelRule = {
  readonly path: string;
  readonly label: Partial<Label>;
  /** Set on the one rule that reads each record's confidentiality off a field (`path` unused). */
  readonly classifiedBy?: RecordClassifier;
};

/**
 * A record's confidentiality read off one of its fields: the result itself when it is an object,
 * each item when it is a list. A field labelled TRUSTED sets the level; an untrusted one (or a
 * missing field) can only raise it above the output's label, never lower it.
 */
export type RecordClassifier = {
  readonly field: string;
  readonly levels: Readonly<Record<string, Confidentiality>>;
  readonly otherwise: Confidentiality;
};
export type LabelledLeaf = { readonly path: string; readonly text: string | number; readonly label: Label };

export const OUTPUT_LEAVES_LIMITS = Object.freeze({
  depthMax: 64,
  leavesMax: 100_000,
  /** A cut-off subtree is indexed as its JSON, truncated to this many UTF-16 code units. */
  cutCharsMax: 1024 * 1024,
});

type Container = JsonValue[] | { [key: string]: JsonValue };
type CompiledRule = {
  readonly segments: readonly string[];
  readonly specificity: number;
  readonly label: Partial<Label>;
};
type Frame = {
  readonly value: Container;
  readonly keys: readonly string[] | undefined;
  readonly path: readonly string[];
  readonly label: Label;
  next: number;
};

/**
 * Walks a tool output and returns every string and finite number leaf (object keys too, as text at
 * the parent's path, labelled like the parent object), each labelled by the most specific matching
 * field rule (most non-`*` segments wins; a rule's partial label overrides only the parts it gives)
 * else `base`. A rule matches a leaf when its segments match the leaf path's segments one to one or
 * match a prefix of it ('*.body' labels everything inside body). Beyond depth 64 or 100 000
 * leaves, each cut-off subtree becomes one leaf: its JSON (truncated), untrusted. Strings that look
 * like JSON are not parsed.
 */
export function outputLeaves(
  output: JsonValue,
  base: Label,
  rules: readonly FieldLabelRule[],
): LabelledLeaf[] {
  const compiled = rules.flatMap((rule) => compileRule(rule));
  const recordBase = recordBases(output, base, compiled, rules);
  const labelOf = (path: readonly string[]): Label => labelFor(path, compiled, recordBase(path));
  const out: LabelledLeaf[] = [];
  if (!isContainer(output)) {
    pushLeaf(out, '', output, labelOf([]));
    return out;
  }
  const cutLabel = cutOffLabel(base, compiled);
  const stack: Frame[] = [frameOf(output, [], labelOf([]))];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    const size = top.keys === undefined ? (top.value as JsonValue[]).length : top.keys.length;
    if (top.next >= size) {
      stack.pop();
      continue;
    }
    if (out.length >= OUTPUT_LEAVES_LIMITS.leavesMax) {
      cutRemaining(stack, out, cutLabel);
      break;
    }
    const index = top.next++;
    const key = top.keys === undefined ? String(index) : (top.keys[index] ?? '');
    const child = childOf(top, index, key);
    if (top.keys !== undefined) pushLeaf(out, top.path.join('.'), key, top.label);
    const path = [...top.path, key];
    if (!isContainer(child)) pushLeaf(out, path.join('.'), child, labelOf(path));
    else if (stack.length >= OUTPUT_LEAVES_LIMITS.depthMax) pushCut(out, path, child, cutLabel);
    else stack.push(frameOf(child, path, labelOf(path)));
  }
  return out;
}

/**
 * Adds an output to an index, every leaf via addText/addNumber with the source. Returns the join of
 * `base` and every leaf's label: what reading the output adds to a context label.
 */
export function indexOutput(
  index: ProvenanceIndex,
  source: SourceRef,
  output: JsonValue,
  base: Label,
  rules: readonly FieldLabelRule[],
): Label {
  return indexLeaves(index, source, outputLeaves(output, base, rules), base, rules);
}

/** indexOutput for leaves already walked (a caller that also needs them walks the output once). */
export function indexLeaves(
  index: ProvenanceIndex,
  source: SourceRef,
  leaves: readonly LabelledLeaf[],
  base: Label,
  rules: readonly FieldLabelRule[],
): Label {
  // WHY: with a record classifier the leaves carry each record's own level, so the output's label
  // (the level when in doubt) joins only when nothing was read from a record.
  const classified = leaves.length > 0 && rules.some((rule) => rule.classifiedBy !== undefined);
  let label: Label = classified ? { confidentiality: 'PUBLIC', integrity: base.integrity } : base;
  for (const leaf of leaves) {
    if (typeof leaf.text === 'number') index.addNumber(source, leaf.path, leaf.text, leaf.label);
    else index.addText(source, leaf.path, leaf.text, leaf.label);
    label = joinLabels(label, leaf.label);
  }
  return label;
}

function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === 'object';
}

function frameOf(value: Container, path: readonly string[], label: Label): Frame {
  return { value, keys: Array.isArray(value) ? undefined : Object.keys(value), path, label, next: 0 };
}

function childOf(frame: Frame, index: number, key: string): JsonValue | undefined {
  return frame.keys === undefined
    ? (frame.value as JsonValue[])[index]
    : (frame.value as { [key: string]: JsonValue })[key];
}

function pushLeaf(out: LabelledLeaf[], path: string, value: unknown, label: Label): void {
  if (typeof value === 'string') out.push({ path, text: value, label });
  else if (typeof value === 'number' && Number.isFinite(value)) out.push({ path, text: value, label });
}

function pushCut(out: LabelledLeaf[], path: readonly string[], value: unknown, label: Label): void {
  out.push({ path: path.join('.'), text: stringifyBounded(value, OUTPUT_LEAVES_LIMITS.cutCharsMax), label });
}

/** Every open container's entries not yet walked become one leaf per container. */
function cutRemaining(stack: readonly Frame[], out: LabelledLeaf[], label: Label): void {
  for (let i = stack.length - 1; i >= 0; i--) {
    const frame = stack[i];
    if (frame === undefined) continue;
    let rest: Container;
    if (frame.keys === undefined) {
      rest = (frame.value as JsonValue[]).slice(frame.next);
      if (rest.length === 0) continue;
    } else {
      const keys = frame.keys.slice(frame.next);
      if (keys.length === 0) continue;
      const object = frame.value as { [key: string]: JsonValue };
      const partial: { [key: string]: JsonValue } = {};
      for (const key of keys) Object.defineProperty(partial, key, { value: object[key], enumerable: true });
      rest = partial;
    }
    pushCut(out, frame.path, rest, label);
  }
}

function compileRule(rule: FieldLabelRule): CompiledRule[] {
  if (typeof rule?.path !== 'string' || rule.classifiedBy !== undefined) return [];
  const segments = rule.path === '' ? [] : rule.path.split('.');
  const given = rule.label ?? {};
  const label: Partial<Label> = {
    ...(isConfidentiality(given.confidentiality) ? { confidentiality: given.confidentiality } : {}),
    ...(isIntegrity(given.integrity) ? { integrity: given.integrity } : {}),
  };
  return [{ segments, specificity: segments.filter((s) => s !== '*').length, label }];
}

/**
 * The base label of the record a path lies in: `base` without a classifier; else the root record's
 * (an object output) or the item's (a list output) level, computed once per record.
 */
function recordBases(
  output: JsonValue,
  base: Label,
  compiled: readonly CompiledRule[],
  rules: readonly FieldLabelRule[],
): (path: readonly string[]) => Label {
  const classifier = rules.find((rule) => rule.classifiedBy !== undefined)?.classifiedBy;
  if (classifier === undefined || !isContainer(output)) return () => base;
  const fieldPath = classifier.field.split('.');
  const levelOf = (record: unknown, at: readonly string[]): Label => {
    const value = fieldValue(record, fieldPath);
    if (value === undefined) return base;
    const named = Object.hasOwn(classifier.levels, value) ? classifier.levels[value] : classifier.otherwise;
    const level = isConfidentiality(named) ? named : base.confidentiality;
    const trusted = labelFor([...at, ...fieldPath], compiled, base).integrity === 'TRUSTED';
    // INVARIANT: only a field the policy trusts lowers a record below the output's label.
    return {
      confidentiality: trusted ? level : joinConfidentiality(level, base.confidentiality),
      integrity: base.integrity,
    };
  };
  if (!Array.isArray(output)) {
    const root = levelOf(output, []);
    return () => root;
  }
  const cache = new Map<string, Label>();
  return (path) => {
    const head = path[0];
    if (head === undefined) return base;
    let label = cache.get(head);
    if (label === undefined) {
      label = levelOf(output[Number(head)], [head]);
      cache.set(head, label);
    }
    return label;
  };
}

/** The string (or finite number, as text) at `path` inside `record`; undefined otherwise. */
function fieldValue(record: unknown, path: readonly string[]): string | undefined {
  let at: unknown = record;
  for (const key of path) {
    if (!isContainer(at) || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  if (typeof at === 'number' && Number.isFinite(at)) return String(at);
  return typeof at === 'string' ? at.trim() : undefined;
}

/** The label of the most specific rule matching `path` (ties: more segments, then the first rule). */
function labelFor(path: readonly string[], rules: readonly CompiledRule[], base: Label): Label {
  let best: CompiledRule | undefined;
  for (const rule of rules) {
    if (rule.segments.length > path.length) continue;
    if (!rule.segments.every((segment, i) => segment === '*' || segment === path[i])) continue;
    if (
      best === undefined ||
      rule.specificity > best.specificity ||
      (rule.specificity === best.specificity && rule.segments.length > best.segments.length)
    ) {
      best = rule;
    }
  }
  if (best === undefined) return base;
  // WHY: called per leaf while indexing; a rule that gives both parts is returned as is, unallocated.
  if (isFullLabel(best.label)) return best.label;
  return {
    confidentiality: best.label.confidentiality ?? base.confidentiality,
    integrity: best.label.integrity ?? base.integrity,
  };
}

function isFullLabel(label: Partial<Label>): label is Label {
  return label.confidentiality !== undefined && label.integrity !== undefined;
}

// WHY: a cut-off subtree may hold fields a rule marks more confidential than the tool's output, so
// its label takes the highest confidentiality any rule gives; integrity is at best UNTRUSTED
// (when in doubt, untrusted: a trusted field cannot be told apart inside the cut-off JSON).
function cutOffLabel(base: Label, rules: readonly CompiledRule[]): Label {
  let confidentiality = base.confidentiality;
  for (const rule of rules)
    confidentiality = joinConfidentiality(
      confidentiality,
      rule.label.confidentiality ?? base.confidentiality,
    );
  return { confidentiality, integrity: joinIntegrity(base.integrity, 'UNTRUSTED') };
}

type SerializeFrame = {
  readonly value: Container;
  readonly keys: readonly string[] | undefined;
  next: number;
};

/**
 * JSON of `value`, cut after about `charsMax` code units. Iterative, so a subtree nested deeper than
 * the call stack allows still serializes; stops as soon as the budget is spent.
 */
export function stringifyBounded(value: unknown, charsMax: number): string {
  const parts: string[] = [];
  let size = 0;
  const emit = (text: string): void => {
    parts.push(text);
    size += text.length;
  };
  const stack: SerializeFrame[] = [];
  const open = (child: unknown): void => {
    if (!isContainer(child)) {
      emit(primitiveJson(child, charsMax));
      return;
    }
    const keys = Array.isArray(child) ? undefined : Object.keys(child);
    emit(keys === undefined ? '[' : '{');
    stack.push({ value: child, keys, next: 0 });
  };
  open(value);
  while (stack.length > 0 && size < charsMax) {
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    const count = top.keys === undefined ? (top.value as JsonValue[]).length : top.keys.length;
    if (top.next >= count) {
      emit(top.keys === undefined ? ']' : '}');
      stack.pop();
      continue;
    }
    const index = top.next++;
    if (index > 0) emit(',');
    if (top.keys === undefined) {
      open((top.value as JsonValue[])[index]);
    } else {
      const key = top.keys[index] ?? '';
      emit(`${primitiveJson(key, charsMax)}:`);
      open((top.value as { [key: string]: JsonValue })[key]);
    }
  }
  const text = parts.join('');
  return text.length > charsMax ? text.slice(0, charsMax) : text;
}

function primitiveJson(value: unknown, charsMax: number): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > charsMax ? value.slice(0, charsMax) : value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  return 'null';
}
