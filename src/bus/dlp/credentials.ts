// Detectors for credentials named by their context rather than their shape: `password=…`,
// `api_key: …`, `Bearer …`, a string under a `password`/`token`-like JSON key, and a
// high-entropy string just after a key-like word.

import { type Detection, type DlpKind, REDACTION_PREFIX } from './kinds.ts';

const KEY_WORD =
  '(?:pass(?:word|wd|phrase)?|pwd|secret|client[_-]?secret|api[_-]?key|access[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|token|private[_-]?key|credentials?)';

/** `key = value`, `key: "value"`, `"key" => 'value'`: the separator is group 1, the value group 2, 3 or 4. */
const ASSIGNMENT = new RegExp(
  String.raw`(?<![A-Za-z])${KEY_WORD}["']?(\s{0,8}(?::=|=>|=|:)\s{0,8})(?:"([^"\n]{1,512})"|'([^'\n]{1,512})'|([^\s"'\x60,;&)}\]]{1,512}))`,
  'dgi',
);
const BEARER = /(?<![A-Za-z])(?:bearer|basic)\s{1,8}([A-Za-z0-9._~+/-]{8,2048}=*)/dgi;

/**
 * A run of base64/base64url/hex characters. WHY 4096: longer runs are blobs (images, archives),
 * not credentials, and the bound keeps backtracking per run start constant.
 */
const RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,4096}={0,2}(?![A-Za-z0-9+/_=-])/g;
/** Matches whenever any pattern below can: the key words, the context words, `basic`. */
const CREDENTIAL_GATE = /pass|pwd|secret|key|token|credential|auth|bearer|basic|signature|private/i;
const KEY_WORD_GATE = /pass|pwd|secret|key|token|credential/i;
const KEY_CONTEXT = /key|secret|token|passw|pwd|credential|auth|bearer|signature|private/gi;
/** Characters allowed between a key-like word and the run it names. */
const CONTEXT_CHARS = 48;
/** Longest redaction marker, `[REDACTED:` plus the longest kind and `]`. */
const MARKER_CHARS_MAX = 40;
/**
 * Shannon entropy (bits per character) a run must reach. WHY 4.2: 32 random base64 characters
 * average about 4.5 bits (their maximum is log2(32) = 5), while camelCase identifiers and words
 * stay near 3.5-4.2; hex (git SHAs, digests) and UUIDs never exceed 4 and are excluded anyway.
 * Measured: 32 random base62 characters fall below 4.2 in about 0.8 % of draws, 40 in 0.01 %;
 * `thisIsAVeryLongFunctionNameForTesting` scores 4.19. Short random keys are the known misses.
 */
const ENTROPY_BITS_MIN = 4.2;

const PLACEHOLDER =
  /^(?:\*+|x+|\.+|-+|<[^>]*>?|\{\{[^}]*(?:\}\})?|\$\{[^}]*\}?|\$[A-Za-z_][A-Za-z0-9_]*|%[sd]|null|nil|none|undefined|true|false|empty|redacted|hidden|example|placeholder|string|required|optional|your[_-][A-Za-z_-]*)$/i;
const DECLARATION_BEFORE = /\b(?:const|let|var)\s+$/;
const CODE_LIKE =
  /^(?:[_$]|this\.|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$#][\w$]*)*\(|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$#][\w$]*)+$)/;
const WORD_LIKE = /^[A-Za-z]+(?:[ ._-][A-Za-z]+)*$/;
const HEX_OR_UUID = /^[0-9A-Fa-f-]+$/;

/** Finds context-named credentials and high-entropy secrets in `text` (already normalised). */
export function findCredentials(text: string): Detection[] {
  const out: Detection[] = [];
  // WHY the gates: most strings name no credential, and a failed `test` allocates nothing.
  if (!CREDENTIAL_GATE.test(text)) return out;
  for (const match of KEY_WORD_GATE.test(text) ? text.matchAll(ASSIGNMENT) : []) {
    const span = match.indices?.[2] ?? match.indices?.[3] ?? match.indices?.[4];
    if (span === undefined) continue;
    const value = text.slice(span[0], span[1]);
    const separator = match[1] ?? '';
    const spaced = /\s/.test(separator);
    if (match[4] !== undefined && isCodeExpression(text, match.index, value, spaced)) continue;
    const configStyle = match[4] !== undefined && !spaced && separator.includes('=');
    if (isNonTrivial(value, configStyle))
      out.push({ kind: 'credential-assignment', start: span[0], end: span[1] });
  }
  for (const match of /bearer|basic/i.test(text) ? text.matchAll(BEARER) : []) {
    const span = match.indices?.[1];
    if (span !== undefined && isNonTrivial(text.slice(span[0], span[1]), false)) {
      out.push({ kind: 'credential-assignment', start: span[0], end: span[1] });
    }
  }
  if (text.length >= 32) findHighEntropyAfterKeyWords(text, out);
  return out;
}

/**
 * Reports random-looking runs that start at most CONTEXT_CHARS after a key-like word.
 * INVARIANT: the run search only moves forward (a run found past one word's window is kept for
 * the next word), so the cost stays linear in the text however many key words it holds.
 */
function findHighEntropyAfterKeyWords(text: string, out: Detection[]): void {
  // WHY the module's global regexes, positioned here: a fresh pair per string cost more than
  // scanning a short one, and nothing re-enters this function while it runs.
  const words = KEY_CONTEXT;
  const runs = RUN;
  words.lastIndex = 0;
  let run: RegExpExecArray | null = null;
  for (let word = words.exec(text); word !== null; word = words.exec(text)) {
    if (insideMarker(text, word.index)) continue;
    const from = word.index + word[0].length;
    if (run === null || run.index < from) {
      runs.lastIndex = from;
      run = runs.exec(text);
      if (run === null) return;
    }
    if (run.index - from > CONTEXT_CHARS || !looksRandom(run[0])) continue;
    out.push({ kind: 'high-entropy-secret', start: run.index, end: run.index + run[0].length });
    words.lastIndex = run.index + run[0].length;
  }
}

/** WHY: the "token" in `[REDACTED:github-token]` is no context for the string after it. */
function insideMarker(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - MARKER_CHARS_MAX), index);
  const open = before.lastIndexOf(REDACTION_PREFIX);
  return open !== -1 && !before.includes(']', open);
}

/**
 * A value worth reporting after a key word: not a placeholder, at least 6 characters, and not a
 * plain word or identifier unless written config-style (`password=hunter`), where prose is rare.
 * WHY: "password: required" and "token: see below" are ordinary sentences.
 */
function isNonTrivial(value: string, configStyle: boolean): boolean {
  if (value.length < 6 || isPlaceholder(value)) return false;
  // WHY the trailing punctuation is ignored here only: "see the token: below." ends a sentence,
  // while the whole value (`hunter2!`) is still what gets redacted.
  if (WORD_LIKE.test(value.replace(/[.!?,:;]+$/, ''))) return configStyle && value.length >= 8;
  return true;
}

function isPlaceholder(value: string): boolean {
  return value.includes(REDACTION_PREFIX) || PLACEHOLDER.test(value) || new Set(value).size < 3;
}

/**
 * An unquoted value that is code, not data: after `const`/`let`/`var`, or, with a spaced separator,
 * a call, a member chain (`pair.ed25519.privateKey`) or a private-looking name (`_token`).
 * WHY: agents pass code to each other; `const token = mint(clock)` holds no secret, while a quoted
 * literal (`const password = "hunter2!"`) is still checked.
 */
function isCodeExpression(text: string, keyStart: number, value: string, spaced: boolean): boolean {
  if (DECLARATION_BEFORE.test(text.slice(Math.max(0, keyStart - 8), keyStart))) return true;
  return spaced && CODE_LIKE.test(value);
}

/** High entropy, at least two of lower case, upper case and digits, and not hex or a UUID. */
function looksRandom(run: string): boolean {
  const body = run.replace(/=+$/, '');
  if (body.length < 32 || HEX_OR_UUID.test(body)) return false;
  const classes = Number(/[a-z]/.test(body)) + Number(/[A-Z]/.test(body)) + Number(/[0-9]/.test(body));
  return classes >= 2 && shannonEntropyBits(body) >= ENTROPY_BITS_MIN;
}

/** Shannon entropy of the character distribution of `text`, in bits per character. */
function shannonEntropyBits(text: string): number {
  const counts = new Map<string, number>();
  let total = 0;
  for (const char of text) {
    counts.set(char, (counts.get(char) ?? 0) + 1);
    total++;
  }
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / total;
    bits -= p * Math.log2(p);
  }
  return bits;
}

// --- Values under a credential-named key -------------------------------------------------------

/** Compact key endings (lower case, no separators) that name a credential. */
const KEY_ENDINGS = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'token',
  'credential',
  'credentials',
] as const;
const NOT_CREDENTIAL_KEYS = ['pagetoken', 'nexttoken', 'continuationtoken', 'tokentype', 'csrftokenname'];
const AWS_SECRET_KEY = /secretaccesskey$/;
const AWS_SECRET_VALUE = /^[A-Za-z0-9/+]{40}$/;

/**
 * Reports the whole of `value` when `key` names a credential (`password`, `db_password`,
 * `apiKey`, `x-auth-token`) and the value is not empty or a placeholder. The key says what the
 * value is, so no length or shape is asked of it beyond four characters.
 */
export function findCredentialUnderKey(key: string, value: string): Detection | undefined {
  const compact = key.toLowerCase().replace(/[\s._-]/g, '');
  if (!KEY_ENDINGS.some((ending) => compact.endsWith(ending))) return undefined;
  if (NOT_CREDENTIAL_KEYS.some((ending) => compact.endsWith(ending))) return undefined;
  const start = value.length - value.trimStart().length;
  const trimmed = value.trim();
  if (trimmed.length < 4 || isPlaceholder(trimmed)) return undefined;
  const kind: DlpKind =
    AWS_SECRET_KEY.test(compact) && AWS_SECRET_VALUE.test(trimmed)
      ? 'aws-secret-access-key'
      : 'credential-assignment';
  return { kind, start, end: start + trimmed.length };
}
