// A small strict JSON reader for token envelopes, headers and claims. Unlike JSON.parse it reports
// duplicate keys, forbidden keys and trailing data as distinct problems, so each gets its own code.

import { FORBIDDEN_KEYS, type JsonValue } from '../../shared/index.ts';

export type StrictJsonProblem = 'syntax' | 'trailing' | 'duplicate-key' | 'forbidden-key' | 'too-deep';

export type StrictJsonResult =
  | { readonly ok: true; readonly value: JsonValue }
  | { readonly ok: false; readonly problem: StrictJsonProblem; readonly message: string };

class Stop {
  readonly problem: StrictJsonProblem;
  readonly message: string;

  constructor(problem: StrictJsonProblem, message: string) {
    this.problem = problem;
    this.message = message;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Parses exactly one JSON value, surrounded by optional JSON whitespace, nested at most `depthMax`. */
export function parseStrictJson(text: string, depthMax: number): StrictJsonResult {
  const reader = new Reader(text, depthMax);
  try {
    reader.skipSpace();
    const value = reader.value(0);
    reader.skipSpace();
    if (reader.at < text.length) {
      return { ok: false, problem: 'trailing', message: `unexpected data after position ${reader.at}` };
    }
    return { ok: true, value };
  } catch (error) {
    if (error instanceof Stop) return { ok: false, problem: error.problem, message: error.message };
    throw error;
  }
}

class Reader {
  readonly text: string;
  readonly depthMax: number;
  at = 0;

  constructor(text: string, depthMax: number) {
    this.text = text;
    this.depthMax = depthMax;
  }

  skipSpace(): void {
    const text = this.text;
    let at = this.at;
    for (; at < text.length; at++) {
      const code = text.charCodeAt(at);
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) break;
    }
    this.at = at;
  }

  value(depth: number): JsonValue {
    const char = this.text[this.at];
    if (char === '{') return this.object(depth + 1);
    if (char === '[') return this.array(depth + 1);
    if (char === '"') return this.string();
    if (char === 't') return this.word('true', true);
    if (char === 'f') return this.word('false', false);
    if (char === 'n') return this.word('null', null);
    return this.number();
  }

  object(depth: number): JsonValue {
    this.enter(depth);
    const out: { [key: string]: JsonValue } = {};
    const keys = new Set<string>();
    this.at += 1;
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at += 1;
      return out;
    }
    for (;;) {
      if (this.text[this.at] !== '"') throw this.syntax('expected a string key');
      const key = this.string();
      if (FORBIDDEN_KEYS.has(key)) throw new Stop('forbidden-key', `key \`${key}\` is not allowed`);
      if (keys.has(key)) throw new Stop('duplicate-key', `key \`${key}\` appears twice`);
      keys.add(key);
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      out[key] = this.value(depth);
      this.skipSpace();
      if (this.text[this.at] === '}') {
        this.at += 1;
        return out;
      }
      this.expect(',');
      this.skipSpace();
    }
  }

  array(depth: number): JsonValue {
    this.enter(depth);
    const out: JsonValue[] = [];
    this.at += 1;
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at += 1;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.skipSpace();
      if (this.text[this.at] === ']') {
        this.at += 1;
        return out;
      }
      this.expect(',');
      this.skipSpace();
    }
  }

  string(): string {
    const text = this.text;
    const start = this.at;
    let escaped = false;
    for (let at = start + 1; at < text.length; at++) {
      const code = text.charCodeAt(at);
      if (code < 0x20) throw this.syntax('control character in string');
      if (code === 0x5c) {
        escaped = true;
        at += 1;
        continue;
      }
      if (code !== 0x22) continue;
      this.at = at + 1;
      if (!escaped) return text.slice(start + 1, at);
      try {
        return JSON.parse(text.slice(start, at + 1)) as string;
      } catch {
        throw this.syntax('invalid escape in string');
      }
    }
    throw this.syntax('unterminated string');
  }

  number(): number {
    NUMBER.lastIndex = this.at;
    const found = NUMBER.exec(this.text);
    if (found === null) throw this.syntax('unexpected character');
    this.at += found[0].length;
    return Number(found[0]);
  }

  word<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) throw this.syntax('unexpected character');
    this.at += word.length;
    return value;
  }

  expect(char: string): void {
    if (this.text[this.at] !== char) throw this.syntax(`expected \`${char}\``);
    this.at += 1;
  }

  enter(depth: number): void {
    if (depth > this.depthMax) throw new Stop('too-deep', `json nests deeper than ${this.depthMax} levels`);
  }

  syntax(what: string): Stop {
    return new Stop('syntax', `invalid json at position ${this.at}: ${what}`);
  }
}
