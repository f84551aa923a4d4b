// A static check for the classic catastrophic-backtracking shape in a regular expression: a
// repeated group whose body is itself quantified, as in `(a+)+` or `(?:\w+\s?)*`. The pre-filter
// runs every signature on every decision, so configured signatures must pass it (and so do the
// built-in ones, by test). It is a heuristic: it rejects the common shape, it proves nothing.

type Frame = { quantified: boolean };

/** True when `source` repeats (`*`, `+`, `{n,}`, `{n,m}` with m ≥ 10) a group that contains a quantifier. */
export function hasNestedQuantifier(source: string): boolean {
  const stack: Frame[] = [{ quantified: false }];
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    if (char === '\\') {
      i = skipEscape(source, i);
      markQuantifierAt(source, i, stack);
      i = skipQuantifier(source, i);
      continue;
    }
    if (char === '[') {
      i = skipClass(source, i);
      markQuantifierAt(source, i, stack);
      i = skipQuantifier(source, i);
      continue;
    }
    if (char === '(') {
      stack.push({ quantified: false });
      i += 1;
      continue;
    }
    if (char === ')') {
      const inner = stack.length > 1 ? stack.pop() : undefined;
      const outer = stack[stack.length - 1];
      i += 1;
      const repeat = quantifierAt(source, i);
      if (inner?.quantified === true && repeat === 'repeating') return true;
      if (outer !== undefined && (inner?.quantified === true || repeat !== 'none')) outer.quantified = true;
      i = skipQuantifier(source, i);
      continue;
    }
    i += 1;
    markQuantifierAt(source, i, stack);
    i = skipQuantifier(source, i);
  }
  return false;
}

type QuantifierKind = 'none' | 'optional' | 'repeating';

const REPEAT_BOUNDED_MAX = 10;

function quantifierAt(source: string, i: number): QuantifierKind {
  const char = source[i];
  if (char === '*' || char === '+') return 'repeating';
  if (char === '?') return 'optional';
  if (char !== '{') return 'none';
  const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
  if (match === null) return 'none';
  if (match[2] === undefined) return Number(match[1]) >= REPEAT_BOUNDED_MAX ? 'repeating' : 'optional';
  if (match[3] === undefined || match[3] === '') return 'repeating';
  return Number(match[3]) >= REPEAT_BOUNDED_MAX ? 'repeating' : 'optional';
}

function markQuantifierAt(source: string, i: number, stack: Frame[]): void {
  const frame = stack[stack.length - 1];
  if (frame !== undefined && quantifierAt(source, i) !== 'none') frame.quantified = true;
}

function skipQuantifier(source: string, i: number): number {
  const kind = quantifierAt(source, i);
  if (kind === 'none') return i;
  let next = i + 1;
  if (source[i] === '{') next = source.indexOf('}', i) + 1;
  if (source[next] === '?') next += 1;
  return next;
}

function skipEscape(source: string, i: number): number {
  const kind = source[i + 1];
  if ((kind === 'p' || kind === 'P' || kind === 'u') && source[i + 2] === '{') {
    const close = source.indexOf('}', i + 3);
    return close === -1 ? source.length : close + 1;
  }
  return Math.min(source.length, i + 2);
}

function skipClass(source: string, i: number): number {
  let j = i + 1;
  if (source[j] === '^') j += 1;
  if (source[j] === ']') j += 1;
  while (j < source.length && source[j] !== ']') j = source[j] === '\\' ? j + 2 : j + 1;
  return Math.min(source.length, j + 1);
}
